package evm

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/spec"
)

// TestEVM_DISPUTE_DIFF_Codes sends, on an honest root with no adversary,
// the actions the library's games do not make, each refused by a rule the
// library's agents never break: resolving the game before its root,
// resolving the root before its clock, a wrong bond, a defense of the root,
// a claim index out of range, a step above the maximum depth, and, once
// the game is resolved, a move, a step and a second resolve (the game is
// over). Each gets the same Code from the Go rules and the contract, the
// named one, and the final states are equal.
func TestEVM_DISPUTE_DIFF_Codes(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	w := disputeWorld(t, "mlp.opml", spec.ProfileBase)
	g, _, _, err := sim.StartScenario(w, scenario(t, "none"), 1)
	if err != nil {
		t.Fatal(err)
	}
	root := g.Claim(0)
	c, err := NewDisputeChain(h, w.Cfg, common.Address{}, root.Value, root.Claimant, root.Clock.Timestamp)
	if err != nil {
		t.Fatal(err)
	}
	start := root.Clock.Timestamp
	after := start + w.Cfg.MaxClock
	attack := dispute.Move{Parent: 0, Disputed: root.Value, Attack: true, Value: dispute.Hash{7}, Bond: w.Cfg.Bond(1)}
	with := func(f func(*dispute.Move)) dispute.Move { m := attack; f(&m); return m }
	steps := []struct {
		now  uint64
		a    dispute.Action
		want dispute.Code
	}{
		{start + 1, dispute.Action{Kind: dispute.ActResolve, Party: "honest"}, dispute.CodeNotResolved},
		{start + 1, dispute.Action{Kind: dispute.ActResolveClaim, Party: "honest", Claim: 0}, dispute.CodeClockNotExpired},
		{start + 1, dispute.Action{Kind: dispute.ActMove, Party: "adversary", Move: with(func(m *dispute.Move) { m.Bond++ })}, dispute.CodeWrongBond},
		{start + 1, dispute.Action{Kind: dispute.ActMove, Party: "adversary", Move: with(func(m *dispute.Move) { m.Attack = false })}, dispute.CodeDefendRoot},
		{start + 1, dispute.Action{Kind: dispute.ActMove, Party: "adversary", Move: with(func(m *dispute.Move) { m.Parent = 5 })}, dispute.CodeBadIndex},
		{start + 1, dispute.Action{Kind: dispute.ActStep, Party: "adversary", Claim: 0, Attack: true, StateData: []byte{1}, Proof: []byte{}}, dispute.CodeDepth},
		{after, dispute.Action{Kind: dispute.ActResolveClaim, Party: "honest", Claim: 0}, 0},
		{after, dispute.Action{Kind: dispute.ActResolve, Party: "honest"}, 0},
		{after + 1, dispute.Action{Kind: dispute.ActResolve, Party: "honest"}, dispute.CodeGameOver},
		{after + 1, dispute.Action{Kind: dispute.ActMove, Party: "adversary", Move: attack}, dispute.CodeGameOver},
		{after + 1, dispute.Action{Kind: dispute.ActStep, Party: "adversary", Claim: 0, Attack: true, StateData: []byte{1}, Proof: []byte{}}, dispute.CodeGameOver},
		{after + 1, dispute.Action{Kind: dispute.ActResolveClaim, Party: "honest", Claim: 0}, dispute.CodeGameOver},
	}
	for i, s := range steps {
		next, goErr := dispute.Apply(g, s.now, s.a)
		out, err := c.ApplyAction(g, s.now, s.a)
		if err != nil {
			t.Fatalf("action %d (%s): %v", i, s.a.Kind, err)
		}
		if goCode := dispute.CodeOf(goErr); goCode != s.want || out.Code != s.want {
			t.Fatalf("action %d (%s at t=%d): Go %v, contract %v (%s), want %v", i, s.a.Kind, s.now, goCode, out.Code, out.Reason, s.want)
		}
		if goErr == nil {
			g = next
		}
	}
	if g.Status() != dispute.DefenderWins {
		t.Fatalf("status %s, want the defender's win", g.Status())
	}
	if err := c.Compare(g); err != nil {
		t.Fatal(err)
	}
}
