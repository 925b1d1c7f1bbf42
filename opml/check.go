package opml

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
)

// The largest work and activation bytes of a model CheckDecode also runs.
const (
	checkRunWork  = 1 << 16
	checkRunBytes = 1 << 16
)

// CheckDecode is the property behind the native fuzz target FuzzDecodeModel
// (requirements OPML-FMT-REJECT, OPML-FMT-CANONICAL, OPML-EXEC-DETERMINISM).
// For any bytes b, Decode(b) must either fail with a *FormatError whose Code
// is one of the defined codes, or return a model whose encoding is b itself.
// A decoded model of at most 2^16 units of work and 2^16 bytes of inputs
// and node outputs is also run on all-zero
// inputs with 1 and 3 goroutines, which must succeed and give equal traces.
// It returns a description of the first violation, or nil. (A panic in
// Decode or a kernel is left to propagate, so the fuzzer reports it.)
func CheckDecode(b []byte) error {
	m, err := Decode(b)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Code < CodeTruncated || fe.Code > CodeBadOutputs {
			return fmt.Errorf("Decode error %T %v is not a *FormatError with a defined code", err, err)
		}
		return nil
	}
	if enc := Encode(m); !bytes.Equal(enc, b) {
		return fmt.Errorf("Encode(Decode(b)) differs from b at byte %d (len %d vs %d)", firstDiff(enc, b), len(enc), len(b))
	}
	if m.work() > checkRunWork || m.activationBytes() > checkRunBytes {
		return nil
	}
	return checkRuns(m)
}

// checkRuns runs m on zero inputs with 1 and 3 goroutines and compares the traces.
func checkRuns(m Model) error {
	inputs := make([][]byte, m.Inputs)
	for i := range inputs {
		inputs[i] = make([]byte, m.Tensors[m.Consts+i].ByteSize())
	}
	var traces [2]Trace
	for i, workers := range []int{1, 3} {
		e, err := NewExecutor(m, workers)
		if err != nil {
			return fmt.Errorf("NewExecutor of a decoded model: %v", err)
		}
		if traces[i], err = e.Trace(inputs...); err != nil {
			return fmt.Errorf("Trace with %d workers: %v", workers, err)
		}
	}
	if !reflect.DeepEqual(traces[0], traces[1]) {
		return fmt.Errorf("traces with 1 and 3 workers differ")
	}
	return nil
}

// work returns the total work of a validated model, as Validate counts it.
func (m Model) work() int {
	w := 0
	for _, n := range m.Nodes {
		w = satAdd(w, nodeWork(m.Tensors, n), MaxWork+1)
	}
	return w
}

// activationBytes returns the bytes of all inputs and node outputs of a
// validated model.
func (m Model) activationBytes() int {
	total := 0
	for _, t := range m.Tensors[m.Consts:] {
		total += t.ByteSize()
	}
	return total
}

// firstDiff returns the first index where a and b differ, or the shorter length.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// CheckDecodeNodeDescriptor is the property behind the native fuzz target
// FuzzDecodeNodeDescriptor (requirements OPML-NODE-DESCRIPTOR,
// OPML-NODE-APPLY). For any bytes b, DecodeNodeDescriptor(b) must either
// fail with a *FormatError whose Code is defined, or return a descriptor
// whose encoding is b itself. For a decoded descriptor whose graph is within
// the CheckDecode run limits, Apply on all-zero operands must either compute
// the node (when every commitment is the zero tensor's) or fail with an
// *OperandError naming the first operand whose commitment differs.
func CheckDecodeNodeDescriptor(b []byte) error {
	d, err := DecodeNodeDescriptor(b)
	if err != nil {
		var fe *FormatError
		if !errors.As(err, &fe) || fe.Code < CodeTruncated || fe.Code > CodeBadOutputs {
			return fmt.Errorf("DecodeNodeDescriptor error %T %v is not a *FormatError with a defined code", err, err)
		}
		return nil
	}
	if enc := d.Encode(); !bytes.Equal(enc, b) {
		return fmt.Errorf("Encode(DecodeNodeDescriptor(b)) differs from b at byte %d (len %d vs %d)", firstDiff(enc, b), len(enc), len(b))
	}
	if d.Graph.work() > checkRunWork || d.Graph.activationBytes() > checkRunBytes {
		return nil
	}
	operands := make([][]byte, len(d.Operands))
	bad := -1
	for i := range operands {
		operands[i] = make([]byte, d.Graph.Tensors[i].ByteSize())
		if bad < 0 && ComputeTensorRoot(operands[i]) != d.Operands[i].Commitment {
			bad = i
		}
	}
	out, root, err := d.Apply(operands)
	var oe *OperandError
	switch {
	case bad >= 0 && (!errors.As(err, &oe) || oe.Index != bad):
		return fmt.Errorf("Apply with operand %d not matching its commitment: %v", bad, err)
	case bad < 0 && err != nil:
		return fmt.Errorf("Apply with matching operands: %v", err)
	case bad < 0 && (len(out) != d.Graph.Tensors[len(operands)].ByteSize() || root != ComputeTensorRoot(out)):
		return fmt.Errorf("Apply returned %d bytes with root %s", len(out), root)
	}
	return nil
}
