// Package errors is the closed set of failures of the OPcity spec.
//
// Every failure the spec can report is an *Error carrying one Code from the
// table below. A Code has a Kind, which says what the failure means for a
// dispute, and a requirement ID in docs/requirements.md.
//
// Three kinds of failure must never be confused (DESIGN.md, "The spec"):
//
//   - KindInvalidTransition: the pre-state has no valid post-state. Cannon's Go
//     VM panics and the on-chain MIPS64 verifier reverts, so no one can prove a
//     post-state for this step. Examples: an invalid instruction, a branch in a
//     delay slot, an unaligned PC.
//   - KindUnavailable: the step is well defined, but the data D given to Step
//     does not hold what it needs (a preimage, a memory leaf outside a witness).
//     Supplying the data makes the step executable.
//   - KindRejectedInput: bytes handed to a decoder or verifier are malformed or
//     do not match their commitment (wrong length, bad flag byte, bad proof).
//
// Failures the guest program sees are not Go errors at all: syscall errors
// are returned to the program as values (v0 = errno, a3 = -1; see Errno), and
// a guest that requests an unsupported clone ends the VM with the panic
// status. Both are ordinary transitions and Step returns them with a nil error.
package errors

import (
	"fmt"
)

// Kind classifies a Code by what it means for a dispute.
type Kind uint8

const (
	// KindInvalidTransition marks a pre-state with no valid post-state.
	KindInvalidTransition Kind = iota + 1
	// KindUnavailable marks a step that needs data D does not supply.
	KindUnavailable
	// KindRejectedInput marks malformed input or input that fails its commitment.
	KindRejectedInput
)

