package chunk

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// rewrite is the signature of SplitMapped, which CheckSplit checks (the
// tests check planted wrong rewrites with it too).
type rewrite func(m opml.Model, maxSteps uint64) (opml.Model, []int, error)

// CheckSplit checks SplitMapped on model m, bound maxSteps and one run's
// inputs (m's input tensors' canonical bytes), and returns nil when the
// rewrite is exact and bounded (requirements OPML-CHUNK-EXACT,
// OPML-CHUNK-BOUND):
//
//   - a refusal is an *Error whose node of m is over maxSteps and whose
//     cause is a *nodevm.StepBoundError over maxSteps, or a rewritten model
//     over a limit of the format (*opml.FormatError CodeTooLarge);
//   - otherwise the rewritten model passes nodevm.ValidateSteps(·,
//     maxSteps), is m itself when m already did, has the model outputs of
//     m at the mapped ids, and on inputs every tensor of m it keeps (every
//     node output, the split nodes' included, and the model outputs) holds
//     the same bytes as in m's run.
//
// Otherwise the error says which law failed: the first tensor of m and
// byte that differ, or the node over the bound. Precondition: m is valid
// and inputs fit its inputs.
func CheckSplit(m opml.Model, maxSteps uint64, inputs ...[]byte) error {
	return checkRewrite(SplitMapped, m, maxSteps, inputs)
}

func checkRewrite(split rewrite, m opml.Model, maxSteps uint64, inputs [][]byte) error {
	before := opml.Encode(m)
	out, ids, err := split(m, maxSteps)
	if !bytes.Equal(opml.Encode(m), before) {
		return fmt.Errorf("the rewrite changed its input model")
	}
	if err != nil {
		return checkRefusal(m, maxSteps, err)
	}
	if err := nodevm.ValidateSteps(out, maxSteps); err != nil {
		return fmt.Errorf("rewritten model: %v", err)
	}
	if nodevm.ValidateSteps(m, maxSteps) == nil && !bytes.Equal(opml.Encode(out), before) {
		return fmt.Errorf("the model fits the bound %d, but the rewrite changed it", maxSteps)
	}
	for i, id := range m.Outputs {
		if i >= len(out.Outputs) || ids[id] != out.Outputs[i] || len(out.Outputs) != len(m.Outputs) {
			return fmt.Errorf("model output %d (tensor %d) is not at its mapped id %d: outputs %v", i, id, ids[id], out.Outputs)
		}
	}
	return compareRuns(m, out, ids, inputs)
}

// checkRefusal returns nil when err is a justified refusal of m (CheckSplit).
func checkRefusal(m opml.Model, maxSteps uint64, err error) error {
	var e *Error
	if !errors.As(err, &e) {
		return fmt.Errorf("refused with %T %v, want *chunk.Error", err, err)
	}
	var sb *nodevm.StepBoundError
	var fe *opml.FormatError
	switch {
	case errors.As(e.Err, &fe) && fe.Code == opml.CodeTooLarge && e.Node < 0:
		return nil
	case e.Node < 0 || e.Node >= len(m.Nodes) || nodevm.EstimateSteps(m, e.Node) <= maxSteps:
		return fmt.Errorf("refused a node within the bound: %v", err)
	case !errors.As(e.Err, &sb) || sb.Estimate <= maxSteps || sb.Max != maxSteps:
		return fmt.Errorf("refused without a step-bound cause over %d: %v", maxSteps, err)
	}
	return nil
}

// compareRuns runs m and out on inputs and compares every tensor of m with
// its image under ids.
func compareRuns(m, out opml.Model, ids []int, inputs [][]byte) error {
	want, err := run(m, inputs)
	if err != nil {
		return fmt.Errorf("model: %v", err)
	}
	got, err := run(out, inputs)
	if err != nil {
		return fmt.Errorf("rewritten model: %v", err)
	}
	for id, nid := range ids {
		if nid < 0 {
			continue
		}
		if i := firstDiff(got[nid], want[id]); i >= 0 {
			return fmt.Errorf("tensor %d of the model (%s %v), %d of the rewritten one: byte %d of %d is %#02x, want %#02x",
				id, m.Tensors[id].DType, m.Tensors[id].Shape, nid, i, len(want[id]), at(got[nid], i), at(want[id], i))
		}
	}
	return nil
}

// run returns the bytes of every tensor of m on inputs.
func run(m opml.Model, inputs [][]byte) ([][]byte, error) {
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return nil, err
	}
	return e.Tensors(inputs...)
}

// firstDiff returns the first index where a and b differ (the shorter
// length when one is a prefix of the other), or −1 when they are equal.
func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}

// at returns b[i], or 0 past its end.
func at(b []byte, i int) byte {
	if i < len(b) {
		return b[i]
	}
	return 0
}
