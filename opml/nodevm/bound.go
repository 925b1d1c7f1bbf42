package nodevm

import "github.com/opcity-spec/opcity/opml"

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