// String returns the kind's name.
func (k Kind) String() string {
	switch k {
	case KindInvalidTransition:
		return "invalid-transition"
	case KindUnavailable:
		return "unavailable"
	case KindRejectedInput:
		return "rejected-input"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Code identifies one failure of the closed set.
type Code uint16

// The closed set. New codes are appended; numbers never change meaning.
const (
	CodeInvalidInstruction Code = iota + 1 // opcode/funct Cannon does not implement
	CodeBranchInDelaySlot                  // a branch executed in a delay slot
	CodeJumpInDelaySlot                    // a jump executed in a delay slot
	CodeUnalignedFetch                     // PC & 3 != 0 at fetch
	CodeDivideByZero                       // div/divu/ddiv/ddivu with a zero divisor
	CodeUnknownSyscall                     // a syscall number outside Cannon's table
	CodeEmptyThreadStack                   // the active thread stack is empty before the step
	CodeEmptyPostStack                     // the active thread stack is empty after the step
	CodePreimageOffsetOOB                  // a preimage read at offset >= 8 + len
	CodeMissingPreimage                    // D holds no preimage for the key read
	CodeMissingMemory                      // the step touched a leaf the memory back-end does not hold
	CodeUnknownThread                      // the step needs a thread the stack does not hold
	CodeWrongLength                        // an encoding has the wrong number of bytes
	CodeInvalidField                       // a decoded field holds a value outside its domain
	CodeBadMemoryProof                     // a memory proof does not match the memory root
	CodeBadThreadWitness                   // a thread witness does not match the stack root
	CodeUnalignedAccess                    // an unaligned word access reached the memory back-end
	CodeBadRegion                          // a region is not an aligned power-of-two subtree
	CodeBadProgram                         // an ELF file Cannon's loader rejects
	CodeBadPreimage                        // a preimage that does not hash to its key
	CodeMissingTensor                      // D holds no tensor for the root a tensor_map reads (OPcity profile)
	CodeBadTensor                          // D's tensor does not commit to the root it was asked for (OPcity profile)
	CodeUnknownProfile                     // a profile value outside ProfileBase, ProfileOPcity
	codeEnd
)

type codeInfo struct {
	name string
	kind Kind
	req  string
}

var codeTable = [codeEnd]codeInfo{
	CodeInvalidInstruction: {"invalid instruction", KindInvalidTransition, "ERR-INVALID-INSN"},
	CodeBranchInDelaySlot:  {"branch in delay slot", KindInvalidTransition, "ERR-DELAY-SLOT"},
	CodeJumpInDelaySlot:    {"jump in delay slot", KindInvalidTransition, "ERR-DELAY-SLOT"},
	CodeUnalignedFetch:     {"unaligned instruction fetch", KindInvalidTransition, "ERR-UNALIGNED-PC"},
	CodeDivideByZero:       {"divide by zero", KindInvalidTransition, "ERR-DIV-ZERO"},
	CodeUnknownSyscall:     {"unrecognized syscall", KindInvalidTransition, "ERR-UNKNOWN-SYSCALL"},
	CodeEmptyThreadStack:   {"active thread stack is empty", KindInvalidTransition, "ERR-EMPTY-STACK"},
	CodeEmptyPostStack:     {"post-state active thread stack is empty", KindInvalidTransition, "ERR-EMPTY-STACK"},
	CodePreimageOffsetOOB:  {"preimage offset out of bounds", KindInvalidTransition, "ERR-PREIMAGE-OOB"},
	CodeMissingPreimage:    {"missing preimage", KindUnavailable, "ERR-MISSING-PREIMAGE"},
	CodeMissingMemory:      {"memory not in witness", KindUnavailable, "ERR-MISSING-MEMORY"},
	CodeUnknownThread:      {"thread not in witness", KindUnavailable, "ERR-MISSING-THREAD"},
	CodeWrongLength:        {"wrong length", KindRejectedInput, "ERR-DECODE"},
	CodeInvalidField:       {"invalid field value", KindRejectedInput, "ERR-DECODE"},
	CodeBadMemoryProof:     {"invalid memory proof", KindRejectedInput, "ERR-BAD-PROOF"},
	CodeBadThreadWitness:   {"invalid thread witness", KindRejectedInput, "ERR-BAD-PROOF"},
	CodeUnalignedAccess:    {"unaligned memory access", KindInvalidTransition, "MEM-ALIGN"},
	CodeBadRegion:          {"invalid memory region", KindRejectedInput, "MEM-REGION-ROOT"},
	CodeBadProgram:         {"invalid program", KindRejectedInput, "PROG-LOAD"},
	CodeBadPreimage:        {"preimage does not match its key", KindRejectedInput, "VER-SOUND"},
	CodeMissingTensor:      {"missing tensor", KindUnavailable, "TENSOR-MISSING"},
	CodeBadTensor:          {"tensor does not match its root", KindRejectedInput, "TENSOR-STORE"},
	CodeUnknownProfile:     {"unknown profile", KindRejectedInput, "PROF-EXPLICIT"},
}

// Codes returns every code of the closed set in numeric order.
func Codes() []Code {
	out := make([]Code, 0, codeEnd-1)
	for c := Code(1); c < codeEnd; c++ {
		out = append(out, c)
	}
	return out
}

func (c Code) info() codeInfo {
	if c == 0 || c >= codeEnd {
		return codeInfo{name: fmt.Sprintf("code(%d)", uint16(c)), req: "ERR-UNKNOWN"}
	}
	return codeTable[c]
}

// String returns the code's short name, e.g. "invalid instruction".
func (c Code) String() string { return c.info().name }

// Kind returns what a failure with this code means for a dispute.
func (c Code) Kind() Kind { return c.info().kind }

// Requirement returns the requirement ID (docs/requirements.md) the code implements.
func (c Code) Requirement() string { return c.info().req }

// Error is the only error type the spec returns. Detail says which value
// caused it (an instruction word, an address, a field name).
type Error struct {
	Code   Code
	Detail string
}

// New returns an *Error with the given code and a formatted detail.
func New(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Detail: fmt.Sprintf(format, args...)}
}

// Error implements error: "<code name>: <detail>".
func (e *Error) Error() string {
	if e.Detail == "" {
		return e.Code.String()
	}
	return e.Code.String() + ": " + e.Detail
}

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, &Error{Code: CodeDivideByZero}) works without a detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Sentinels for errors.Is.
var (
	ErrInvalidInstruction = &Error{Code: CodeInvalidInstruction}
	ErrBranchInDelaySlot  = &Error{Code: CodeBranchInDelaySlot}
	ErrJumpInDelaySlot    = &Error{Code: CodeJumpInDelaySlot}
	ErrUnalignedFetch     = &Error{Code: CodeUnalignedFetch}
	ErrDivideByZero       = &Error{Code: CodeDivideByZero}
	ErrUnknownSyscall     = &Error{Code: CodeUnknownSyscall}
	ErrEmptyThreadStack   = &Error{Code: CodeEmptyThreadStack}
	ErrEmptyPostStack     = &Error{Code: CodeEmptyPostStack}
	ErrPreimageOffsetOOB  = &Error{Code: CodePreimageOffsetOOB}
	ErrMissingPreimage    = &Error{Code: CodeMissingPreimage}
	ErrMissingMemory      = &Error{Code: CodeMissingMemory}
	ErrUnknownThread      = &Error{Code: CodeUnknownThread}
	ErrWrongLength        = &Error{Code: CodeWrongLength}
	ErrInvalidField       = &Error{Code: CodeInvalidField}
	ErrBadMemoryProof     = &Error{Code: CodeBadMemoryProof}
	ErrBadThreadWitness   = &Error{Code: CodeBadThreadWitness}
	ErrUnalignedAccess    = &Error{Code: CodeUnalignedAccess}
	ErrBadRegion          = &Error{Code: CodeBadRegion}
	ErrBadProgram         = &Error{Code: CodeBadProgram}
	ErrBadPreimage        = &Error{Code: CodeBadPreimage}
)
