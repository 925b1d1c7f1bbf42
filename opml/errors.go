package opml

import (
	"fmt"

	specerrors "github.com/opcity-spec/opcity/spec/errors"
)

// FormatCode says why a model was rejected.
type FormatCode uint8

// The reasons a model encoding or a Model value is rejected (requirement
// OPML-FMT-REJECT). Numbers never change meaning; new codes are appended.
const (
	CodeTruncated      FormatCode = iota + 1 // the input ends inside a field or declares more records than bytes remain
	CodeTrailing                             // bytes follow the last record
	CodeTooLarge                             // a size, count or total exceeds a limit of the format
	CodeBadMagic                             // the first 4 bytes are not "OPML"
	CodeBadVersion                           // a version other than Version
	CodeReserved                             // a reserved field is not zero
	CodeBadCount                             // the header's counts do not match the records (in a Model value) or outputs are empty
	CodeBadID                                // a tensor id is not its index, or a node's output id is not Consts+Inputs+k
	CodeDanglingID                           // a node input or model output names no tensor
	CodeNotTopological                       // a node reads a tensor that is not written before it
	CodeBadDType                             // an unknown dtype, or one the op does not accept
	CodeBadShape                             // a rank or dimension out of range, or shapes that do not fit together
	CodeBadQuant                             // a zero point or scale out of range, or quantization that must match and does not
	CodeBadDataLength                        // a constant's data length differs from its shape, or a non-constant has data
	CodeBadOp                                // an unknown op code
	CodeBadArity                             // a node's input or parameter count is not its op's
	CodeBadParam                             // an op parameter out of range
	CodeBadOutputs                           // model outputs not strictly increasing
)

var formatCodeNames = [...]string{
	CodeTruncated:      "truncated",
	CodeTrailing:       "trailing bytes",
	CodeTooLarge:       "exceeds a limit",
	CodeBadMagic:       "bad magic",
	CodeBadVersion:     "unsupported version",
	CodeReserved:       "reserved field not zero",
	CodeBadCount:       "inconsistent counts",
	CodeBadID:          "id out of canonical order",
	CodeDanglingID:     "dangling tensor id",
	CodeNotTopological: "not in topological order",
	CodeBadDType:       "bad dtype",
	CodeBadShape:       "bad shape",
	CodeBadQuant:       "bad quantization",
	CodeBadDataLength:  "bad data length",
	CodeBadOp:          "unknown op",
	CodeBadArity:       "bad arity",
	CodeBadParam:       "bad parameter",
	CodeBadOutputs:     "bad outputs",
}

// String returns the code's short name.
func (c FormatCode) String() string {
	if int(c) < len(formatCodeNames) && formatCodeNames[c] != "" {
		return formatCodeNames[c]
	}
	return fmt.Sprintf("code(%d)", uint8(c))
}

// FormatError is the only error [Decode] and [Model.Validate] return. Field
// names the offending field ("header.version", "tensor[3].shape[1]",
// "node[2].inputs[0]"), Offset is the byte offset of that field (or of the
// record holding it) in the encoding, or −1 when the error comes from a
// check of the decoded model (Validate), and Detail says what was found.
type FormatError struct {
	Code   FormatCode
	Field  string
	Offset int
	Detail string
}

// Error returns "opml: <field> [at byte N]: <code>: <detail>".
func (e *FormatError) Error() string {
	at := ""
	if e.Offset >= 0 {
		at = fmt.Sprintf(" at byte %d", e.Offset)
	}
	s := fmt.Sprintf("opml: %s%s: %s", e.Field, at, e.Code)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// Unwrap places the error in the spec's closed set: a wrong length
// (truncated, trailing, oversized, data length) is CodeWrongLength, anything
// else CodeInvalidField (requirement ERR-DECODE).
func (e *FormatError) Unwrap() error {
	switch e.Code {
	case CodeTruncated, CodeTrailing, CodeTooLarge, CodeBadDataLength:
		return specerrors.New(specerrors.CodeWrongLength, "opml %s", e.Field)
	}
	return specerrors.New(specerrors.CodeInvalidField, "opml %s", e.Field)
}

// formatErr returns a *FormatError for a check of a decoded model (Offset −1).
func formatErr(c FormatCode, field, format string, args ...any) *FormatError {
	return &FormatError{Code: c, Field: field, Offset: -1, Detail: fmt.Sprintf(format, args...)}
}

// InputError reports a run input that does not match the model: the wrong
// number of inputs (Index −1) or input Index with the wrong number of bytes.
type InputError struct {
	Index int
	Want  int
	Got   int
}

// Error says which count differs.
func (e *InputError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("opml: model takes %d inputs, got %d", e.Want, e.Got)
	}
	return fmt.Sprintf("opml: input %d must be %d bytes, got %d", e.Index, e.Want, e.Got)
}

// KernelError reports kernel arguments that do not fit together: a
// dimension or parameter out of range, or a slice of the wrong length.
type KernelError struct {
	Kernel string
	Detail string
}

// Error returns "opml: <kernel>: <detail>".
func (e *KernelError) Error() string {
	return "opml: " + e.Kernel + ": " + e.Detail
}

// kernelErr returns a *KernelError with a formatted detail.
func kernelErr(kernel, format string, args ...any) *KernelError {
	return &KernelError{Kernel: kernel, Detail: fmt.Sprintf(format, args...)}
}
