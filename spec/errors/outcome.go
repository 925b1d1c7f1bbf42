package errors

import stderrors "errors"

// Outcome says what a failure of Step or of a decoder means to the caller.
type Outcome uint8

const (
	// OutcomeNone: err is nil; Step produced a post-state.
	OutcomeNone Outcome = iota
	// OutcomeNoPostState: the pre-state has no valid post-state (KindInvalidTransition).
	// The on-chain verifier reverts; a claim that this step produced any
	// post-state is false.
	OutcomeNoPostState
	// OutcomeNeedsData: the step is defined but D lacks what it needs
	// (KindUnavailable). The caller must supply the named data and retry.
	OutcomeNeedsData
	// OutcomeRejected: the input bytes are malformed or contradict their
	// commitment (KindRejectedInput). Nothing about the VM follows from them.
	OutcomeRejected
	// OutcomeForeign: err is not an *Error of this package. The spec never
	// returns one; seeing it means a bug in the caller or the spec.
	OutcomeForeign
)

// String returns the outcome's name.
func (o Outcome) String() string {
	return [...]string{"none", "no-post-state", "needs-data", "rejected", "foreign"}[o]
}

// OutcomeOf returns the outcome a Step or decoder error means (requirement ERR-OUTCOME).
func OutcomeOf(err error) Outcome {
	if err == nil {
		return OutcomeNone
	}
	var e *Error
	if !stderrors.As(err, &e) {
		return OutcomeForeign
	}
	switch e.Code.Kind() {
	case KindInvalidTransition:
		return OutcomeNoPostState
	case KindUnavailable:
		return OutcomeNeedsData
	case KindRejectedInput:
		return OutcomeRejected
	}
	return OutcomeForeign
}

// Errno is a Linux error number a syscall returns to the guest program. It is
// not a Go error: the guest sees v0 = errno and a3 = 0xFFFF_FFFF_FFFF_FFFF
// (Cannon's code and MIPS64.sol 1.9.0; Cannon's published spec, which puts
// the errno in a3, is stale). Requirement SYS-ERRNO.
type Errno uint64

// The errno values Cannon returns.
const (
	EBADF  Errno = 0x9
	EAGAIN Errno = 0xB
	EINVAL Errno = 0x16
)

// ErrorSignal is the value a3 holds after a failed syscall.
const ErrorSignal uint64 = ^uint64(0)
