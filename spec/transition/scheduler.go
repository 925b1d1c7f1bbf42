package transition

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// SchedQuantum is the number of instructions a thread runs before the
// scheduler preempts it (Cannon: exec/mips_syscalls.go SchedQuantum).
const SchedQuantum = 100_000

// ApplyPreempt moves the top of the active stack, replaced by t, to the top of
// the inactive stack; flips TraverseRight if the active stack is now empty;
// resets the context-switch counter. Cannon: mips.go:427-456 (preemptThread).
func ApplyPreempt(s state.State, t state.Thread) (state.State, error) {
	active, err := s.ActiveStack().Pop()
	if err != nil {
		return s, err
	}
	s = s.WithStacks(active, s.InactiveStack().Push(t))
	return flipIfActiveEmpty(s), nil
}

// ApplyPopThread drops the top of the active stack, flips TraverseRight if it
// is now empty, and resets the context-switch counter. Cannon: mips.go:467-479.
func ApplyPopThread(s state.State) (state.State, error) {
	active, err := s.ActiveStack().Pop()
	if err != nil {
		return s, err
	}
	s = s.WithStacks(active, s.InactiveStack())
	return flipIfActiveEmpty(s), nil
}

// ApplyPushThread pushes t on the active stack and resets the context-switch
// counter; it does not flip. Cannon: mips.go:458-465 (clone only).
func ApplyPushThread(s state.State, t state.Thread) state.State {
	s = s.WithStacks(s.ActiveStack().Push(t), s.InactiveStack())
	s.StepsSinceLastContextSwitch = 0
	return s
}

func flipIfActiveEmpty(s state.State) state.State {
	if s.ActiveStack().IsEmpty() {
		s.TraverseRight = !s.TraverseRight
	}
	s.StepsSinceLastContextSwitch = 0
	return s
}

// IsLastThreadRemaining reports whether the VM holds exactly one thread: the
// inactive stack is empty and the active stack holds only its top
// (on-chain: inactive root empty and witness inner root empty).
func IsLastThreadRemaining(s state.State) bool {
	below, err := s.ActiveStack().Pop()
	return err == nil && below.IsEmpty() && s.InactiveStack().IsEmpty()
}

// verifyPostState checks that the active stack of the post-state is not empty
// (Cannon: mips.go:281-286, ERR-EMPTY-STACK).
func verifyPostState(s state.State) error {
	if s.ActiveStack().IsEmpty() {
		return errors.New(errors.CodeEmptyPostStack, "step %d", s.Step)
	}
	return nil
}
