// Package predict reads a class prediction from an opML model's outputs.
// It is apart from package opml so that the guest programs, which link
// opml, do not change when it does.
package predict

import (
	"fmt"

	"github.com/opcity-spec/opcity/opml"
)

// Class returns the class model m predicts in one run whose outputs
// (Trace.Outputs, in m.Outputs order) are given: the one element of m's
// last output, when an ArgMax node writes that output and it holds exactly
// one element. For any other model the last output is not a class: ok is
// false and why says what the last output is instead (requirement
// CLI-INFER-NO-PREDICTION).
func Class(m opml.Model, outputs []opml.Tensor) (class int32, ok bool, why string) {
	if len(m.Outputs) == 0 || len(outputs) != len(m.Outputs) {
		return 0, false, "the model has no outputs"
	}
	id, last := m.Outputs[len(m.Outputs)-1], outputs[len(outputs)-1]
	k := id - m.FirstNodeTensor()
	if k < 0 || k >= len(m.Nodes) {
		return 0, false, fmt.Sprintf("its last output, tensor %d, is not written by a node", id)
	}
	if op := m.Nodes[k].Op; op != opml.OpArgMax {
		return 0, false, fmt.Sprintf("its last output is written by node %d, a %s, not an ArgMax", k, op)
	}
	if last.DType != opml.Int32 || len(last.Data) != 4 {
		return 0, false, fmt.Sprintf("its last output, of node %d (ArgMax), has %d elements, not one", k, last.Elements())
	}
	return last.Int32s()[0], true, ""
}
