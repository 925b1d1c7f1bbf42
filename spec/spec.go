package spec

import (
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// State is the VM state (package state).
type State = state.State

// Data is D in f(S_pre, D) -> S_post: the preimage oracle and, under the
// OPcity profile, committed tensors.
type Data = transition.Data

// PreimageMap is a preimage oracle over a map (transition.PreimageMap).
type PreimageMap = transition.PreimageMap

// Profile selects the syscall table of a step: ProfileBase (Cannon) or
// ProfileOPcity (Cannon plus the tensor syscalls). It is always explicit
// (requirement PROF-EXPLICIT).
type Profile = transition.Profile

// The two profiles (transition.ProfileBase, transition.ProfileOPcity).
const (
	ProfileBase   = transition.ProfileBase
	ProfileOPcity = transition.ProfileOPcity
)

// Step is StepIn(ProfileBase, pre, d).
func Step(pre State, d Data) (State, error) {
	return StepIn(ProfileBase, pre, d)
}

// StepIn returns the state after one step from pre under profile p, reading only d.
// It is pure and total: a post-state, or pre with an *errors.Error whose
// errors.OutcomeOf says whether the step has no post-state, needs data, or
// was given inconsistent input. See transition.StepIn for the exact order of
// operations and docs/spec.md for the full text.
func StepIn(p Profile, pre State, d Data) (State, error) {
	return transition.StepIn(p, pre, d)
}

// Run is RunIn(ProfileBase, pre, d, n).
func Run(pre State, d Data, n uint64) (State, uint64, error) {
	return RunIn(ProfileBase, pre, d, n)
}

// RunIn applies StepIn(p, ...) up to n times, stopping early when the VM exits. It
// returns the last state reached and the number of steps that changed it;
// on error, the state before the failing step. Run(S, n+m) equals
// Run(Run(S, n), m) (INV-RUN-COMPOSE).
//
// Run owns the states between its first and last step, so it runs them as
// transient values (state.State.Transient): stores update memory pages in
// place instead of copying them. pre is never changed. This is sound because
// Step fails only before its first memory write, so a failing step leaves
// the transient state as it was.
func RunIn(p Profile, pre State, d Data, n uint64) (State, uint64, error) {
	s := pre.Transient(&memory.Edit{})
	var i uint64
	for ; i < n && !s.Exited; i++ {
		next, err := AdvanceIn(p, s, d, nil)
		if err != nil {
			return s.Persistent(), i, err
		}
		s = next
	}
	return s.Persistent(), i, nil
}

// MaxOutput caps the bytes of one write(1|2|4) that Advance reads for its
// observer and LastHint; the state (witness, hash) never depends on them.
// Cannon reads every byte of a write, so for a hint write longer than
// MaxOutput the hints and LastHint differ from Cannon's (docs/spec.md,
// Effects outside the commitment).
const MaxOutput = 16 << 20

// Advance is AdvanceIn(ProfileBase, pre, d, observe).
func Advance(pre State, d Data, observe func(transition.Effects)) (State, error) {
	return AdvanceIn(ProfileBase, pre, d, observe)
}

// AdvanceIn is StepIn plus the off-chain bookkeeping of Cannon's runner: the
// LastHint buffer of hint writes (fd 4) is carried into the post-state, and
// observe (if not nil) is called with the step's output effects (stdout,
// stderr, hints) before the step runs. Requirement SYS-HINT.
func AdvanceIn(p Profile, pre State, d Data, observe func(transition.Effects)) (State, error) {
	eff, ok := transition.PendingEffects(pre, MaxOutput)
	post, err := StepIn(p, pre, d)
	if err != nil {
		return post, err
	}
	if ok {
		if eff.Fd == transition.FdHintWrite {
			post.LastHint = eff.LastHint
		}
		if observe != nil {
			observe(eff)
		}
	}
	return post, nil
}
