package opml

import "strconv"

// DType is a tensor's element type.
type DType uint8

// The element types. Both are stored big-endian two's complement, row-major.
const (
	Int8  DType = 1 // 1 byte per element
	Int32 DType = 2 // 4 bytes per element, big-endian
)

// Size returns the number of bytes of one element, or 0 for an unknown DType.
func (d DType) Size() int {
	switch d {
	case Int8:
		return 1
	case Int32:
		return 4
	}
	return 0
}

// String returns "int8", "int32" or "dtype(N)".
func (d DType) String() string {
	switch d {
	case Int8:
		return "int8"
	case Int32:
		return "int32"
	}
	return "dtype(" + itoa(int64(d)) + ")"
}

// Quant is a tensor's quantization: the real value of an element q is
// Scale·(q − Zero). Kernels read only Zero; Scale is informative metadata
// (for tools that dequantize), and Fixed{} means "unspecified". An int8
// tensor has Zero in [−128, 127]; an int32 tensor has Zero = 0.
type Quant struct {
	Zero  int32
	Scale Fixed
}

// Tensor is one entry of a model's tensor table: its element type, shape
// (row-major, rank 1 to MaxRank, every dimension in [1, MaxDim]),
// quantization and, for a constant, its canonical bytes: the elements in
// row-major order, each big-endian, exactly as VM memory holds them. Data is
// nil for inputs and node outputs.
type Tensor struct {
	DType DType
	Shape []int
	Quant Quant
	Data  []byte
}

// Elements returns the product of t's dimensions (1 for an empty shape). It
// saturates at MaxElements+1 instead of overflowing, so an oversized shape is
// never mistaken for a small one.
func (t Tensor) Elements() int {
	n := 1
	for _, d := range t.Shape {
		if d < 0 {
			return MaxElements + 1
		}
		n = satMul(n, d, MaxElements+1)
	}
	return n
}

// ByteSize returns Elements()·DType.Size(): the length of t's canonical bytes.
func (t Tensor) ByteSize() int {
	return t.Elements() * t.DType.Size()
}

// Op identifies a node's operation; the numbers are the format's op codes.
type Op uint8

// The operations. Arity and parameter layouts are in [Op.Arity] and
// [Op.ParamCount] and, in full, in docs/opml.md.
const (
	OpFullyConnected Op = 1 // inputs x, w, b; params mult, shift
	OpConv2D         Op = 2 // inputs x, w, b; params mult, shift, strideH, strideW, padTop, padLeft, padBottom, padRight
	OpAdd            Op = 3 // inputs a, b; params multA, multB, shift
	OpReLU           Op = 4 // input x; no params
	OpMaxPool2D      Op = 5 // input x; params kH, kW, strideH, strideW, padTop, padLeft, padBottom, padRight
	OpReshape        Op = 6 // input x; no params (the output tensor's shape is the new shape)
	OpArgMax         Op = 7 // input x; no params

	// The transformer ops (issue 18): appended, existing codes keep their meaning.
	OpMatMul      Op = 8  // inputs a, b, r (per-channel bias, mult, shift); param transB
	OpTranspose   Op = 9  // input x; params perm[0..3]
	OpSlice       Op = 10 // input x; params axis, begin, end
	OpConcat      Op = 11 // inputs a, b; param axis
	OpGather      Op = 12 // inputs table, indices; no params
	OpMul         Op = 13 // inputs a, b; params mult, shift
	OpResidualAdd Op = 14 // inputs a, b (int32); no params
	OpSoftmax     Op = 15 // input x; params qLn2, qB, qC, outShift
	OpLayerNorm   Op = 16 // inputs x, gamma, beta; params eps, frac, shift
	OpGELU        Op = 17 // input x; params b, c, one, mult, shift

	// The accumulating ops (docs/opml.md §3.20–§3.22), which carry an
	// int32 partial sum from one piece of a split product to the next.
	OpMatMulAcc  Op = 18 // inputs a, b, c (int32 carry-in); param transB
	OpConv2DAcc  Op = 19 // inputs x, w, c (int32 carry-in); params strideH, strideW, padTop, padLeft, padBottom, padRight
	OpRequantize Op = 20 // inputs x (int32), r (int32 [M,3] or [1,3]); no params
)

