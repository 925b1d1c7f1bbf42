package spec_test

import (
	"math"
	"testing"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/transition"
)

// TestINV_STEP_WRAP: the step counter is a uint64 that wraps, as Cannon's
// `Step += 1` and MIPS64.sol's unchecked `state.step += 1` do: a step from
// Step = 2^64 − 1 gives Step = 0 in the spec, in fpvm and in the stateless
// verifier, for a nop, for clock_gettime (which reads the counter) and for
// a preemption. (conformance/cannon holds Cannon to the same.)
func TestINV_STEP_WRAP(t *testing.T) {
	for _, c := range []struct {
		name    string
		insn    uint32
		quantum bool // start at the end of the quantum: the step preempts
	}{{"nop", 0, false}, {"clock_gettime", 0x0000000C, false}, {"preempt", 0, true}} {
		t.Run(c.name, func(t *testing.T) {
			for _, start := range []uint64{math.MaxUint64 - 1, math.MaxUint64} {
				pre := oneInsn(c.insn)
				if c.quantum {
					pre.StepsSinceLastContextSwitch = transition.SchedQuantum
				}
				pre.Step = start
				post, w, err := spec.StepWithWitness(pre, spec.Data{})
				if err != nil || post.Step != start+1 {
					t.Fatalf("from %d: step %d, %v; want %d", start, post.Step, err, start+1)
				}
				if start == math.MaxUint64 && post.Step != 0 {
					t.Fatalf("from 2^64 - 1: step %d, want 0", post.Step)
				}
				vm, err := fpvm.FromState(pre)
				if err != nil {
					t.Fatal(err)
				}
				if err := vm.Step(spec.Data{}); err != nil || vm.Hash() != post.Hash() {
					t.Fatalf("from %d: fpvm %s (%v), spec %s", start, vm.Hash(), err, post.Hash())
				}
				if got, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, spec.Data{}); err != nil || got != post.Hash() {
					t.Fatalf("from %d: VerifyStep %s (%v), spec %s", start, got, err, post.Hash())
				}
			}
		})
	}
}
