package chunk

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/internal/mipsbuild"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

const modelsDir = "../../models/mnist"

// bundled decodes models/mnist/name.
func bundled(t *testing.T, name string) opml.Model {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(modelsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := opml.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOPML_CHUNK_BOUND_Bundled: the bundled models are within 2^32 and
// Split returns them unchanged; under the bounds 2^25, 2^24 and (MLP only)
// 6,000,000 steps their FullyConnected and Conv2D nodes over the bound are
// split, every node of the result is within the bound, and on the first 20
// MNIST test images every tensor the rewrite keeps, the predictions
// included, holds the same bytes (CheckSplit). Under 6,000,000 the CNN is
// refused at node 0, its Conv2D: the Concat that would join the 10,816
// bytes of its output is itself about 15 million steps (as is the ReLU
// after it, which the rewrite does not split).
func TestOPML_CHUNK_BOUND_Bundled(t *testing.T) {
	images, _, err := mnist.TestSet(modelsDir, 20)
	if err != nil {
		t.Fatal(err)
	}
	bounds := map[string][]uint64{"mlp.opml": {1 << 25, 1 << 24, 6_000_000}, "cnn.opml": {1 << 25, 1 << 24}}
	for name, list := range bounds {
		m := bundled(t, name)
		if out, err := Split(m, nodevm.MaxSteps); err != nil || !bytes.Equal(opml.Encode(out), opml.Encode(m)) {
			t.Errorf("%s at 2^32: %v, or changed", name, err)
		}
		for _, max := range list {
			out, err := Split(m, max)
			if err != nil {
				t.Fatalf("%s at %d: %v", name, max, err)
			}
			for _, px := range images {
				if err := CheckSplit(m, max, mnist.Input(px)); err != nil {
					t.Fatalf("%s at %d: %v", name, max, err)
				}
			}
			t.Logf("%s at %d: %d nodes (was %d), %d constants (was %d), %d bytes (was %d)",
				name, max, len(out.Nodes), len(m.Nodes), out.Consts, m.Consts, len(opml.Encode(out)), len(opml.Encode(m)))
		}
	}
	_, err = Split(bundled(t, "cnn.opml"), 6_000_000)
	var e *Error
	var sb *nodevm.StepBoundError
	if !errors.As(err, &e) || e.Node != 0 || e.Op != opml.OpConv2D || !errors.As(err, &sb) || sb.Op != opml.OpConcat || sb.Node != -1 {
		t.Fatalf("cnn at 6,000,000: %v, want node 0 (Conv2D) refused for its Concat", err)
	}
	t.Logf("cnn at 6,000,000: %v", err)
}

// TestOPML_CHUNK_BOUND_Large: at the game's bound, 2^32 steps, three nodes
// far over it — a FullyConnected 4096→4096 (about 1.2·10^10 estimated
// steps), a batched MatMul [4,256,256]·[4,256,256]ᵀ of two activations
// (about 1.3·10^10) and a 3×3 Conv2D 16→32 channels over 112×112 (about
// 1.2·10^10) — are split into pieces that are all within it, and compute
// the same bytes on random inputs. A FullyConnected of one output over
// 2^23 inputs cannot be split along its output axes (every piece reads
// the whole 8 MiB input and weight row); it is split along its inner
// dimension into a chain of MatMulAcc pieces and one Requantize, and
// computes the same bytes.
func TestOPML_CHUNK_BOUND_Large(t *testing.T) {
	r := rand.New(rand.NewPCG(18, 3))
	for _, c := range []struct {
		name  string
		build func(b *opml.Builder) int
	}{
		{"FullyConnected 4096→4096", func(b *opml.Builder) int {
			w := b.Int8Const([]int{4096, 4096}, opml.Quant{Zero: 3}, randInt8s(r, 4096*4096))
			bias := b.Int32Const([]int{4096}, opml.Fixed{}, randInt32s(r, 4096))
			x := b.Input(opml.Int8, []int{1, 4096}, opml.Quant{Zero: -5})
			return b.FC(x, w, bias, opml.Fixed{Mult: 1 << 30, Shift: 12}, opml.Quant{Zero: 1})
		}},
		{"MatMul [4,256,256]·[4,256,256]ᵀ", func(b *opml.Builder) int {
			rt := b.Int32Const([]int{256, 3}, opml.Fixed{}, channelTable(r, 256))
			a := b.Input(opml.Int8, []int{4, 256, 256}, opml.Quant{Zero: 7})
			bm := b.Input(opml.Int8, []int{4, 256, 256}, opml.Quant{Zero: -128})
			return b.MatMul(a, bm, rt, true, opml.Quant{Zero: -2})
		}},
		{"Conv2D 3×3 16→32 over 112×112", func(b *opml.Builder) int {
			f := b.Int8Const([]int{32, 3, 3, 16}, opml.Quant{Zero: 0}, randInt8s(r, 32*9*16))
			bias := b.Int32Const([]int{32}, opml.Fixed{}, randInt32s(r, 32))
			x := b.Input(opml.Int8, []int{1, 112, 112, 16}, opml.Quant{Zero: -128})
			return b.Conv2D(x, f, bias, 1, 1, [4]int{1, 1, 1, 1}, opml.Fixed{Mult: 1 << 30, Shift: 10}, opml.Quant{Zero: 0})
		}},
	} {
		var b opml.Builder
		y := c.build(&b)
		m, err := b.Build(y)
		if err != nil {
			t.Fatal(err)
		}
		est := nodevm.EstimateSteps(m, 0)
		out, err := Split(m, nodevm.MaxSteps)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var inputs [][]byte
		for _, id := range m.Tensors[m.Consts:m.FirstNodeTensor()] {
			inputs = append(inputs, opml.Int8Bytes(randInt8s(r, id.Elements())))
		}
		if err := CheckSplit(m, nodevm.MaxSteps, inputs...); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var worst uint64
		for k := range out.Nodes {
			worst = max(worst, nodevm.EstimateSteps(out, k))
		}
		t.Logf("%s: estimate %d, split into %d nodes, the largest estimate now %d", c.name, est, len(out.Nodes), worst)
	}
	var b opml.Builder
	bias := b.Int32Const([]int{1}, opml.Fixed{}, []int32{0})
	x := b.Input(opml.Int8, []int{1, 1 << 23}, opml.Quant{})
	w := b.Input(opml.Int8, []int{1, 1 << 23}, opml.Quant{})
	m, err := b.Build(b.FC(x, w, bias, opml.Fixed{Mult: 1 << 30}, opml.Quant{}))
	if err != nil {
		t.Fatal(err)
	}
	out, err := Split(m, nodevm.MaxSteps)
	if err != nil {
		t.Fatalf("FullyConnected over 2^23 inputs: %v", err)
	}
	ops := map[opml.Op]int{}
	for _, n := range out.Nodes {
		ops[n.Op]++
	}
	if ops[opml.OpMatMulAcc] < 2 || ops[opml.OpRequantize] != 1 || ops[opml.OpFullyConnected] != 0 {
		t.Fatalf("FullyConnected over 2^23 inputs: nodes %v, want a chain of MatMulAcc and one Requantize", ops)
	}
	r2 := rand.New(rand.NewPCG(23, 23))
	if err := CheckSplit(m, nodevm.MaxSteps, opml.Int8Bytes(randInt8s(r2, 1<<23)), opml.Int8Bytes(randInt8s(r2, 1<<23))); err != nil {
		t.Fatalf("FullyConnected over 2^23 inputs: %v", err)
	}
	t.Logf("FullyConnected over 2^23 inputs (only its inner dimension can be cut): %d nodes %v", len(out.Nodes), ops)
}

// TestOPML_CHUNK_PURE: no VM program links opml/chunk (go list -deps of
// the node programs and the whole-inference program, built as
// internal/mipsbuild builds them), and Split is a function of its
// arguments: it leaves its input as it was (CheckSplit checks that) and
// gives the same bytes twice.
func TestOPML_CHUNK_PURE(t *testing.T) {
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(gobin, "list", "-deps", "-f", "{{.ImportPath}}", "../nodevm/node", "../nodevm/nodetensor", "../nodevm/infer")
	cmd.Env = mipsbuild.Env()
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 10 {
		t.Fatalf("go list printed %q", out)
	}
	for _, d := range deps {
		if d == "github.com/opcity-spec/opcity/opml/chunk" {
			t.Errorf("a VM program links %s", d)
		}
	}
	m := bundled(t, "cnn.opml")
	a, err1 := Split(m, 1<<24)
	b, err2 := Split(m, 1<<24)
	if err1 != nil || err2 != nil || !bytes.Equal(opml.Encode(a), opml.Encode(b)) {
		t.Errorf("two splits: %v, %v, or different bytes", err1, err2)
	}
}

func randInt8s(r *rand.Rand, n int) []int8 {
	v := make([]int8, n)
	for i := range v {
		v[i] = int8(r.IntN(256) - 128)
	}
	return v
}

func randInt32s(r *rand.Rand, n int) []int32 {
	v := make([]int32, n)
	for i := range v {
		v[i] = int32(r.Uint32())
	}
	return v
}

// channelTable returns a MatMul table of m rows: a random bias, a random
// multiplier and a shift in [0, 15].
func channelTable(r *rand.Rand, m int) []int32 {
	v := make([]int32, 0, 3*m)
	for range m {
		v = append(v, int32(r.IntN(1<<20)-1<<19), int32(r.IntN(1<<31)), int32(r.IntN(16)))
	}
	return v
}
