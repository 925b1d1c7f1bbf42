package vectors

import "github.com/opcity-spec/opcity/spec/errors"

// chainReverts is MIPS64.sol's revert reason for each error a base-profile
// vector can expect, in the form conformance/cannon/evm reports it: the
// message of Error(string), or a custom error's signature.
// TestEVM_VECTORS runs every vector through the released MIPS64.sol and
// requires each expected rejection to revert with exactly this reason.
var chainReverts = map[errors.Code]string{
	errors.CodeInvalidInstruction: "MIPS64: invalid instruction",
	errors.CodeUnalignedFetch:     "InvalidPC()",
	errors.CodeBranchInDelaySlot:  "MIPS64: branch in delay slot",
	errors.CodeJumpInDelaySlot:    "MIPS64: jump in delay slot",
	errors.CodeDivideByZero:       "MIPS64: division by zero",
	errors.CodeUnknownSyscall:     "MIPS64: unimplemented syscall",
	errors.CodePreimageOffsetOOB:  "pre-image must exist",
	errors.CodeEmptyThreadStack:   "MIPS64: active thread stack is empty",
	errors.CodeEmptyPostStack:     "MIPS64: post-state active thread stack is empty",
}

// ChainRevert returns MIPS64.sol's revert reason for a step the spec
// rejects with code, "" for a code no vector expects on chain.
func ChainRevert(code errors.Code) string { return chainReverts[code] }
