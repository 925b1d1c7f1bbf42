package opml

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/opcity-spec/opcity/spec/memory"
)

// The node-descriptor format's fixed values (docs/opml.md §7).
const (
	NodeMagic      = "OPND" // bytes 0..3 of every node descriptor
	NodeVersion    = 1      // the only version this package reads and writes
	NodeHeaderSize = 48     // bytes before the first operand record
	operandRecord  = 64     // commitment and keccak256 of one operand
)

// Operand is what a node descriptor says about one input tensor of the
// node: its commitment (ComputeTensorRoot of its canonical bytes, the value
// the graph-state table holds) and the keccak256 of the same bytes, which is
// the preimage-oracle key (type 2) the node program fetches them by.
type Operand struct {
	Commitment memory.Hash
	Keccak     memory.Hash
}

// NodeDescriptor is everything the node program needs to recompute node
// Index of the model with content hash ModelHash (requirement
// OPML-NODE-DESCRIPTOR): the operands, and Graph, the node alone as a model
// of its own — no constants, one input per operand (in the node's input
// order, with the operands' declarations), the one node, and its output as
// the only model output. Running Graph on the operands' bytes computes the
// node exactly as running the whole model does, because a kernel reads
// only the declarations and bytes of its operands.
type NodeDescriptor struct {
	ModelHash memory.Hash
	Index     int
	Operands  []Operand
	Graph     Model
}

// NodeDescriptorOf returns the descriptor of node k of m, given the
// canonical bytes of every tensor of a run by id (Executor.Tensors), and
// the operands' bytes in the node's input order.
// Errors: *FormatError (CodeBadID) for k out of range or tensors too short.
func NodeDescriptorOf(m Model, k int, tensors [][]byte) (NodeDescriptor, [][]byte, error) {
	if k < 0 || k >= len(m.Nodes) {
		return NodeDescriptor{}, nil, formatErr(CodeBadID, "node", "node %d of %d", k, len(m.Nodes))
	}
	n := m.Nodes[k]
	if len(tensors) <= n.Output {
		return NodeDescriptor{}, nil, formatErr(CodeBadID, "tensors", "%d tensors, node %d reads up to %d", len(tensors), k, n.Output)
	}
	g := Model{Inputs: len(n.Inputs), Outputs: []int{len(n.Inputs)}}
	d := NodeDescriptor{ModelHash: m.Hash(), Index: k}
	var data [][]byte
	for _, id := range n.Inputs {
		t := m.Tensors[id]
		g.Tensors = append(g.Tensors, Tensor{DType: t.DType, Shape: slices.Clone(t.Shape), Quant: t.Quant})
		d.Operands = append(d.Operands, Operand{Commitment: ComputeTensorRoot(tensors[id]), Keccak: memory.Keccak256(tensors[id])})
		data = append(data, tensors[id])
	}
	out := m.Tensors[n.Output]
	g.Tensors = append(g.Tensors, Tensor{DType: out.DType, Shape: slices.Clone(out.Shape), Quant: out.Quant})
	inputs := make([]int, len(n.Inputs))
	for i := range inputs {
		inputs[i] = i
	}
	g.Nodes = []Node{{Op: n.Op, Inputs: inputs, Output: len(n.Inputs), Params: slices.Clone(n.Params)}}
	d.Graph = g
	return d, data, g.Validate()
}

// Encode returns the descriptor's canonical encoding (requirement
// OPML-NODE-DESCRIPTOR). Integers are big-endian:
//
//	offset  size  field
//	0       4     magic "OPND" (4f 50 4e 44)
//	4       2     version: 1
//	6       2     reserved: 0
//	8       32    model content hash (Model.Hash)
//	40      4     node index k
//	44      4     a: number of operands, the node's arity
//	48      64·a  per operand: commitment (32), keccak256 of its bytes (32)
//	48+64a  …     Graph in the model format (Encode), to the end
func (d NodeDescriptor) Encode() []byte {
	b := make([]byte, 0, NodeHeaderSize+operandRecord*len(d.Operands)+encodedSize(d.Graph))
	b = append(b, NodeMagic...)
	b = binary.BigEndian.AppendUint16(b, NodeVersion)
	b = binary.BigEndian.AppendUint16(b, 0)
	b = append(b, d.ModelHash[:]...)
	b = appendInt(b, d.Index)
	b = appendInt(b, len(d.Operands))
	for _, o := range d.Operands {
		b = append(b, o.Commitment[:]...)
		b = append(b, o.Keccak[:]...)
	}
	return append(b, Encode(d.Graph)...)
}

