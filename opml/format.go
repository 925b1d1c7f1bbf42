package opml

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/memory"
)

// The format's fixed values.
const (
	Magic      = "OPML" // bytes 0..3 of every model
	Version    = 1      // the only version this package reads and writes
	HeaderSize = 24     // bytes before the first tensor record

	minTensorRecord = 28 // a rank-1 tensor without data
	minNodeRecord   = 12 // one input, no params
)

// Encode returns the canonical encoding of m (requirement OPML-FMT-ENCODE).
// All integers are big-endian; signed ones are two's complement. The
// encoding is a header, T = C+I+N tensor records in id order, N node records
// in node order, and O output ids, with nothing before, between or after:
//
//	header (24 bytes)
//	offset  size  field
//	0       4     magic "OPML" (4f 50 4d 4c)
//	4       2     version: 1
//	6       2     reserved: 0
//	8       4     C: number of constant tensors (ids 0..C−1)
//	12      4     I: number of input tensors (ids C..C+I−1)
//	16      4     N: number of nodes (node k writes tensor C+I+k)
//	20      4     O: number of model outputs, 1..T
//
//	tensor record (24 + 4·r + L bytes)
//	0       4     id: the record's index, 0..T−1
//	4       1     dtype: 1 int8, 2 int32
//	5       1     r: rank, 1..4
//	6       2     reserved: 0
//	8       4·r   dims, outermost first, each 1..2^24; at most 2^24 elements
//	8+4r    4     zero point (int32): −128..127 for int8, 0 for int32
//	12+4r   4     scale multiplier (int32): 0 (unspecified) or 1..2^31−1
//	16+4r   4     scale shift (int32): −31..31; 0 when the multiplier is 0
//	20+4r   4     L: data length; elements·dtype size for a constant, else 0
//	24+4r   L     data: the elements row-major, each big-endian
//
//	node record (8 + 4·a + 4·p bytes)
//	0       1     op: 1 FullyConnected, 2 Conv2D, 3 Add, 4 ReLU, 5 MaxPool2D, 6 Reshape, 7 ArgMax,
//	              8 MatMul, 9 Transpose, 10 Slice, 11 Concat, 12 Gather, 13 Mul, 14 ResidualAdd,
//	              15 Softmax, 16 LayerNorm, 17 GELU, 18 MatMulAcc, 19 Conv2DAcc, 20 Requantize
//	              (docs/opml.md §3.8)
//	1       1     a: number of inputs, the op's arity
//	2       1     p: number of params, the op's param count
//	3       1     reserved: 0
//	4       4     output tensor id: C+I+k for node k
//	8       4·a   input tensor ids, each < the output id
//	8+4a    4·p   params (int32), layout per op
//
//	outputs (4·O bytes)
//	0       4·O   tensor ids, strictly increasing
//
// Encode is defined for models that pass Validate; for others it still
// returns bytes (never panics) but fields out of their range are truncated.
func Encode(m Model) []byte {
	b := make([]byte, 0, encodedSize(m))
	b = append(b, Magic...)
	b = binary.BigEndian.AppendUint16(b, Version)
	b = binary.BigEndian.AppendUint16(b, 0)
	for _, v := range []int{m.Consts, m.Inputs, len(m.Nodes), len(m.Outputs)} {
		b = appendInt(b, v)
	}
	for id, t := range m.Tensors {
		b = appendTensor(b, id, t)
	}
	for _, n := range m.Nodes {
		b = appendNode(b, n)
	}
	for _, id := range m.Outputs {
		b = appendInt(b, id)
	}
	return b
}

// encodedSize returns the length of Encode(m), to allocate once.
func encodedSize(m Model) int {
	n := HeaderSize + 4*len(m.Outputs)
	for _, t := range m.Tensors {
		n += 24 + 4*len(t.Shape) + len(t.Data)
	}
	for _, nd := range m.Nodes {
		n += 8 + 4*len(nd.Inputs) + 4*len(nd.Params)
	}
	return n
}

// appendInt appends v as 4 bytes (its low 32 bits).
func appendInt(b []byte, v int) []byte {
	return binary.BigEndian.AppendUint32(b, uint32(v))
}

// appendTensor appends tensor record id.
func appendTensor(b []byte, id int, t Tensor) []byte {
	b = appendInt(b, id)
	b = append(b, byte(t.DType), byte(len(t.Shape)), 0, 0)
	for _, d := range t.Shape {
		b = appendInt(b, d)
	}
	for _, v := range []int32{t.Quant.Zero, t.Quant.Scale.Mult, t.Quant.Scale.Shift} {
		b = appendInt(b, int(v))
	}
	b = appendInt(b, len(t.Data))
	return append(b, t.Data...)
}

// appendNode appends one node record.
func appendNode(b []byte, n Node) []byte {
	b = append(b, byte(n.Op), byte(len(n.Inputs)), byte(len(n.Params)), 0)
	b = appendInt(b, n.Output)
	for _, id := range n.Inputs {
		b = appendInt(b, id)
	}
	for _, p := range n.Params {
		b = appendInt(b, int(p))
	}
	return b
}

// Hash returns the model's content hash, keccak256(Encode(m))
// (requirement OPML-FMT-HASH). Because Decode accepts only canonical
// encodings, two files decode to the same model exactly when their bytes,
// and so their hashes, are equal.
func (m Model) Hash() memory.Hash {
	return memory.Keccak256(Encode(m))
}
