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
// A FullyConnected of one output over 2,048 inputs, which only its inner
// dimension can bring under 2^22 steps, is split into Slices, a chain of
// MatMulAcc pieces and a Requantize, and each of those runs the same way
// within its estimate, the chain's int32 sums included. Skipped with
// -short (it builds both node programs and runs about 47 nodes per
// profile).
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
		long, longInput := innerOnly(t)
		for _, c := range []struct {
			name  string
			m     opml.Model
			input []byte
			max   uint64
		}{{"mlp.opml", bundled(t, "mlp.opml"), input, max}, {"cnn.opml", bundled(t, "cnn.opml"), input, max}, {"FullyConnected 2048→1", long, longInput, 1 << 22}} {
			m, err := Split(c.m, c.max)
			if err != nil {
				t.Fatal(err)
			}
			for k := range m.Nodes {
				steps := runNode(t, &m, c.input, k, prog, p)
				est := nodevm.EstimateSteps(m, k)
				if steps > est || est > c.max {
					t.Errorf("%s profile %d node %d (%s): %d steps, estimate %d, bound %d", c.name, p, k, m.Nodes[k].Op, steps, est, c.max)
				}
				t.Logf("%s profile %d node %2d %-14s %9d steps, estimate %9d", c.name, p, k, m.Nodes[k].Op, steps, est)
			}
		}
	}
	_ = os.RemoveAll(dir)
}

// innerOnly returns a FullyConnected of one output over 2,048 inputs (a
// constant weight row, the input x data-borne) and an edge-value input:
// its estimate is over 2^22 and its pieces along the output axes are the
// node itself, so Split must cut its inner dimension.
func innerOnly(t *testing.T) (opml.Model, []byte) {
	t.Helper()
	const k = 2048
	w, x := make([]int8, k), make([]int8, k)
	for i := range w {
		w[i], x[i] = []int8{-128, 127, -1, 0, 1}[i%5], []int8{127, -128, 3}[i%3]
	}
	var b opml.Builder
	wid := b.Int8Const([]int{1, k}, opml.Quant{Zero: -3}, w)
	bias := b.Int32Const([]int{1}, opml.Fixed{}, []int32{1 << 30})
	xid := b.Input(opml.Int8, []int{1, k}, opml.Quant{Zero: 5})
	m, err := b.Build(b.FC(xid, wid, bias, opml.Fixed{Mult: 1 << 30, Shift: 4}, opml.Quant{Zero: -7}))
	if err != nil {
		t.Fatal(err)
	}
	return m, opml.Int8Bytes(x)
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
