package evm

import (
	"fmt"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"

	"github.com/opcity-spec/opcity/dispute"
)

// Compare checks the contract's game against the Go game g field by field:
// the number of claims; every claim's parent, position, value, bond (wei),
// claimant, clock, counteredBy and resolved flag; the phase-3 context of
// every phase-3 claim (descriptor hash, output, local context); the status;
// and every party's credit. It returns the first difference.
func (c *DisputeChain) Compare(g dispute.Game) error {
	out, err := c.view(c.game, c.gameABI, "claimDataLen")
	if err != nil {
		return err
	}
	if n := out[0].(*big.Int).Int64(); n != int64(g.Len()) {
		return fmt.Errorf("claims: contract %d, Go %d", n, g.Len())
	}
	for i, cl := range g.Claims() {
		if err := c.compareClaim(g, i, cl); err != nil {
			return err
		}
	}
	out, err = c.view(c.game, c.gameABI, "status")
	if err != nil {
		return err
	}
	if st := out[0].(uint8); int(st) != int(g.Status()) {
		return fmt.Errorf("status: contract %d, Go %d (%s)", st, g.Status(), g.Status())
	}
	return c.compareCredits(g)
}

func (c *DisputeChain) compareClaim(g dispute.Game, i int, cl dispute.Claim) error {
	v, err := c.view(c.game, c.gameABI, "claims", big.NewInt(int64(i)))
	if err != nil {
		return err
	}
	parent := int64(v[2].(uint32))
	if parent == 1<<32-1 {
		parent = -1
	}
	type field struct {
		name       string
		chain, go_ any
	}
	counter := common.Address{}
	if cl.CounteredBy != "" {
		counter = PartyAddress(cl.CounteredBy)
	}
	bond := new(big.Int).Mul(new(big.Int).SetUint64(cl.Bond), big.NewInt(GweiWei))
	fields := []field{
		{"claimant", v[0].(common.Address), PartyAddress(cl.Claimant)},
		{"position", v[1].(uint64), uint64(cl.Position)},
		{"parent", parent, int64(cl.Parent)},
		{"counteredBy", v[3].(common.Address), counter},
		{"resolved", v[6].(bool), cl.Resolved},
		{"bond", v[7].(*big.Int).String(), bond.String()},
		{"clock duration", v[8].(uint64), cl.Clock.Duration},
		{"clock timestamp", v[9].(uint64), cl.Clock.Timestamp},
		{"value", common.Hash(v[10].([32]byte)), common.Hash(cl.Value)},
	}
	if cl.Opening != nil {
		fields = append(fields, field{"opening leaf", common.Hash(v[11].([32]byte)), common.Hash(cl.Opening.Leaf)})
	}
	if ctx3 := v[5].(uint32); ctx3 != 0 || g.Config().Phase(cl.Position.Depth()) == 3 {
		vc, err := c.view(c.game, c.gameABI, "vmContexts", big.NewInt(int64(ctx3)))
		if err != nil {
			return err
		}
		fields = append(fields,
			field{"node", vc[0].(uint64), cl.Context.Node},
			field{"descriptor hash", common.Hash(vc[1].([32]byte)), common.Hash(cl.Context.DescriptorHash)},
			field{"output", common.Hash(vc[2].([32]byte)), common.Hash(cl.Context.Output)},
			field{"local context", common.Hash(vc[3].([32]byte)), common.Hash(cl.Context.LocalContext)})
	}
	if ctx2 := v[4].(uint32); ctx2 != 0 {
		bc, err := c.view(c.game, c.gameABI, "blockContexts", big.NewInt(int64(ctx2)))
		if err != nil {
			return err
		}
		fields = append(fields, field{"block", bc[0].(uint64), cl.Context.Block})
	}
	for _, f := range fields {
		if f.chain != f.go_ {
			return fmt.Errorf("claim %d %s: contract %v, Go %v", i, f.name, f.chain, f.go_)
		}
	}
	return nil
}

