package nodevm

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

var (
	images = flag.Int("opml.images", 2, "MNIST test images per model in the node differential (the full check: 200)")
	onSpec = flag.Bool("opml.spec", false, "run the VM programs in the spec instead of fpvm")
	flips  = flag.Int("opml.flips", 8, "single-bit flips of the claim per node and image after the first image (the first gets all 256)")
)

const (
	root      = "../.."
	modelsDir = "../../models/mnist"
	stepLimit = 1 << 32
)

// programs are the two VM programs' initial states, built once.
var programs = map[string]state.State{}

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "opcity-nodevm")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, pkg := range []string{NodeProgram, InferProgram, TensorNodeProgram} {
		if programs[pkg], err = Build(root, pkg, dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func loadModel(t *testing.T, name string) (opml.Model, []byte) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(modelsDir, name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := opml.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m, raw
}

// TestOPML_NODE_DIFF_SpecEqualsFast: the node program's run of every
// MLP node on test image 0 ends in the same state (hash), step count and
// stdout in the spec and in fpvm, both at the claim and after it; the other
// tests run fpvm, which FPVM-LOCKSTEP holds to the spec in general.
func TestOPML_NODE_DIFF_SpecEqualsFast(t *testing.T) {
	px, _, err := mnist.TestSet(modelsDir, 1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := loadModel(t, "mlp.opml")
	e, _ := opml.NewExecutor(m, 1)
	tensors, err := e.Tensors(mnist.Input(px[0]))
	if err != nil {
		t.Fatal(err)
	}
	for k := range m.Nodes {
		d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
		if err != nil {
			t.Fatal(err)
		}
		o := NodeData(d, ops)
		var runs [2]*Machine
		for i, useSpec := range []bool{true, false} {
			mc := &Machine{State: programs[NodeProgram], Spec: useSpec}
			if err := mc.Run(o, stepLimit); !MissingKey(err) {
				t.Fatalf("node %d (spec %v): %v", k, useSpec, err)
			}
			if err := mc.Run(WithClaim(o, memory.Hash{}), stepLimit); err != nil {
				t.Fatalf("node %d (spec %v): %v", k, useSpec, err)
			}
			runs[i] = mc
		}
		if runs[0].State.Hash() != runs[1].State.Hash() || runs[0].Steps != runs[1].Steps || !bytes.Equal(runs[0].Stdout, runs[1].Stdout) {
			t.Fatalf("node %d: spec %s after %d steps, fpvm %s after %d", k, runs[0].State.Hash(), runs[0].Steps, runs[1].State.Hash(), runs[1].Steps)
		}
		t.Logf("node %d: %d steps, final state %s in both", k, runs[0].Steps, runs[0].State.Hash())
	}
}

// TestOPML_NODE_DIFF: for every node of both bundled models over the first
// -opml.images test images, the node program in the VM computes the same
// output commitment as the native executor and accepts it as a claim (exit
// 0), and rejects the claim with any single bit flipped (exit 1): all 256
// bits on the first image, -opml.flips random ones on the others. The run
// pauses when the program asks for the claim (the spec reports the missing
// local key and leaves the state unchanged), so every claim continues from
// the same state.
func TestOPML_NODE_DIFF(t *testing.T) {
	px, _, err := mnist.TestSet(modelsDir, *images)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		t.Run(name, func(t *testing.T) {
			m, _ := loadModel(t, name)
			e, err := opml.NewExecutor(m, 2)
			if err != nil {
				t.Fatal(err)
			}
			var compared, rejected int
			steps := make([]uint64, len(m.Nodes))
			for i, p := range px {
				in := mnist.Input(p)
				tensors, err := e.Tensors(in)
				if err != nil {
					t.Fatal(err)
				}
				tr, err := e.Trace(in)
				if err != nil {
					t.Fatal(err)
				}
				for k := range m.Nodes {
					paused, err := runToClaim(m, k, tensors)
					if err != nil {
						t.Fatalf("image %d node %d: %v", i, k, err)
					}
					steps[k] += paused.Steps
					want := tr.States[k].Output
					if got, ok := paused.Output(); !ok || got != want {
						t.Fatalf("image %d node %d (%s): VM output %s (printed: %v), native %s", i, k, m.Nodes[k].Op, got, ok, want)
					}
					compared++
					if code := finish(t, paused, want); code != 0 {
						t.Fatalf("image %d node %d: the right claim exits %d", i, k, code)
					}
					for _, bit := range flipBits(i, k) {
						bad := want
						bad[bit/8] ^= 1 << (bit % 8)
						if code := finish(t, paused, bad); code != 1 {
							t.Fatalf("image %d node %d: claim with bit %d flipped exits %d, want 1", i, k, bit, code)
						}
						rejected++
					}
				}
			}
			for k, s := range steps {
				t.Logf("node %d %-14s %12d VM steps per image (mean of %d)", k, m.Nodes[k].Op, s/uint64(len(px)), len(px))
			}
			t.Logf("%s: %d images, %d node commitments equal native vs VM, %d tampered claims rejected", name, len(px), compared, rejected)
		})
	}
}

// runToClaim runs the node program on node k until it asks for the claim.
func runToClaim(m opml.Model, k int, tensors [][]byte) (*Machine, error) {
	d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
	if err != nil {
		return nil, err
	}
	mc := &Machine{State: programs[NodeProgram], Spec: *onSpec}
	err = mc.Run(NodeData(d, ops), stepLimit)
	if !MissingKey(err) {
		return nil, fmt.Errorf("the program did not stop at the claim: %v (exited %v, code %d, stdout %q)", err, mc.State.Exited, mc.State.ExitCode, mc.Stdout)
	}
	return mc, nil
}

// finish continues a copy of the paused machine with the claim and returns
// the exit code. The tail (compare, print, exit: a few thousand steps) runs
// in the spec, whose persistent states make the copy free.
func finish(t *testing.T, paused *Machine, claim memory.Hash) uint8 {
	t.Helper()
	mc := *paused
	mc.Spec = true
	if err := mc.Run(WithClaim(nil, claim), stepLimit); err != nil {
		t.Fatalf("finishing with claim %s: %v", claim, err)
	}
	return mc.State.ExitCode
}

// flipBits is every bit of the claim for the first image, and *flips
// random ones (seeded by image and node) for the others.
func flipBits(image, node int) []int {
	if image == 0 {
		all := make([]int, 256)
		for i := range all {
			all[i] = i
		}
		return all
	}
	r := rand.New(rand.NewPCG(uint64(image), uint64(node)))
	out := make([]int, *flips)
	for i := range out {
		out[i] = r.IntN(256)
	}
	return out
}

// TestOPML_VM_INFER: the whole-inference program predicts what the native
// executor predicts, and a whole MLP inference takes at most 2^24 VM steps.
func TestOPML_VM_INFER(t *testing.T) {
	px, _, err := mnist.TestSet(modelsDir, 2)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		limit uint64
	}{{"mlp.opml", 1 << 24}, {"cnn.opml", stepLimit}} {
		m, raw := loadModel(t, c.name)
		for i, p := range px[:1+btoi(c.name == "mlp.opml")] {
			in := mnist.Input(p)
			out, _, err := opml.Run(m, in)
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("output %x\nprediction %d\n", out[0].Data, out[1].Int32s()[0])
			mc := &Machine{State: programs[InferProgram], Spec: *onSpec}
			if err := mc.Run(InferData(raw, in), c.limit); err != nil {
				t.Fatalf("%s image %d: %v after %d steps", c.name, i, err, mc.Steps)
			}
			if mc.State.ExitCode != 0 || string(mc.Stdout) != want {
				t.Fatalf("%s image %d: exit %d, stdout %q, want %q", c.name, i, mc.State.ExitCode, mc.Stdout, want)
			}
			t.Logf("%s image %d: %d VM steps (limit %d)", c.name, i, mc.Steps, c.limit)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestOPML_NODE_PROGRAM_BadInput: the node program exits 3 when the
// descriptor is malformed or an operand's bytes do not match its
// commitment, and reads nothing after (the claim is never asked for).
func TestOPML_NODE_PROGRAM_BadInput(t *testing.T) {
	m, _ := loadModel(t, "mlp.opml")
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		t.Fatal(err)
	}
	tensors, err := e.Tensors(make([]byte, 784))
	if err != nil {
		t.Fatal(err)
	}
	k := len(m.Nodes) - 1 // ArgMax: the smallest node
	d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
	if err != nil {
		t.Fatal(err)
	}
	changed := NodeData(d, ops)
	tampered := bytes.Clone(ops[0])
	tampered[0] ^= 1
	changed[guest.KeccakKey(d.Operands[0].Keccak)] = tampered // what an oracle that lies would serve
	malformed := NodeData(d, ops)
	raw := d.Encode()
	raw[0] = 'X'
	h := memory.Keccak256(raw)
	malformed[guest.LocalKey(guest.LocalDescriptor)] = h[:]
	malformed[guest.KeccakKey(h)] = raw
	for name, o := range map[string]spec.PreimageMap{"operand not matching its commitment": changed, "malformed descriptor": malformed} {
		mc := &Machine{State: programs[NodeProgram], Spec: *onSpec}
		if err := mc.Run(o, stepLimit); err != nil || mc.State.ExitCode != guest.ExitBadInput {
			t.Errorf("%s: %v, exit %d, want %d", name, err, mc.State.ExitCode, guest.ExitBadInput)
		}
	}
}
