package dispute_test

import (
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// TestDISPUTE_EXHAUSTIVE_FindsBreak1: on the old transition-step rule (a
// well-formed node transition counted as proven correct), the checker
// finds by itself that the honest party loses a claim: the same search
// that passes on today's rule.
func TestDISPUTE_EXHAUSTIVE_FindsBreak1(t *testing.T) {
	found := 0
	for _, c := range disputetest.ExploreCases(false) {
		if c.Geo != (disputetest.TinyGeometry{Blocks: 1, Nodes: 2, VMDepth: 2, Steps: 4}) {
			continue
		}
		w := disputetest.TinyWorld(t, c.Geo)
		dispute.SetLegacyTransitionRule(w.Cfg, true)
		res, err := c.Explorer(t, w).Explore(sim.ExploreOptions{HonestRoot: c.HonestRoot, Depth: c.Depth})
		if err != nil {
			t.Fatal(err)
		}
		if res.Violation == nil {
			continue
		}
		found++
		msg := res.Violation.Error()
		t.Logf("%v: found after %d states: %s", c, res.States, msg)
		if !strings.Contains(msg, "transition-step") || !strings.Contains(msg, "countered") {
			t.Errorf("%v: the violation is not the transition-step break: %s", c, msg)
		}
	}
	if found == 0 {
		t.Fatal("the checker did not find the transition-step break on the old rule")
	}
}
