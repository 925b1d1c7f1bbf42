package fpvm_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/vectors"
)

var (
	everyStep  = flag.Uint64("fpvm.every-step", 1_000_000, "compare state hashes at every step up to this step")
	checkpoint = flag.Uint64("fpvm.checkpoint", 100_000, "then compare every this many steps")
)

// readPreimages reads a preimage file as opcity run --preimages does
// (format.ParseOracle).
func readPreimages(t testing.TB, path string) spec.PreimageMap {
	if path == "" {
		return spec.PreimageMap{}
	}
	raw, err := os.ReadFile(filepath.Join("..", path))
	if err != nil {
		t.Fatal(err)
	}
	o, err := format.ParseOracle(raw)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

var buildMu sync.Mutex

// loadExample builds examples/name for mips64 and returns its initial state.
func loadExample(t testing.TB, name string) state.State {
	buildMu.Lock()
	data, err := vectors.BuildExample("..", name, t.TempDir())
	buildMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFPVM_LOCKSTEP runs every example program in the spec and in fpvm side
// by side: the state hash and memory root at every step up to
// -fpvm.every-step, then every -fpvm.checkpoint steps (fpvm's Run against
// spec.Run) and at exit. With -short only the programs under a million
// steps run.
func TestFPVM_LOCKSTEP(t *testing.T) {
	long := map[string]bool{"bench": true, "alloc": true, "sortmap": true, "floats": true}
	for _, ex := range vectors.Examples {
		t.Run(ex.Name, func(t *testing.T) {
			if testing.Short() && long[ex.Name] {
				t.Skip("long program; run without -short")
			}
			t.Parallel()
			steps, checkpoints := lockstep(t, loadExample(t, ex.Name), spec.Data{Preimages: readPreimages(t, ex.Preimages)})
			t.Logf("%s: %d steps, %d state-hash and memory-root checkpoints compared, 0 mismatches", ex.Name, steps, checkpoints)
		})
	}
}

// lockstep runs s to exit in both executors and returns the steps and
// checkpoints compared.
func lockstep(t *testing.T, s state.State, d spec.Data) (uint64, uint64) {
	vm, err := fpvm.FromState(s)
	if err != nil {
		t.Fatal(err)
	}
	var checkpoints, witnesses uint64
	defer func() { t.Logf("%d witnesses of the running fpvm verified in spec.VerifyStep", witnesses) }()
	compare := func() {
		checkpoints++
		if got, want := vm.MemoryRoot(), s.Memory.Root(); got != want {
			t.Fatalf("step %d: memory root fpvm %s, spec %s", s.Step, got, want)
		}
		if got, want := vm.Hash(), s.Hash(); got != want {
			t.Fatalf("step %d: state hash fpvm %s, spec %s\n%s", s.Step, got, want, firstDiff(vm.State(), s))
		}
	}
	compare()
	s = s.Transient(&memory.Edit{})
	for !s.Exited && s.Step < *everyStep {
		if s.Step%witnessStride == 0 {
			s = checkRunningWitness(t, vm, s.Persistent(), d).Transient(&memory.Edit{})
			witnesses++
			compare()
			continue
		}
		next, err := spec.Advance(s, d, nil)
		if err != nil {
			t.Fatalf("spec step %d: %v", s.Step+1, err)
		}
		if err := vm.Step(d); err != nil {
			t.Fatalf("fpvm step %d: %v", s.Step+1, err)
		}
		s = next
		compare()
	}
	for !s.Exited {
		n := *checkpoint - s.Step%*checkpoint
		next, k, err := spec.Run(s.Persistent(), d, n)
		if err != nil {
			t.Fatalf("spec run at step %d: %v", s.Step, err)
		}
		got, err := vm.Run(d, n)
		if err != nil || got != k {
			t.Fatalf("fpvm run at step %d: %d steps (spec %d), %v", s.Step, got, k, err)
		}
		s = next.Transient(&memory.Edit{})
		compare()
	}
	if !vm.Exited || vm.ExitCode != s.ExitCode || vm.StepCount != s.Step {
		t.Fatalf("end: fpvm exited %v code %d step %d; spec code %d step %d", vm.Exited, vm.ExitCode, vm.StepCount, s.ExitCode, s.Step)
	}
	return s.Step, checkpoints
}

// witnessStride spaces the steps whose witness the lockstep takes from the
// running fpvm (its caches warm): steps 0, 49,999, 99,998, … below
// -fpvm.every-step, about 20 per million steps.
const witnessStride = 49_999

// checkRunningWitness takes the witness of the next step from the running
// vm (which also takes the step), checks it equals spec.StepWithWitness
// from pre and verifies in spec.VerifyStep to the spec's post-state hash
// (FPVM-WITNESS), and returns that post-state.
func checkRunningWitness(t *testing.T, vm *fpvm.VM, pre state.State, d spec.Data) state.State {
	t.Helper()
	post, want, err := spec.StepWithWitness(pre, d)
	if err != nil {
		t.Fatalf("spec witness of step %d: %v", pre.Step+1, err)
	}
	got, err := vm.StepWitness(d)
	if err != nil {
		t.Fatalf("fpvm witness of step %d: %v", pre.Step+1, err)
	}
	if got.State != want.State || !bytes.Equal(got.Proof, want.Proof) || got.PreimageKey != want.PreimageKey || !bytes.Equal(got.PreimageValue, want.PreimageValue) {
		t.Fatalf("step %d: fpvm's witness differs from the spec's", pre.Step+1)
	}
	h, err := spec.VerifyStep(got.State[:], got.Proof, [32]byte{}, d)
	if err != nil || h != post.Hash() {
		t.Fatalf("step %d: fpvm's witness verifies to %s, %v; spec post-state %s", pre.Step+1, h, err, post.Hash())
	}
	return post
}

// firstDiff names the first field in which two states differ.
func firstDiff(a, b state.State) string {
	wa, wb := a.Witness(), b.Witness()
	ea, eb := wa.Encode(), wb.Encode()
	for i := range ea {
		if ea[i] != eb[i] {
			ta, _ := a.CurrentThread()
			tb, _ := b.CurrentThread()
			return "first differing witness byte " + itoa(i) + "\nfpvm thread: " + describe(ta) + "\nspec thread: " + describe(tb)
		}
	}
	return "witnesses equal"
}

func describe(t state.Thread) string {
	b, _ := json.Marshal(t)
	return string(b)
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }
