package properties_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// Each property prints rapid's reproducer on failure: the seed, the shrunk
// draws and the command `go test ./properties -run TestNAME -rapid.seed=SEED`.

func stepOnce(t *rapid.T) (state.State, state.State, error) {
	pre := properties.ProgramState().Draw(t, "pre")
	post, err := spec.Step(pre, spec.Data{})
	if err != nil {
		t.Logf("pre-state %s: %v", pre.Hash(), err)
	}
	return pre, post, err
}

func TestINV_TOTAL_INV_DETERMINISM_INV_PURE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		if err := properties.CheckStepTotal(pre, spec.Data{}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestINV_FRAME(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre, post, err := stepOnce(t)
		if err != nil {
			return
		}
		if err := properties.CheckFrame(pre, post); err != nil {
			t.Fatalf("pre-state %s: %v", pre.Hash(), err)
		}
	})
}

func TestINV_R0(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		s := pre
		for i := 0; i < 20; i++ {
			next, err := spec.Step(s, spec.Data{})
			if err != nil {
				return
			}
			if err := properties.CheckR0(next); err != nil {
				t.Fatalf("after step %d from %s: %v", i+1, pre.Hash(), err)
			}
			s = next
		}
	})
}

func TestINV_STEP_COUNTER_INV_EXITED_ABSORBING(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		if rapid.Bool().Draw(t, "exited") {
			pre.Exited, pre.ExitCode = true, rapid.Uint8().Draw(t, "exitCode")
		}
		post, err := spec.Step(pre, spec.Data{})
		if err != nil {
			return
		}
		if err := properties.CheckStepCounter(pre, post); err != nil {
			t.Fatal(err)
		}
	})
}

func TestINV_RUN_COMPOSE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		n := rapid.Uint64Range(0, 12).Draw(t, "n")
		m := rapid.Uint64Range(0, 12).Draw(t, "m")
		whole, _, errWhole := spec.Run(pre, spec.Data{}, n+m)
		mid, _, errMid := spec.Run(pre, spec.Data{}, n)
		if errMid != nil {
			if errWhole == nil {
				t.Fatalf("Run(S, %d) failed (%v) but Run(S, %d) did not", n, errMid, n+m)
			}
			return
		}
		split, _, errSplit := spec.Run(mid, spec.Data{}, m)
		if (errWhole == nil) != (errSplit == nil) || whole.Hash() != split.Hash() {
			t.Fatalf("Run(S, %d+%d) = %s (%v), Run(Run(S, %d), %d) = %s (%v)", n, m, whole.Hash(), errWhole, n, m, split.Hash(), errSplit)
		}
	})
}

func TestDEC_FIELDS(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		if err := properties.CheckDecodeInstruction(rapid.Uint32().Draw(t, "word")); err != nil {
			t.Fatal(err)
		}
	})
}

func TestERR_DECODE_ArbitraryBytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := rapid.OneOf(
			rapid.SliceOfN(rapid.Byte(), 0, 400),
			rapid.SliceOfN(rapid.SampledFrom([]byte{0, 1, 2, 3, 0xFF}), 188, 188),
			rapid.SliceOfN(rapid.SampledFrom([]byte{0, 1, 2, 0xFF}), 298, 298),
		).Draw(t, "bytes")
		if err := properties.CheckDecodeWitness(b); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckDecodeThread(b); err != nil {
			t.Fatal(err)
		}
	})
}

// TestERR_OUTCOME: every code of the closed set has a kind, a requirement ID
// and maps to exactly the outcome its kind names.
func TestERR_OUTCOME(t *testing.T) {
	want := map[errors.Kind]errors.Outcome{
		errors.KindInvalidTransition: errors.OutcomeNoPostState,
		errors.KindUnavailable:       errors.OutcomeNeedsData,
		errors.KindRejectedInput:     errors.OutcomeRejected,
	}
	for _, c := range errors.Codes() {
		o, ok := want[c.Kind()]
		if !ok {
			t.Errorf("code %d (%s) has no kind", c, c)
			continue
		}
		if got := errors.OutcomeOf(errors.New(c, "x")); got != o {
			t.Errorf("OutcomeOf(%s) = %s, want %s", c, got, o)
		}
		if c.Requirement() == "" || c.Requirement() == "ERR-UNKNOWN" {
			t.Errorf("code %s has no requirement ID", c)
		}
	}
	if errors.OutcomeOf(nil) != errors.OutcomeNone {
		t.Error("OutcomeOf(nil) != OutcomeNone")
	}
}