// DecodeNodeDescriptor parses a descriptor encoded as
// [NodeDescriptor.Encode] describes. It accepts only canonical encodings of
// a Graph that is one node over its operands: no constants, one input per
// operand, one node reading inputs 0..a−1 in order, and its output as the
// only model output. Errors: *FormatError (CodeTruncated, CodeBadMagic,
// CodeBadVersion, CodeReserved, CodeTooLarge, CodeBadCount, and every error of
// Decode for the graph, with offsets relative to the descriptor).
func DecodeNodeDescriptor(b []byte) (NodeDescriptor, error) {
	if len(b) > MaxModelBytes {
		return NodeDescriptor{}, &FormatError{Code: CodeTooLarge, Field: "descriptor", Detail: fmt.Sprintf("%d bytes, limit %d", len(b), MaxModelBytes)}
	}
	r := &reader{b: b}
	head, err := r.take(NodeHeaderSize, "descriptor header")
	if err != nil {
		return NodeDescriptor{}, err
	}
	switch {
	case string(head[:4]) != NodeMagic:
		return NodeDescriptor{}, r.fail(CodeBadMagic, "magic", 0, "%q, want %q", head[:4], NodeMagic)
	case binary.BigEndian.Uint16(head[4:]) != NodeVersion:
		return NodeDescriptor{}, r.fail(CodeBadVersion, "version", 4, "%d, want %d", binary.BigEndian.Uint16(head[4:]), NodeVersion)
	case binary.BigEndian.Uint16(head[6:]) != 0:
		return NodeDescriptor{}, r.fail(CodeReserved, "reserved", 6, "%d", binary.BigEndian.Uint16(head[6:]))
	}
	d := NodeDescriptor{Index: int(binary.BigEndian.Uint32(head[40:]))}
	copy(d.ModelHash[:], head[8:40])
	a := binary.BigEndian.Uint32(head[44:])
	if d.Index > MaxTensors {
		return NodeDescriptor{}, r.fail(CodeTooLarge, "index", 40, "%d, limit %d", d.Index, MaxTensors)
	}
	if a == 0 || a > maxArity {
		return NodeDescriptor{}, r.fail(CodeBadArity, "operands", 44, "%d operands, want 1 to %d", a, maxArity)
	}
	recs, err := r.take(int(a)*operandRecord, "operands")
	if err != nil {
		return NodeDescriptor{}, err
	}
	for i := range int(a) {
		var o Operand
		copy(o.Commitment[:], recs[i*operandRecord:])
		copy(o.Keccak[:], recs[i*operandRecord+32:])
		d.Operands = append(d.Operands, o)
	}
	start := r.off
	g, err := Decode(b[start:])
	if err != nil {
		if fe, ok := err.(*FormatError); ok && fe.Offset >= 0 {
			fe.Offset += start
		}
		return NodeDescriptor{}, err
	}
	if err := checkNodeGraph(g, int(a)); err != nil {
		return NodeDescriptor{}, err
	}
	d.Graph = g
	return d, nil
}

// maxArity is the largest arity of any op.
const maxArity = 3

// checkNodeGraph checks that g is a single node over its a inputs, as
// NodeDescriptorOf builds it. Errors: *FormatError with Offset −1.
func checkNodeGraph(g Model, a int) error {
	if g.Consts != 0 || g.Inputs != a || len(g.Nodes) != 1 {
		return formatErr(CodeBadCount, "graph", "%d constants, %d inputs, %d nodes; want 0, %d, 1", g.Consts, g.Inputs, len(g.Nodes), a)
	}
	for i, id := range g.Nodes[0].Inputs {
		if id != i {
			return formatErr(CodeBadID, "graph.node[0].inputs", "input %d reads tensor %d, want %d", i, id, i)
		}
	}
	if len(g.Outputs) != 1 || g.Outputs[0] != a {
		return formatErr(CodeBadOutputs, "graph.outputs", "%v, want [%d]", g.Outputs, a)
	}
	return nil
}

// OperandError reports an operand whose bytes do not match the descriptor.
type OperandError struct {
	Index  int    // operand index
	Reason string // "length" or "commitment"
	Detail string
}

func (e *OperandError) Error() string {
	return fmt.Sprintf("opml: operand %d: %s mismatch: %s", e.Index, e.Reason, e.Detail)
}

// Apply computes the node on the operands' canonical bytes and returns the
// output's canonical bytes and its commitment (requirement OPML-NODE-APPLY).
// Each operand must have its declared length and its committed root; the
// keccak256 keys are not checked here (the preimage oracle guarantees
// them). The operands' and the output's ComputeTensorRoot share one sponge.
// Errors: *OperandError.
func (d NodeDescriptor) Apply(operands [][]byte) ([]byte, memory.Hash, error) {
	if len(operands) != len(d.Operands) {
		return nil, memory.Hash{}, &OperandError{Index: -1, Reason: "count", Detail: fmt.Sprintf("%d operands, want %d", len(operands), len(d.Operands))}
	}
	k := new(memory.PairHasher)
	for i, data := range operands {
		if want := d.Graph.Tensors[i].ByteSize(); len(data) != want {
			return nil, memory.Hash{}, &OperandError{Index: i, Reason: "length", Detail: fmt.Sprintf("%d bytes, want %d", len(data), want)}
		}
		if got := tensorRoot(k, data); got != d.Operands[i].Commitment {
			return nil, memory.Hash{}, &OperandError{Index: i, Reason: "commitment", Detail: fmt.Sprintf("bytes commit to %s, descriptor says %s", got, d.Operands[i].Commitment)}
		}
	}
	data, err := d.Compute(operands)
	if err != nil {
		return nil, memory.Hash{}, err
	}
	return data, tensorRoot(k, data), nil
}

// Compute computes the node on the operands' canonical bytes and returns
// the output's canonical bytes, checking only the operands' count and
// lengths: the caller vouches for their commitments (the OPcity profile's
// node program binds each operand to its commitment with tensor_map, so the
// VM has already checked it). Errors: *OperandError.
func (d NodeDescriptor) Compute(operands [][]byte) ([]byte, error) {
	if len(operands) != len(d.Operands) {
		return nil, &OperandError{Index: -1, Reason: "count", Detail: fmt.Sprintf("%d operands, want %d", len(operands), len(d.Operands))}
	}
	for i, data := range operands {
		if want := d.Graph.Tensors[i].ByteSize(); len(data) != want {
			return nil, &OperandError{Index: i, Reason: "length", Detail: fmt.Sprintf("%d bytes, want %d", len(data), want)}
		}
	}
	e := &Executor{m: d.Graph, workers: 1}
	vals, err := e.eval(operands, nil)
	if err != nil {
		return nil, err
	}
	out := d.Graph.Tensors[len(d.Operands)]
	return encodeValue(out.DType, vals[len(d.Operands)]), nil
}
