package trace_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// TestDISPUTE_PROFILE_Steps: OPcitySteps are the tensor node program's
// trace lengths in the game's NodeVM under the OPcity profile (block 0 =
// test image 0, the right claim) for every node of the three bundled models.
func TestDISPUTE_PROFILE_Steps(t *testing.T) {
	for _, name := range []string{"mlp.opml", "cnn.opml", "vit.opml"} {
		w := disputetest.OPcityWorld(t, name, 27)
		g, err := w.Truth.Graph(0)
		if err != nil {
			t.Fatal(err)
		}
		for k := range w.Nodes {
			vt, err := w.Truth.VM(0, k, g.Commitments[uint64(g.Model.Model.FirstNodeTensor())+k])
			if err != nil {
				t.Fatal(err)
			}
			if vt.Steps() != trace.OPcitySteps[name][k] {
				t.Fatalf("%s node %d: %d steps, OPcitySteps %d", name, k, vt.Steps(), trace.OPcitySteps[name][k])
			}
		}
	}
}
