package spec

import (
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// State is the VM state (package state).
type State = state.State

// Data is D in f(S_pre, D) -> S_post: the preimage oracle and, under the
// OPcity profile, committed tensors.
type Data = transition.Data

// Step returns the state after one Cannon step from pre, reading only d.
// It is pure and total: a post-state, or pre with an *errors.Error whose
// errors.OutcomeOf says whether the step has no post-state, needs data, or
// was given inconsistent input. See transition.Step for the exact order of
// operations and docs/spec.md for the full text.
func Step(pre State, d Data) (State, error) {
	return transition.Step(pre, d)
}

// Run applies Step up to n times, stopping early when the VM exits. It
// returns the last state reached and the number of steps that changed it;
// on error, the state before the failing step. Run(S, n+m) equals
// Run(Run(S, n), m) (INV-RUN-COMPOSE).
func Run(pre State, d Data, n uint64) (State, uint64, error) {
	s := pre
	var i uint64
	for ; i < n && !s.Exited; i++ {
		next, err := Step(s, d)
		if err != nil {
			return s, i, err
		}
		s = next
	}
	return s, i, nil
}