// compareCredits checks normalModeCredit of every party the chain has
// seen and every party with Go credit.
func (c *DisputeChain) compareCredits(g dispute.Game) error {
	seen := map[dispute.Address]bool{}
	for a := range g.Credits() {
		seen[a] = true
	}
	for a := range c.parties {
		seen[a] = true
	}
	var names []string
	for a := range seen {
		names = append(names, string(a))
	}
	sort.Strings(names)
	for _, n := range names {
		a := dispute.Address(n)
		out, err := c.view(c.game, c.gameABI, "normalModeCredit", PartyAddress(a))
		if err != nil {
			return err
		}
		want := new(big.Int).Mul(new(big.Int).SetUint64(g.Credit(a)), big.NewInt(GweiWei))
		if out[0].(*big.Int).Cmp(want) != 0 {
			return fmt.Errorf("credit of %q: contract %v wei, Go %v wei", a, out[0], want)
		}
	}
	return nil
}

// PayOut claims every party's credit as OP's two-call claimCredit: at
// resolvedAt + the finality delay the first call closes the game and
// unlocks the credit in the vault, the withdrawal delay later the second
// pays it. It returns what each party received (wei), from balances.
func (c *DisputeChain) PayOut(g dispute.Game, resolvedAt uint64) (map[dispute.Address]*big.Int, error) {
	return c.payOut(g.Credits(), resolvedAt)
}

// payOut claims the credit of every party of due (whose amounts are not
// read: the contract decides them).
func (c *DisputeChain) payOut(due map[dispute.Address]uint64, resolvedAt uint64) (map[dispute.Address]*big.Int, error) {
	paid := map[dispute.Address]*big.Int{}
	unlock := resolvedAt + DisputeFinalityDelay
	var names []string
	for a := range due {
		names = append(names, string(a))
	}
	sort.Strings(names)
	for _, n := range names {
		a := dispute.Address(n)
		r, err := c.send(a, c.game, nil, unlock, c.gameABI, "claimCredit", PartyAddress(a))
		if err != nil {
			return nil, err
		}
		c.record("claim-credit unlock", a, r, 0)
		if r.code != 0 {
			return nil, fmt.Errorf("unlock %q: %s", a, r.reason)
		}
	}
	for _, n := range names {
		a := dispute.Address(n)
		before := c.db.GetBalance(PartyAddress(a)).ToBig()
		r, err := c.send(owner, c.game, nil, unlock+DisputeWithdrawalDelay, c.gameABI, "claimCredit", PartyAddress(a))
		if err != nil {
			return nil, err
		}
		c.record("claim-credit withdraw", a, r, 0)
		if r.code != 0 {
			return nil, fmt.Errorf("withdraw %q: %s", a, r.reason)
		}
		paid[a] = new(big.Int).Sub(c.db.GetBalance(PartyAddress(a)).ToBig(), before)
	}
	return paid, nil
}

// Retire has the factory's owner retire the game: it then pays out in
// REFUND mode.
func (c *DisputeChain) Retire() error {
	_, _, err := c.call(owner, c.factory, nil, 1, c.factoryABI, "retire", c.game)
	return err
}

// ClaimCreditEarly reports whether a withdrawal before the vault's delay
// is refused (it must be): it unlocks a's credit at time at and tries to
// withdraw one second before the delay ends. Only for tests: it changes
// the chain.
func (c *DisputeChain) ClaimCreditEarly(a dispute.Address, at uint64) (refused bool, err error) {
	if _, _, err := c.call(a, c.game, nil, at, c.gameABI, "claimCredit", PartyAddress(a)); err != nil {
		return false, err
	}
	r, err := c.send(a, c.game, nil, at+DisputeWithdrawalDelay-1, c.gameABI, "claimCredit", PartyAddress(a))
	return r.code != 0, err
}
