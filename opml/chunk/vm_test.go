package chunk

import (
	"os"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
)

// TestOPML_CHUNK_BOUND_VM: the estimate the rewrite keeps every node under
// bounds what the nodes it makes take in the VM: every node of the MLP
// and the CNN split under 2^24 steps (pieces of FullyConnected and Conv2D,
// and the Concat nodes that join them: 12 and 30 nodes) runs in the node
// program of each profile on MNIST test image 0, from the program's
// initial state, to exit 0 with the native output commitment as its claim,
// in at most its nodevm.EstimateSteps steps, and so within the bound.
// Skipped with -short (it builds both node programs and runs about 42
// nodes per profile).
func TestOPML_CHUNK_BOUND_VM(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the node programs and runs every node in fpvm")
	}
	dir := t.TempDir()
	images, _, err := mnist.TestSet(modelsDir, 1)
	if err != nil {
		t.Fatal(err)
	}
	input := mnist.Input(images[0])
	const max = 1 << 24
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		prog, err := nodevm.Build("../..", nodevm.Program(p), dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"mlp.opml", "cnn.opml"} {
			m, err := Split(bundled(t, name), max)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.Nodes {
				steps := runNode(t, &m, input, k, prog, p)
				est := nodevm.EstimateSteps(m, k)
				if steps > est || est > max {
					t.Errorf("%s profile %d node %d (%s): %d steps, estimate %d, bound %d", name, p, k, m.Nodes[k].Op, steps, est, max)
				}
				t.Logf("%s profile %d node %2d %-14s %9d steps, estimate %9d", name, p, k, m.Nodes[k].Op, steps, est)
			}
		}
	}
	_ = os.RemoveAll(dir)
}

// runNode runs node k of m on input in the node program prog under
// profile p with the native commitment as claim and returns its steps;
// the run must end with the verdict "claim right".
func runNode(t *testing.T, m *opml.Model, input []byte, k int, prog spec.State, p spec.Profile) uint64 {
	t.Helper()
	job, err := nodevm.NewJob(m, input, k)
	if err != nil {
		t.Fatal(err)
	}
	mc := job.Machine(prog, p)
	runErr := mc.Run(job.Data(job.Native), nodevm.MaxSteps)
	if v := nodevm.VerdictOf(mc, runErr); v != nodevm.ClaimRight {
		t.Fatalf("node %d: verdict %d (%v), exit %d", k, v, runErr, mc.State.ExitCode)
	}
	return mc.Steps
}
