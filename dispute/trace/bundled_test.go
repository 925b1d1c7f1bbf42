package trace_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
)

// TestDISPUTE_VMDEPTH_Bundled: the real node programs' traces, to exit, on
// the test images of both blocks, for every node, stay within the bundled
// models' registered step bounds: the MLP under both profiles and the CNN
// under OPcity (the CNN's base-profile traces, 119M steps per image, are
// left out; its bound holds 1.82 times MeasuredSteps' longest node).
func TestDISPUTE_VMDEPTH_Bundled(t *testing.T) {
	type run struct {
		name  string
		world *trace.World
		model string
		p     spec.Profile
	}
	runs := []run{
		{"mlp base", disputetest.RealWorld(t, 27), "mlp.opml", spec.ProfileBase},
		{"mlp opcity", disputetest.OPcityWorld(t, "mlp.opml", 23), "mlp.opml", spec.ProfileOPcity},
		{"cnn opcity", disputetest.OPcityWorld(t, "cnn.opml", 25), "cnn.opml", spec.ProfileOPcity},
	}
	for _, r := range runs {
		bound := r.world.Cfg.Models[r.world.Jobs[0].Model].StepBound[r.p]
		var longest uint64
		for b := range r.world.Blocks {
			g, err := r.world.Truth.Graph(b)
			if err != nil {
				t.Fatal(err)
			}
			for k := range r.world.Nodes {
				vt, err := r.world.Truth.VM(b, k, g.Commitments[uint64(g.Model.Model.FirstNodeTensor())+k])
				if err != nil {
					t.Fatal(err)
				}
				longest = max(longest, vt.Steps())
				if vt.Steps() > bound {
					t.Errorf("%s block %d node %d: %d steps, registered bound %d", r.name, b, k, vt.Steps(), bound)
				}
			}
		}
		t.Logf("%s: longest node trace %d steps, bound %d (%.2fx)", r.name, longest, bound, float64(bound)/float64(longest))
	}
}
