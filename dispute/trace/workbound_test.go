package trace_test

import (
	"errors"
	"testing"

	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// TestOPML_NODE_WORK_BOUND_Registry: a model that a game would run in
// phase 3 is registered only when every node's estimated VM steps are
// within nodevm.MaxSteps: the bundled models are (LoadMNIST), and a model
// with a MaxPool2D of 64×64 windows at stride 1 over a padded image
// (about 6.8·10^9 steps) is refused with the *nodevm.StepBoundError of
// that node.
func TestOPML_NODE_WORK_BOUND_Registry(t *testing.T) {
	set, err := trace.LoadMNIST("../../models/mnist", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		if set.Model(name) == nil {
			t.Errorf("%s not registered", name)
		}
	}
	var b opml.Builder
	x := b.Input(opml.Int8, []int{1, 28, 28, 1}, opml.Quant{})
	m, err := b.Build(b.MaxPool2D(x, opml.Window{KH: 64, KW: 64, StrideH: 1, StrideW: 1, PadTop: 63, PadLeft: 63, PadBottom: 63, PadRight: 63}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = trace.RegisterBundled("pool.opml", m)
	var sb *nodevm.StepBoundError
	if !errors.As(err, &sb) || sb.Node != 0 || sb.Estimate <= nodevm.MaxSteps {
		t.Fatalf("%v, want node 0 refused", err)
	}
	t.Logf("%v", err)
}
