package cannon

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/vectors"
)

var (
	everyStepLimit = flag.Uint64("cannon.every-step", 100_000, "compare state hashes at every step up to this step")
	checkpointGap  = flag.Uint64("cannon.checkpoint", 100_000, "then compare every this many steps")
	programFilter  = flag.String("cannon.programs", "", "comma-separated example names (default: all)")
	witnessGap     = flag.Uint64("cannon.witness-gap", 10_007, "compare step witnesses every this many steps")
)

// examples lists the programs of examples/ with the preimage file each needs.
var examples = []struct{ name, preimages string }{
	{"hello", ""}, {"alloc", ""}, {"goroutines", ""}, {"sortmap", ""}, {"panic", ""},
	{"exitcode", ""}, {"arith", ""}, {"floats", ""}, {"preimage", "examples/preimage/preimages.json"},
	{"bench", ""},
}

var buildMu sync.Mutex

// buildExample compiles examples/name for GOOS=linux GOARCH=mips64
// GOMIPS64=softfloat with -trimpath into dir (vectors.BuildExample) and
// returns the ELF path.
func buildExample(t testing.TB, name, dir string) string {
	buildMu.Lock()
	defer buildMu.Unlock()
	if _, err := vectors.BuildExample("../..", name, dir); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name+".elf")
}

func readPreimages(t testing.TB, path string) preimages {
	po := preimages{}
	if path == "" {
		return po
	}
	raw, err := os.ReadFile(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	o, err := format.ParseOracle(raw) // as opcity run --preimages reads it
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range o {
		po[k] = v
	}
	return po
}

// loadCannon loads the ELF at path the way `cannon load-elf` does
// (loadCannonDefault).
func loadCannon(t testing.TB, path string) *multithreaded.State {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return loadCannonDefault(t, data)
}

// TestConformance_CONF_CANNON_PROG runs every example in the spec and in
// Cannon side by side: the initial state, the state hash at every step up to
// -cannon.every-step, then every -cannon.checkpoint steps, and the final step
// count, exit code and hash must agree.
func TestConformance_CONF_CANNON_PROG(t *testing.T) {
	dir := t.TempDir()
	var programs, steps, checkpoints, witnesses int64
	var mu sync.Mutex
	t.Cleanup(func() {
		if !t.Failed() {
			t.Logf("compared %d programs: %d steps, %d state-hash checkpoints, %d step witnesses (equal to Cannon's and verified), 0 mismatches", programs, steps, checkpoints, witnesses)
		}
	})
	for _, ex := range examples {
		if *programFilter != "" && !strings.Contains(","+*programFilter+",", ","+ex.name+",") {
			continue
		}
		t.Run(ex.name, func(t *testing.T) {
			t.Parallel()
			path := buildExample(t, ex.name, dir)
			n, c, w := runLockstep(t, path, readPreimages(t, ex.preimages))
			mu.Lock()
			programs, steps, checkpoints, witnesses = programs+1, steps+int64(n), checkpoints+int64(c), witnesses+int64(w)
			mu.Unlock()
		})
	}
}

// runLockstep steps both VMs to the end, comparing the hints delivered and
// LastHint at every step, and returns the steps, checkpoints and witnesses
// compared.
func runLockstep(t *testing.T, path string, po preimages) (uint64, uint64, uint64) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	cs := loadCannon(t, path)
	if _, h := cs.EncodeWitness(); memory.Hash(h) != s.Hash() {
		t.Fatalf("initial state: spec %s, cannon %x", s.Hash(), h)
	}
	oracle := cannonvm.NewOracle(po)
	vm := cannonvm.NewVM(cs, oracle)
	d := spec.Data{Preimages: po}
	// The loop owns its states, so it steps them as transient values, as
	// spec.Run does; witnesses are taken from a persistent view. The spec
	// steps as a runner (spec.Advance), so its hints and LastHint are
	// compared with Cannon's at every step (CONF-CANNON-HINT).
	s = s.Transient(&memory.Edit{})
	var checkpoints, witnesses uint64
	for !s.Exited {
		if s.Step%*witnessGap == 0 {
			witnesses++
			if msg := compareProgramWitness(s.Persistent(), po, vm, cs); msg != "" {
				t.Fatalf("step %d: %s", s.Step+1, msg)
			}
		}
		next, hints, err := cannonvm.AdvanceSpec(s, d)
		if err != nil {
			t.Fatalf("spec failed at step %d: %v", s.Step+1, err)
		}
		if cs.Step == s.Step {
			if _, msg := cannonvm.StepVM(vm, false); msg != "" {
				t.Fatalf("cannon failed at step %d: %s", cs.Step, msg)
			}
		}
		if msg := cannonvm.DiffHints(hints, oracle.TakeHints(), next.LastHint, cs.LastHint); msg != "" {
			t.Fatalf("step %d: %s", next.Step, msg)
		}
		s = next
		if s.Step <= *everyStepLimit || s.Step%*checkpointGap == 0 || s.Exited {
			checkpoints++
			if _, h := cs.EncodeWitness(); memory.Hash(h) != s.Hash() {
				enc := s.Witness().Encode()
				w, _ := cs.EncodeWitness()
				t.Fatalf("state hash differs at step %d: spec %s cannon %x; %s\nreplay: cd conformance/cannon && go test -run 'TestConformance_CONF_CANNON_PROG/%s$' .",
					s.Step, s.Hash(), h, firstWitnessDiff(enc[:], w)+firstThreadDiff(s, cs), filepath.Base(strings.TrimSuffix(path, ".elf")))
			}
		}
	}
	if s.Step != cs.Step || s.ExitCode != cs.ExitCode || !cs.Exited {
		t.Fatalf("end: spec step %d exit %d, cannon step %d exit %d exited %v", s.Step, s.ExitCode, cs.Step, cs.ExitCode, cs.Exited)
	}
	t.Logf("%d steps, exit code %d, %d checkpoints, %d witnesses, final hash %s", s.Step, s.ExitCode, checkpoints, witnesses, s.Hash())
	return s.Step, checkpoints, witnesses
}

// compareProgramWitness steps Cannon with proofs from the same state as s and
// compares its witness with the spec's (CONF-CANNON-WITNESS).
func compareProgramWitness(s state.State, po preimages, vm *multithreaded.InstrumentedState, cs *multithreaded.State) string {
	wit, failure := cannonvm.StepVM(vm, true)
	if failure != "" {
		return "cannon failed: " + failure
	}
	w, h := cs.EncodeWitness()
	return compareWitness(s, po, cannonvm.Result{Witness: w, Hash: h, Post: cs, StepWitness: wit})
}
