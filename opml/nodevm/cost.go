package nodevm

import "github.com/opcity-spec/opcity/opml"

// NodeWork returns the work of node k of a validated model m as
// opml.Model.Validate counts it toward opml.MaxWork (requirement
// OPML-WORK-COST, docs/opml.md §4.3): multiply-accumulates for
// FullyConnected (N·K·M) and Conv2D (N·OH·OW·OC·KH·KW·C), window positions
// for MaxPool2D (N·OH·OW·C·KH·KW, padded positions included, because the
// kernel's loops visit them), multiply-accumulates for MatMul (B·N·M·K),
// output elements for Transpose, Slice, Concat, Gather, Mul, ResidualAdd,
// GELU and Requantize, multiply-accumulates for MatMulAcc and Conv2DAcc as
// for MatMul and Conv2D, 3 per element for Softmax, 3 per element and 32 per row for
// LayerNorm, and input elements for the other ops. It is
// computed here from the declarations, not exported from opml, because the
// node programs link opml and any change to its source moves their
// prestates; TestOPML_WORK_COST_SameAsValidate holds it equal to opml's
// count. Precondition: 0 <= k < len(m.Nodes), so every product is at most
// opml.MaxWork per node factor and fits an int.
func NodeWork(m opml.Model, k int) int {
	n := m.Nodes[k]
	out := m.Tensors[n.Output].Elements()
	x := m.Tensors[n.Inputs[0]]
	switch n.Op {
	case opml.OpFullyConnected: // x [N,K]: N·M outputs, K each
		return out * x.Shape[1]
	case opml.OpConv2D: // filter [OC,KH,KW,C]: N·OH·OW·OC outputs, KH·KW·C each
		f := m.Tensors[n.Inputs[1]].Shape
		return out * f[1] * f[2] * f[3]
	case opml.OpMaxPool2D: // params KH, KW first
		return out * int(n.Params[0]) * int(n.Params[1])
	case opml.OpConv2DAcc: // as Conv2D
		f := m.Tensors[n.Inputs[1]].Shape
		return out * f[1] * f[2] * f[3]
	case opml.OpMatMul, opml.OpMatMulAcc: // b [.., K, M] or, transposed, [.., M, K]
		b := m.Tensors[n.Inputs[1]].Shape
		return out * b[len(b)-2+int(n.Params[0])]
	case opml.OpTranspose, opml.OpSlice, opml.OpConcat, opml.OpGather, opml.OpMul, opml.OpResidualAdd, opml.OpGELU, opml.OpRequantize:
		return out
	case opml.OpSoftmax: // max, exponential and division passes
		return 3 * out
	case opml.OpLayerNorm: // sum, squares and normalization passes, 32 Newton steps per row
		return 3*out + 32*(out/x.Shape[len(x.Shape)-1])
	}
	return x.Elements()
}

// NodeBytes returns the bytes of node k's operands and output in a
// validated model m: what the node program fetches, hashes and writes.
// Precondition: 0 <= k < len(m.Nodes).
func NodeBytes(m opml.Model, k int) int {
	n := m.Nodes[k]
	total := m.Tensors[n.Output].ByteSize()
	for _, id := range n.Inputs {
		total += m.Tensors[id].ByteSize()
	}
	return total
}
