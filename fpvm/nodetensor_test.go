package fpvm_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// TestFPVM_PROFILE_NODETENSOR is the end-to-end check of FPVM-PROFILE: the
// node program on the tensor syscalls (opml/nodevm/nodetensor), run for
// every node of models/mnist/mlp.opml on MNIST test image 0 with the right
// claim, ends in the same state hash and step count, exit code 0, in fpvm
// under ProfileOPcity as in spec.AdvanceIn(ProfileOPcity, ...).
func TestFPVM_PROFILE_NODETENSOR(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the node program in the spec; run without -short")
	}
	prog, err := nodevm.Build("..", "./opml/nodevm/nodetensor", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join("..", "models", "mnist", "mlp.opml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := opml.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	px, _, err := mnist.TestSet(filepath.Join("..", "models", "mnist"), 1)
	if err != nil {
		t.Fatal(err)
	}
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		t.Fatal(err)
	}
	in := mnist.Input(px[0])
	tensors, err := e.Tensors(in)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.Trace(in)
	if err != nil {
		t.Fatal(err)
	}
	var total uint64
	for k := range m.Nodes {
		desc, ops, err := opml.NodeDescriptorOf(m, k, tensors)
		if err != nil {
			t.Fatal(err)
		}
		d := spec.Data{
			Preimages: nodevm.WithClaim(nodevm.NodeData(desc, ops), tr.States[k].Output),
			Tensors:   spec.NewTensors(ops...),
		}
		s, steps := prog.Transient(&memory.Edit{}), uint64(0)
		for !s.Exited {
			if s, err = spec.AdvanceIn(spec.ProfileOPcity, s, d, nil); err != nil {
				t.Fatalf("node %d: spec step %d: %v", k, steps+1, err)
			}
			steps++
		}
		want := s.Persistent()
		vm, err := fpvm.FromStateIn(spec.ProfileOPcity, prog)
		if err != nil {
			t.Fatal(err)
		}
		n, err := vm.Run(d, 1<<32)
		if err != nil || n != steps || vm.Hash() != want.Hash() || vm.ExitCode != 0 || want.ExitCode != 0 {
			t.Fatalf("node %d: fpvm %s after %d steps (exit %d, %v); spec %s after %d (exit %d)", k, vm.Hash(), n, vm.ExitCode, err, want.Hash(), steps, want.ExitCode)
		}
		total += steps
		t.Logf("node %d %-8s %9d steps, final state %s in both", k, m.Nodes[k].Op, steps, want.Hash())
		runtime.GC()
	}
	t.Logf("%d nodes, %d steps in all: equal final state hash and step count in fpvm and the spec", len(m.Nodes), total)
}

// TestFPVM_PROFILE_COPY: tensor_map of a 16 MiB tensor under
// ProfileOPcity copies its bytes once, straight into the region's pages:
// the step and the next memory root allocate less than 1.5 times the
// tensor (the pages themselves, with their headers, are the one copy).
func TestFPVM_PROFILE_COPY(t *testing.T) {
	const k = 24
	data := make([]byte, 1<<k)
	for i := range data {
		data[i] = byte(i*131+7) | 1
	}
	store := spec.NewTensors(data)
	root := store.Add(data)
	s := state.NewInitial(profCode, transition.HeapStart+2<<k)
	s.Memory = memory.Memory{}.SetBytes(profCode, []byte{0, 0, 0, 0x0C}).SetBytes(transition.HeapStart, root[:])
	s = withRegs(s, func(c *state.CPU) {
		c.Regs[2], c.Regs[4], c.Regs[5], c.Regs[6] = transition.SysTensorMap, transition.HeapStart+1<<k, k, transition.HeapStart
	})
	vm, err := fpvm.FromStateIn(spec.ProfileOPcity, s)
	if err != nil {
		t.Fatal(err)
	}
	vm.MemoryRoot()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if err := vm.Step(spec.Data{Tensors: store}); err != nil {
		t.Fatal(err)
	}
	vm.MemoryRoot()
	runtime.ReadMemStats(&after)
	alloc := after.TotalAlloc - before.TotalAlloc
	t.Logf("mapping a %d-byte tensor allocated %d bytes (%.3f× the tensor) in %d allocations", len(data), alloc, float64(alloc)/float64(len(data)), after.Mallocs-before.Mallocs)
	if alloc >= 3<<k/2 {
		t.Fatalf("FPVM-PROFILE: mapping a %d-byte tensor allocated %d bytes, more than one copy", len(data), alloc)
	}
	if got := vm.ReadMemory(transition.HeapStart+1<<k, 1<<k); string(got) != string(data) {
		t.Fatal("the region does not hold the tensor")
	}
}
