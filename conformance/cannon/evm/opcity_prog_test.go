package evm

import (
	"flag"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

var perNode = flag.Int("evm.node-witnesses", 170, "step witnesses sampled uniformly from each node's run of the tensor node program")

// nextIsTensorSyscall reports whether the VM's next step executes
// tensor_map or tensor_root, and nextIsOracleSyscall whether it reads or
// writes the preimage oracle.
func nextSyscall(vm *fpvm.VM) (num, a0 uint64, ok bool) {
	t, ok := vm.Current()
	if !ok || vm.Exited || vm.StepsSinceLastContextSwitch >= transition.SchedQuantum || t.CPU.PC&3 != 0 {
		return 0, 0, false
	}
	w := vm.ReadMemory(t.CPU.PC, 4)
	if len(w) != 4 || w[0] != 0 || w[1] != 0 || w[2] != 0 || w[3] != 0x0C {
		return 0, 0, false
	}
	return t.CPU.Regs[2], t.CPU.Regs[4], true
}

// TestEVM_OPCITY_PROG samples step witnesses from the tensor node program's
// runs (docs/opml.md §7.5) under the OPcity profile: every node of both
// bundled models on MNIST test image 0, each run from the committed
// absolute prestate to its exit with the right claim. From each run it
// takes every tensor_map and tensor_root step, every preimage-oracle
// syscall and -evm.node-witnesses steps drawn uniformly. fpvm runs the
// program and writes each witness (FPVM-PROFILE-WITNESS); spec.VerifyStepIn
// under the OPcity profile must give the stateful post-state, and so must
// MIPS64OPcity, with the tensor a tensor_map reads uploaded to
// TensorOracle first.
func TestEVM_OPCITY_PROG(t *testing.T) {
	prog, err := nodevm.Build(repoRoot, nodevm.TensorNodeProgram, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pre := &nodevm.Machine{State: prog, Profile: spec.ProfileOPcity}
	if err := pre.RunToOracle(1 << 32); err != nil {
		t.Fatal(err)
	}
	pixels, _, err := mnist.Load(filepath.Join(repoRoot, "models", "mnist"), "0")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	var witnesses, maps, roots, oracle, steps int
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		raw, err := os.ReadFile(filepath.Join(repoRoot, "models", "mnist", name))
		if err != nil {
			t.Fatal(err)
		}
		m, err := opml.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		for k := range m.Nodes {
			job, err := nodevm.NewJob(&m, mnist.Input(pixels), k)
			if err != nil {
				t.Fatal(err)
			}
			d := spec.Data{Preimages: job.Data(job.Native), Tensors: spec.NewTensors(job.Operands...)}
			n := nodeRunLength(t, pre.State, d)
			rng := rand.New(rand.NewPCG(uint64(len(name)), uint64(k)))
			sample := sampleSteps(rng, n, *perNode)
			vm, err := fpvm.FromStateIn(spec.ProfileOPcity, pre.State)
			if err != nil {
				t.Fatal(err)
			}
			for at := uint64(0); !vm.Exited; at++ {
				num, a0, sys := nextSyscall(vm)
				isTensor := sys && (num == transition.SysTensorMap || num == transition.SysTensorRoot)
				isOracle := sys && (num == transition.SysRead && a0 == transition.FdPreimageRead || num == transition.SysWrite && a0 == transition.FdPreimageWrite)
				if !sample[at] && !isTensor && !isOracle {
					if err := vm.Step(d); err != nil {
						t.Fatalf("%s node %d step %d: %v", name, k, at, err)
					}
					continue
				}
				w, err := vm.StepWitness(d)
				if err != nil {
					t.Fatalf("%s node %d step %d: %v", name, k, at, err)
				}
				if msg := checkOPcityWitness(h, w, vm.Hash()); msg != "" {
					t.Fatalf("%s node %d, step %d of the run (%s): %s", name, k, at, ClassOf(w.State[:], w.Proof), msg)
				}
				witnesses++
				switch {
				case isTensor && num == transition.SysTensorMap:
					maps++
				case isTensor:
					roots++
				case isOracle:
					oracle++
				}
			}
			if vm.ExitCode != 0 {
				t.Fatalf("%s node %d: exit %d with the right claim", name, k, vm.ExitCode)
			}
			steps += int(n)
		}
	}
	if witnesses < 2000 {
		t.Errorf("%d witnesses compared, want at least 2,000", witnesses)
	}
	t.Logf("tensor node program: 12 node runs, %d steps, %d witnesses compared (%d tensor_map, %d tensor_root, %d preimage-oracle syscalls), differences: 0", steps, witnesses, maps, roots, oracle)
}

// nodeRunLength returns the steps of the run from s with d to its exit.
func nodeRunLength(t *testing.T, s state.State, d spec.Data) uint64 {
	t.Helper()
	vm, err := fpvm.FromStateIn(spec.ProfileOPcity, s)
	if err != nil {
		t.Fatal(err)
	}
	n, err := vm.Run(d, 1<<32)
	if err != nil || !vm.Exited {
		t.Fatalf("run: %v after %d steps", err, n)
	}
	return n
}
