package evm

import (
	"encoding/json"
	"flag"
	"hash/fnv"
	"math/rand/v2"
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
	maxSteps   = flag.Uint64("evm.max-steps", 2_000_000, "run each example at most this many steps")
	perProgram = flag.Int("evm.witnesses", 1_200, "step witnesses sampled uniformly from each example's run")
	syscallOdd = flag.Int("evm.syscall-odds", 16, "also sample each syscall step with probability 1/N (0: never)")
	gasOut     = flag.String("evm.gas", "", "write the gas table of every step run (markdown) to this file")
)

// gasTable collects the gas of every step the tests run; TestMain writes
// it to -evm.gas.
var gasTable GasTable

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if *gasOut != "" && code == 0 {
		f, err := os.Create(*gasOut)
		if err == nil {
			gasTable.WriteMarkdown(f)
			err = f.Close()
		}
		if err != nil {
			code = 1
		}
	}
	os.Exit(code)
}

const repoRoot = "../../.."

var buildMu sync.Mutex

// loadExample builds examples/name and returns its initial state and the
// data D its run needs.
func loadExample(t *testing.T, name, preimages string) (state.State, spec.Data) {
	t.Helper()
	buildMu.Lock()
	elf, err := vectors.BuildExample(repoRoot, name, t.TempDir())
	buildMu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(elf)
	if err != nil {
		t.Fatal(err)
	}
	d := spec.Data{}
	if preimages != "" {
		raw, err := os.ReadFile(filepath.Join(repoRoot, preimages))
		if err != nil {
			t.Fatal(err)
		}
		if d.Preimages, err = format.ParseOracle(raw); err != nil {
			t.Fatal(err)
		}
	}
	return s, d
}

// runLength returns the number of steps the program runs, at most limit
// (fpvm, the fast executor: it only sizes the sample).
func runLength(t *testing.T, s state.State, d spec.Data, limit uint64) uint64 {
	t.Helper()
	vm, err := fpvm.FromState(s)
	if err != nil {
		t.Fatal(err)
	}
	n, err := vm.Run(d, limit)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sampleSteps returns k step numbers drawn uniformly from [0, n), sorted,
// as a set.
func sampleSteps(rng *rand.Rand, n uint64, k int) map[uint64]bool {
	out := map[uint64]bool{}
	for len(out) < min(k, int(n)) {
		out[rng.Uint64N(n)] = true
	}
	return out
}

// isSampled reports whether step at of the run, from s, is compared: drawn
// in sample, a syscall drawn at odds 1/-evm.syscall-odds, or an oracle
// syscall.
func isSampled(s state.State, at uint64, sample map[uint64]bool, rng *rand.Rand) bool {
	if sample[at] || IsOracleSyscall(s) {
		return true
	}
	_, _, sys := NextSyscall(s)
	return sys && *syscallOdd > 0 && rng.IntN(*syscallOdd) == 0
}

// progStats counts what TestEVM_PROG compared.
type progStats struct {
	mu                             sync.Mutex
	programs, steps, witnesses, pr int
}

// TestEVM_PROG samples step witnesses from one run of every example program
// (each run at most -evm.max-steps): -evm.witnesses steps drawn uniformly
// from the run, each syscall step with odds 1/-evm.syscall-odds and every
// read of fd 5 and write to fd 6 (the preimage oracle's). The
// spec's StepWithWitness records each witness during the run; the witness
// goes through the witness file format (what opcity witness writes and
// evmstep reads), and spec.VerifyStep's post-state must equal MIPS64.sol's
// and the stateful post-state.
func TestEVM_PROG(t *testing.T) {
	var st progStats
	t.Cleanup(func() {
		if !t.Failed() {
			t.Logf("programs: %d, steps run: %d, witnesses compared: %d (%d reading a preimage), differences: 0", st.programs, st.steps, st.witnesses, st.pr)
		}
	})
	for _, ex := range vectors.Examples {
		t.Run(ex.Name, func(t *testing.T) {
			t.Parallel()
			steps, witnesses, pr := sampleProgram(t, ex.Name, ex.Preimages)
			st.mu.Lock()
			st.programs, st.steps, st.witnesses, st.pr = st.programs+1, st.steps+steps, st.witnesses+witnesses, st.pr+pr
			st.mu.Unlock()
		})
	}
}

// sampleProgram runs one example and compares its sampled witnesses; it
// returns the steps run, the witnesses compared and how many read a preimage.
func sampleProgram(t *testing.T, name, preimages string) (steps, witnesses, withPreimage int) {
	s, d := loadExample(t, name, preimages)
	h := newHarness(t)
	seed := fnv.New64a()
	seed.Write([]byte(name))
	rng := rand.New(rand.NewPCG(seed.Sum64(), 1))
	n := runLength(t, s, d, *maxSteps)
	sample := sampleSteps(rng, n, *perProgram)
	start := s.Step
	for !s.Exited && s.Step-start < n {
		at := s.Step - start
		if !isSampled(s, at, sample, rng) {
			var err error
			if s, err = spec.Step(s, d); err != nil {
				t.Fatalf("step %d: %v", s.Step, err)
			}
			continue
		}
		post, w, err := spec.StepWithWitness(s, d)
		if err != nil {
			t.Fatalf("step %d: %v", s.Step, err)
		}
		compareWitness(t, h, s.Step, w, post.Hash())
		witnesses++
		if w.HasPreimage {
			withPreimage++
		}
		s = post
	}
	return int(s.Step - start), witnesses, withPreimage
}

// compareWitness writes w as a witness file, reads it back and requires
// VerifyStep and MIPS64.sol to give the stateful post-state hash.
func compareWitness(t *testing.T, h *Harness, step uint64, w spec.Witness, want memory.Hash) {
	t.Helper()
	raw, err := json.Marshal(format.EncodeWitness(step, w, want))
	if err != nil {
		t.Fatal(err)
	}
	in, err := format.ParseWitness(raw)
	if err != nil {
		t.Fatalf("step %d: witness file: %v", step, err)
	}
	got, err := spec.VerifyStep(in.State, in.Proof, in.LocalContext, spec.Data{Preimages: in.Oracle})
	if err != nil || got != want {
		t.Fatalf("step %d: VerifyStep %s (%v), stateful %s", step, got, err, want)
	}
	r, err := h.Step(InputOf(in))
	if err != nil {
		t.Fatal(err)
	}
	c := ClassOf(in.State, in.Proof)
	trimmed := InputOf(in)
	trimmed.Proof = in.Proof[:state.ThreadWitnessSize+memory.ProofSize*max(1, w.SlotsUsed)]
	measured := r
	if measured.Calldata, err = h.Calldata(trimmed); err != nil {
		t.Fatal(err)
	}
	gasTable.Add(c, "programs", measured) // calldata of the proof the step uses, as in the vectors
	if r.Reverted || r.PostStateHash != got {
		t.Errorf("step %d (%s): spec %s, MIPS64.sol %x reverted=%v %q\nwitness: %s", step, c, got, r.PostStateHash, r.Reverted, r.RevertReason, raw)
	}
}
