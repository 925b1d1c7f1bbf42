package dispute_test

import (
	"reflect"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
)

// TestDISPUTE_ILLEGAL_ResolvedSubgame: a move against a claim whose
// subgame is resolved, while the game is still in progress, is rejected
// with CodeResolved and leaves the game unchanged. With
// TestDISPUTE_ILLEGAL_Codes (wrong bond, depth past max, defending the game
// root and a phase root, duplicate claim, step with a wrong prestate) and
// TestDISPUTE_BIND_GraphRoot / TestDISPUTE_BIND_Transition (a phase root
// whose prestate is not bound to its parent: CodeUnboundPhaseRoot), every
// illegal move of the list has a concrete action and its code.
func TestDISPUTE_ILLEGAL_ResolvedSubgame(t *testing.T) {
	w := disputetest.SharedWorld(t)
	h := history(t, w, "wrong-node", 1)
	var s snapshot
	for _, sn := range h {
		if sn.g.Status() == dispute.InProgress {
			s = sn
		}
	}
	late := s.now + 2*w.Cfg.MaxClock
	rs := s.g.Resolvable(late)
	if len(rs) == 0 {
		t.Fatal("nothing resolvable")
	}
	i := rs[0]
	g, err := s.g.ResolveClaim(late, i)
	if err != nil || g.Status() != dispute.InProgress {
		t.Fatalf("resolving claim %d: %v, %s", i, err, g.Status())
	}
	c := g.Claim(i)
	m := dispute.Move{Parent: i, Disputed: c.Value, Attack: true, Value: dispute.Hash{0xee}, Bond: w.Cfg.Bond(min(c.Position.Depth()+1, w.Cfg.MaxDepth)), Claimant: "x"}
	next, err := g.Move(late, m)
	if dispute.CodeOf(err) != dispute.CodeResolved {
		t.Fatalf("move against resolved claim %d: %v, want %s", i, err, dispute.CodeResolved)
	}
	if !reflect.DeepEqual(next, g) {
		t.Fatal("the rejected move changed the game")
	}
}
