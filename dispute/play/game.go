package play

import (
	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// Game is one game's record: an element of games.json and of
// `opcity simulate --json`'s game_results.
type Game struct {
	Game         int               `json:"game"`
	Scenario     string            `json:"scenario"`
	Seed         uint64            `json:"seed"`
	RootCorrect  bool              `json:"root_correct"`
	Winner       string            `json:"winner"`
	Correct      bool              `json:"correct"`
	Resolved     uint64            `json:"resolved_s"`
	Phase2       uint64            `json:"phase2_start_s"`
	Phase3       uint64            `json:"phase3_start_s"`
	Step         uint64            `json:"step_s"`
	LastMove     uint64            `json:"last_move_s"`
	Claims       int               `json:"claims"`
	MaxFanOut    int               `json:"max_fan_out"`
	Moves        map[string]int    `json:"moves"`
	Gas          map[string]uint64 `json:"gas"`
	HonestPeak   uint64            `json:"honest_peak_gwei"`
	HonestLocked float64           `json:"honest_locked_eth_days"`
	Account
	Rejected   int  `json:"rejected_actions"`
	Conserved  bool `json:"bonds_conserved"`
	Extensions int  `json:"clock_extensions"`
}

func GameOf(i int, r sim.Result) Game {
	g := Game{Game: i, Scenario: r.Scenario, Seed: r.Seed, RootCorrect: r.RootCorrect, Winner: r.Status.String(), Correct: r.Correct(),
		Resolved: r.Resolved, Phase2: r.PhaseStart[2], Phase3: r.PhaseStart[3], Step: r.PhaseStart[0], LastMove: r.LastMove, Claims: r.Claims, MaxFanOut: r.MaxFanOut,
		Moves: map[string]int{}, Gas: map[string]uint64{}, HonestPeak: r.HonestPeak, HonestLocked: r.HonestIntegral / 1e9 / 86400,
		Account: AccountOf(r), Conserved: r.Conserved, Extensions: r.Extensions}
	for p, kinds := range r.Actions {
		g.Moves[string(p)] = kinds[dispute.ActMove]
	}
	for p, gas := range r.Gas {
		g.Gas[string(p)] = gas
	}
	for _, n := range r.Rejected {
		g.Rejected += n
	}
	return g
}
