package play

import (
	"fmt"

	"github.com/opcity-spec/opcity/dispute/sim"
)

// Account is one game's per-claim honest accounting (sim.Result),
// over the claims of every honest party (sim.IsHonest). The game is
// sound for the honest parties iff no honest claim was countered and every
// honest bond was returned; the net figure is an extra, for reference only
// (bonds won elsewhere hide a countered claim in it).
type Account struct {
	HonestClaims         int    `json:"honest_claims"`
	HonestCountered      int    `json:"honest_claims_countered"`
	HonestCounteredBonds uint64 `json:"honest_countered_bonds_gwei"`
	HonestBonds          uint64 `json:"honest_bonds_gwei"`
	HonestReturned       uint64 `json:"honest_bonds_returned_gwei"`
	HonestUnresolved     int    `json:"honest_claims_unresolved"`
	HonestNet            int64  `json:"honest_net_gwei"` // paid − posted (net, for reference)
}

func AccountOf(r sim.Result) Account {
	return Account{HonestClaims: r.HonestClaims, HonestCountered: r.HonestCountered, HonestCounteredBonds: r.HonestCounteredBonds,
		HonestBonds: r.HonestBonds, HonestReturned: r.HonestReturned, HonestUnresolved: r.HonestUnresolved, HonestNet: r.HonestNet()}
}

// Intact: no honest claim countered and every honest bond returned.
func (h Account) Intact() bool {
	return h.HonestCountered == 0 && h.HonestReturned == h.HonestBonds
}

// Text is the per-claim figures first, then the net one. (Not String: the
// method would be promoted to the structs embedding Account.)
func (h Account) Text() string {
	return fmt.Sprintf("honest claims %d countered %d (%d gwei); honest bonds %d returned %d gwei; honest net %+d gwei (net, for reference)",
		h.HonestClaims, h.HonestCountered, h.HonestCounteredBonds, h.HonestBonds, h.HonestReturned, h.HonestNet)
}
