package nodevm

import (
	"fmt"

	"github.com/opcity-spec/opcity/opml"
)

// MaxSteps is the most VM steps a node program's trace may take: the
// largest phase-3 trace the dispute game holds (2^32 trace indices, the
// default NodeVM.Max of dispute/trace). `opcity node` refuses a node whose
// EstimateSteps exceeds it and runs the program with it as its step cap
// (requirement CLI-NODE-BOUND).
const MaxSteps = 1 << 32

// The constants of EstimateSteps, calibrated on the bundled models
// (docs/opml.md §7.6): the most steps any bundled node spends per unit of
// work beyond its operand bytes is under 125 (Conv2D under the OPcity
// profile), per operand or output byte under 420 (the base program's Merkle
// hashing of a FullyConnected weight matrix), and the runtime start, the
// descriptor read and the exit take under 1.6 million steps. Each constant
// is rounded well up.
const (
	EstimateFixed   = 2_000_000 // steps of every run: runtime start to prestate, descriptor, exit
	EstimatePerWork = 200       // steps per unit of work (NodeWork)
	EstimatePerByte = 500       // steps per byte of the operands and the output (NodeBytes)
)

// EstimateSteps returns a conservative estimate of the VM steps of node k
// of the validated model m under either profile, from its cost:
// EstimateFixed + EstimatePerWork·work + EstimatePerByte·bytes, saturating
// at 2^63. It is at least every bundled node's measured trace length under
// both profiles (TestCLI_NODE_BOUND_Calibration). Precondition:
// 0 <= k < len(m.Nodes).
func EstimateSteps(m opml.Model, k int) uint64 {
	const lim = 1 << 63
	w, b := uint64(NodeWork(m, k)), uint64(NodeBytes(m, k))
	est := uint64(EstimateFixed)
	for _, term := range [][2]uint64{{w, EstimatePerWork}, {b, EstimatePerByte}} {
		if term[0] > (lim-est)/term[1] {
			return lim
		}
		est += term[0] * term[1]
	}
	return est
}

// StepBoundError reports a node of a model whose estimated VM steps
// (EstimateSteps) exceed the step bound Max: its phase-3 trace could be
// longer than the game can address (requirement OPML-NODE-WORK-BOUND).
type StepBoundError struct {
	Node     int     // the node's index in the model
	Op       opml.Op // its op
	Estimate uint64  // EstimateSteps of the node
	Work     int     // NodeWork of the node
	Bytes    int     // NodeBytes of the node
	Max      uint64  // the bound it exceeds
}

// Error names the node, its op, the estimate with its two terms and the
// bound, on one line.
func (e *StepBoundError) Error() string {
	return fmt.Sprintf("node %d (%s): about %d VM steps (work %d, %d operand and output bytes), over the %d steps a phase-3 trace holds",
		e.Node, e.Op, e.Estimate, e.Work, e.Bytes, e.Max)
}

// CheckNodeSteps returns a *StepBoundError when EstimateSteps(m, k) exceeds
// max, and nil otherwise (requirement OPML-NODE-WORK-BOUND). Precondition:
// m is validated and 0 <= k < len(m.Nodes).
func CheckNodeSteps(m opml.Model, k int, max uint64) error {
	if est := EstimateSteps(m, k); est > max {
		return &StepBoundError{Node: k, Op: m.Nodes[k].Op, Estimate: est, Work: NodeWork(m, k), Bytes: NodeBytes(m, k), Max: max}
	}
	return nil
}

// ValidateSteps is the per-node work bound of a validated model m: it
// returns the *StepBoundError of the first node whose EstimateSteps exceeds
// max, or nil when every node's estimate is at most max (requirement
// OPML-NODE-WORK-BOUND, docs/opml.md §7.6). With max = MaxSteps it refuses
// exactly the models one of whose nodes the game's phase 3 might not hold;
// opml/chunk rewrites a model whose large FullyConnected, MatMul and Conv2D
// nodes are the reason into one that passes.
func ValidateSteps(m opml.Model, max uint64) error {
	for k := range m.Nodes {
		if err := CheckNodeSteps(m, k, max); err != nil {
			return err
		}
	}
	return nil
}
