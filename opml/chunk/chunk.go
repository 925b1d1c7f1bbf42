// Package chunk rewrites an opML model so that every node's VM trace fits
// the bound of the game's phase 3 (docs/opml.md §7.8). A FullyConnected,
// MatMul or Conv2D node whose estimated VM steps (nodevm.EstimateSteps)
// exceed the bound is split along its output axes into pieces, each the
// same op over slices of its operands, and the pieces are joined by Concat
// nodes. Every output element of a piece is computed by its op's formula
// from exactly the operand elements the unsplit node reads for it, so the
// rewritten model computes the same bytes for every tensor it keeps, on
// every input (requirement OPML-CHUNK-EXACT).
//
// When no split along the output axes brings a node within the bound, its
// inner dimension (FullyConnected's and MatMul's K, Conv2D's input
// channels) is cut too: each piece becomes a chain of accumulating nodes
// (opml's MatMulAcc or Conv2DAcc) that carry the int32 sum from one slice
// of the inner dimension to the next, and one Requantize; the sums wrap
// mod 2^32 as the unsplit kernel's do, so the chain is exact (inner.go).
//
// This is model-construction code: no VM program links it (OPML-CHUNK-PURE).
package chunk

import (
	"errors"
	"fmt"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// Error is a node of the model that Split cannot bring under the bound, or
// a rewritten model that breaks a limit of the format.
type Error struct {
	Node   int     // the node of the input model; −1 when the whole rewritten model is at fault
	Op     opml.Op // its op (0 when Node is −1)
	Reason string  // why the rewrite stops there
	// Err is the cause: the *nodevm.StepBoundError of the node, of a node
	// of the rewritten model that slices or joins its pieces, or (with
	// Node −1 in it, since it is not a node of any model) of its smallest
	// piece, a Slice that piece needs or the Concat that would join the
	// pieces; or the *opml.FormatError of the rewritten model.
	Err error
}

// Error returns "node K (OP): REASON: CAUSE" on one line, a step-bound
// cause as "a OP of about E VM steps (work W, B operand and output bytes), over the
// bound of MAX".
func (e *Error) Error() string {
	cause := e.Err.Error()
	var sb *nodevm.StepBoundError
	if errors.As(e.Err, &sb) {
		cause = fmt.Sprintf("a %s of about %d VM steps (work %d, %d operand and output bytes), over the bound of %d", sb.Op, sb.Estimate, sb.Work, sb.Bytes, sb.Max)
	}
	if e.Node < 0 {
		return fmt.Sprintf("%s: %s", e.Reason, cause)
	}
	return fmt.Sprintf("node %d (%s): %s: %s", e.Node, e.Op, e.Reason, cause)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Split returns m rewritten so that every node's nodevm.EstimateSteps is at
// most maxSteps (requirements OPML-CHUNK-EXACT, OPML-CHUNK-BOUND), as
// SplitMapped does, without the map of tensor ids.
func Split(m opml.Model, maxSteps uint64) (opml.Model, error) {
	out, _, err := SplitMapped(m, maxSteps)
	return out, err
}

// SplitMapped returns m rewritten so that every node's
// nodevm.EstimateSteps is at most maxSteps, and for every tensor id of m
// its id in the rewritten model (−1 for a constant the rewrite no longer
// needs). It is a pure function of its arguments.
//
// A model that already passes nodevm.ValidateSteps(m, maxSteps) is
// returned as it is, with the identity map. Otherwise each node over the
// bound is replaced, in place in the node order, as docs/opml.md §7.8
// says: its pieces over slices of its operands (a constant operand is
// sliced into new constants, any other by Slice nodes) and a balanced tree
// of Concat nodes whose root has the node's output declaration. Every
// other node is kept as it is. The constants are the kept constants of m in
// their order, then the new ones in the order the rewrite makes them; a
// constant of m that only split nodes read is dropped. The model outputs
// and every tensor of m that is not dropped hold the same bytes in the
// rewritten model, on every input.
//
// Errors: the *opml.FormatError of m.Validate, or an *Error: a node over
// the bound that is not a FullyConnected, MatMul or Conv2D node, one whose
// smallest piece (one element along every output axis, one term of its
// inner dimension) is still over it, a Slice or Concat of the rewrite
// over it, or a rewritten model
// over a limit of the format (opml.MaxTensors, MaxActivationBytes,
// MaxWork, and MaxModelBytes for its encoding, which Decode would refuse).
func SplitMapped(m opml.Model, maxSteps uint64) (opml.Model, []int, error) {
	return splitWith(m, maxSteps, (*graph).splitOutputs)
}

// splitWith is SplitMapped with the rewrite of one node over the bound
// given: splitOutputs, or in the tests a planted wrong one.
func splitWith(m opml.Model, maxSteps uint64, split func(g *graph, k int, maxSteps uint64) error) (opml.Model, []int, error) {
	if err := m.Validate(); err != nil {
		return opml.Model{}, nil, err
	}
	if nodevm.ValidateSteps(m, maxSteps) == nil {
		return m, identity(len(m.Tensors)), nil
	}
	g := newGraph(m)
	for k := range m.Nodes {
		if nodevm.EstimateSteps(m, k) <= maxSteps {
			g.keep(k)
		} else if err := split(g, k, maxSteps); err != nil {
			return opml.Model{}, nil, err
		}
	}
	out, ids := g.emit()
	if err := out.Validate(); err != nil {
		return opml.Model{}, nil, &Error{Node: -1, Reason: "the rewritten model is not valid", Err: err}
	}
	if n := len(opml.Encode(out)); n > opml.MaxModelBytes {
		return opml.Model{}, nil, &Error{Node: -1, Reason: "the rewritten model is not valid",
			Err: &opml.FormatError{Code: opml.CodeTooLarge, Field: "model", Offset: -1, Detail: fmt.Sprintf("%d bytes encoded, over %d", n, opml.MaxModelBytes)}}
	}
	if err := nodevm.ValidateSteps(out, maxSteps); err != nil {
		var sb *nodevm.StepBoundError
		errors.As(err, &sb)
		k := g.nodes[sb.Node].from
		return opml.Model{}, nil, &Error{Node: k, Op: m.Nodes[k].Op,
			Reason: fmt.Sprintf("node %d of the rewritten model, a %s that slices or joins its pieces, is over the bound", sb.Node, sb.Op), Err: err}
	}
	return out, ids, nil
}

// identity returns 0, 1, …, n−1.
func identity(n int) []int {
	ids := make([]int, n)
	for i := range ids {
		ids[i] = i
	}
	return ids
}