// opInfo is one row of the op table.
type opInfo struct {
	name   string
	arity  int
	params int
}

var opTable = map[Op]opInfo{
	OpFullyConnected: {"FullyConnected", 3, 2},
	OpConv2D:         {"Conv2D", 3, 8},
	OpAdd:            {"Add", 2, 3},
	OpReLU:           {"ReLU", 1, 0},
	OpMaxPool2D:      {"MaxPool2D", 1, 8},
	OpReshape:        {"Reshape", 1, 0},
	OpArgMax:         {"ArgMax", 1, 0},
	OpMatMul:         {"MatMul", 3, 1},
	OpTranspose:      {"Transpose", 1, 4},
	OpSlice:          {"Slice", 1, 3},
	OpConcat:         {"Concat", 2, 1},
	OpGather:         {"Gather", 2, 0},
	OpMul:            {"Mul", 2, 2},
	OpResidualAdd:    {"ResidualAdd", 2, 0},
	OpSoftmax:        {"Softmax", 1, 4},
	OpLayerNorm:      {"LayerNorm", 3, 3},
	OpGELU:           {"GELU", 1, 5},
	OpMatMulAcc:      {"MatMulAcc", 3, 1},
	OpConv2DAcc:      {"Conv2DAcc", 3, 6},
	OpRequantize:     {"Requantize", 2, 0},
}

// IsKnown reports whether o is one of the operations above.
func (o Op) IsKnown() bool {
	_, ok := opTable[o]
	return ok
}

// String returns the op's name, or "op(N)" for an unknown op.
func (o Op) String() string {
	if info, ok := opTable[o]; ok {
		return info.name
	}
	return "op(" + itoa(int64(o)) + ")"
}

// Arity returns the number of input tensors o takes (0 for an unknown op).
func (o Op) Arity() int { return opTable[o].arity }

// ParamCount returns the number of int32 parameters o takes (0 for an unknown op).
func (o Op) ParamCount() int { return opTable[o].params }

// Node is one operation of the graph: Op applied to the tensors Inputs (ids)
// with the int32 Params of Op's layout, writing tensor Output.
type Node struct {
	Op     Op
	Inputs []int
	Output int
	Params []int32
}

// Model is an integer-quantized computation graph (see the package doc for
// the format). Tensor ids are indexes into Tensors, in canonical order: ids
// [0, Consts) are constants (weights, biases) with Data, ids [Consts,
// Consts+Inputs) are the inputs, and node k writes tensor Consts+Inputs+k.
// Every node reads only tensors with smaller ids, so Nodes is a topological
// order. Outputs lists the ids the model returns, strictly increasing.
type Model struct {
	Tensors []Tensor
	Consts  int
	Inputs  int
	Nodes   []Node
	Outputs []int
}

// FirstNodeTensor returns Consts+Inputs: the id of node 0's output.
func (m Model) FirstNodeTensor() int { return m.Consts + m.Inputs }

// Limits enforced by [Decode] and [Model.Validate] (requirement
// OPML-FMT-LIMITS). They bound what a file can make a reader allocate or
// compute.
const (
	MaxModelBytes      = 1 << 26 // 64 MiB: the largest accepted encoding
	MaxTensors         = 1 << 16 // constants + inputs + nodes
	MaxRank            = 4       // dimensions per tensor
	MaxDim             = 1 << 24 // largest single dimension, stride or kernel size
	MaxElements        = 1 << 24 // elements per tensor
	MaxActivationBytes = 1 << 26 // bytes of all inputs and node outputs together
	MaxWork            = 1 << 32 // multiply-accumulates and comparisons of all nodes together
)

// satMul returns a·b for non-negative a, b, or limit if a·b >= limit.
// Preconditions: a, b >= 0 and limit > 0.
func satMul(a, b, limit int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a >= limit || b >= limit || a > (limit-1)/b {
		return limit
	}
	return a * b
}

// satAdd returns a+b for non-negative a, b, or limit if a+b >= limit.
func satAdd(a, b, limit int) int {
	if a >= limit || b >= limit || a >= limit-b {
		return limit
	}
	return a + b
}

// itoa formats v in decimal.
func itoa(v int64) string { return strconv.FormatInt(v, 10) }
