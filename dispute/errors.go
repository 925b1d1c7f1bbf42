package dispute

import "fmt"

// Code is the closed set of reasons a game action is rejected. A rejected
// action leaves the game unchanged (requirement DISPUTE-ILLEGAL).
type Code int

const (
	CodeGameOver         Code = iota + 1 // the game is resolved
	CodeBadIndex                         // no claim at the index, or it holds another value
	CodeDefendRoot                       // a defense against the game root or a phase root
	CodeDepth                            // a move past the maximum depth, or a step not at it
	CodeWrongBond                        // the bond is not exactly Bond(depth)
	CodeClockExpired                     // the mover's clock is exhausted
	CodeDuplicate                        // the same (parent, position, value) exists
	CodeResolved                         // the parent's subgame is already resolved
	CodeUnboundPhaseRoot                 // a phase root whose prestate is not bound to its parent
	CodeBadOpening                       // a graph-state opening that does not match its root
	CodeUnavailable                      // data the action needs was never uploaded
	CodeStepPrestate                     // the step's state data does not hash to the prestate
	CodeStepFailed                       // the verifier cannot execute the step
	CodeValidStep                        // the step does not counter the claim
	CodeDuplicateStep                    // the claim is already countered by a step
	CodeClockNotExpired                  // resolving before the challenger's clock expired
	CodeOutOfOrder                       // resolving a claim with an unresolved child
	CodeNotResolved                      // resolving the game before its root subgame
	CodeBadConfig                        // an invalid configuration
)

var codeNames = map[Code]string{
	CodeGameOver: "game over", CodeBadIndex: "bad claim index", CodeDefendRoot: "defending a root",
	CodeDepth: "bad depth", CodeWrongBond: "wrong bond", CodeClockExpired: "clock expired",
	CodeDuplicate: "duplicate claim", CodeResolved: "subgame resolved",
	CodeUnboundPhaseRoot: "unbound phase root", CodeBadOpening: "bad opening",
	CodeUnavailable: "data unavailable", CodeStepPrestate: "wrong step prestate",
	CodeStepFailed: "step failed", CodeValidStep: "valid step", CodeDuplicateStep: "duplicate step",
	CodeClockNotExpired: "clock not expired", CodeOutOfOrder: "out-of-order resolution",
	CodeNotResolved: "root subgame unresolved", CodeBadConfig: "bad config",
}

// String returns the code's name.
func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("code %d", int(c))
}

// Error is a rejected action: its Code and a detail message.
type Error struct {
	Code Code
	Msg  string
}

func (e *Error) Error() string { return "dispute: " + e.Code.String() + ": " + e.Msg }

func errorf(c Code, format string, args ...any) error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}

// CodeOf returns the Code of err if it is an *Error, and 0 otherwise.
func CodeOf(err error) Code {
	if e, ok := err.(*Error); ok {
		return e.Code
	}
	return 0
}
