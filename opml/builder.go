package opml

import "slices"

// Builder assembles a Model in canonical order: constants first, then
// inputs, then nodes, each node's output declaration derived from its
// operands by the same rules Validate checks. Every method returns the new
// tensor's id; after the first error the Builder ignores further calls,
// returns −1 and Build returns that error (a *FormatError).
type Builder struct {
	m   Model
	err error
}

// Const adds a constant tensor (t.Data holds its canonical bytes). It must
// be called before any Input or node.
func (b *Builder) Const(t Tensor) int {
	if b.err != nil {
		return -1
	}
	id := len(b.m.Tensors)
	if b.m.Inputs > 0 || len(b.m.Nodes) > 0 {
		b.err = formatErr(CodeBadID, "tensor["+itoa(int64(id))+"]", "constants come before inputs and nodes")
		return -1
	}
	t.Shape, t.Data = slices.Clone(t.Shape), slices.Clone(t.Data)
	if b.err = checkTensor(id, t, true); b.err != nil {
		return -1
	}
	b.m.Tensors = append(b.m.Tensors, t)
	b.m.Consts++
	return id
}

// Int8Const adds an int8 constant of the given shape, quantization and elements.
func (b *Builder) Int8Const(shape []int, q Quant, v []int8) int {
	return b.Const(Tensor{DType: Int8, Shape: shape, Quant: q, Data: Int8Bytes(v)})
}

// Int32Const adds an int32 constant (zero point 0) of the given shape,
// scale and elements: a bias.
func (b *Builder) Int32Const(shape []int, scale Fixed, v []int32) int {
	return b.Const(Tensor{DType: Int32, Shape: shape, Quant: Quant{Scale: scale}, Data: Int32Bytes(v)})
}

// Input adds an input tensor. It must be called before any node.
func (b *Builder) Input(d DType, shape []int, q Quant) int {
	if b.err != nil {
		return -1
	}
	id := len(b.m.Tensors)
	if len(b.m.Nodes) > 0 {
		b.err = formatErr(CodeBadID, "tensor["+itoa(int64(id))+"]", "inputs come before nodes")
		return -1
	}
	t := Tensor{DType: d, Shape: slices.Clone(shape), Quant: q}
	if b.err = checkTensor(id, t, false); b.err != nil {
		return -1
	}
	b.m.Tensors = append(b.m.Tensors, t)
	b.m.Inputs++
	return id
}

// FC adds a FullyConnected node: x [N,K], w [M,K], bias [M] int32, output
// [N,M] int8 with multiplier out and quantization q.
func (b *Builder) FC(x, w, bias int, out Fixed, q Quant) int {
	return b.node(OpFullyConnected, []int{x, w, bias}, []int32{out.Mult, out.Shift}, q, nil)
}

// Conv2D adds a Conv2D node: x [N,H,W,C], filter [OC,KH,KW,C], bias [OC],
// the given strides and pads (top, left, bottom, right), output [N,OH,OW,OC]
// int8 with multiplier out and quantization q.
func (b *Builder) Conv2D(x, filter, bias int, strideH, strideW int, pad [4]int, out Fixed, q Quant) int {
	p := b.params(strideH, strideW, pad[0], pad[1], pad[2], pad[3])
	return b.node(OpConv2D, []int{x, filter, bias}, append([]int32{out.Mult, out.Shift}, p...), q, nil)
}

// Add adds an Add node: Y = sat(q.Zero + RoundShift((a−za)·multA + (c−zc)·multB, 31+shift)).
func (b *Builder) Add(a, c int, multA, multB, shift int32, q Quant) int {
	return b.node(OpAdd, []int{a, c}, []int32{multA, multB, shift}, q, nil)
}

// ReLU adds a ReLU node; the output has x's shape and quantization.
func (b *Builder) ReLU(x int) int {
	return b.node(OpReLU, []int{x}, nil, Quant{}, nil)
}

// MaxPool2D adds a MaxPool2D node with window win over x [N,H,W,C].
func (b *Builder) MaxPool2D(x int, win Window) int {
	p := b.params(win.KH, win.KW, win.StrideH, win.StrideW, win.PadTop, win.PadLeft, win.PadBottom, win.PadRight)
	return b.node(OpMaxPool2D, []int{x}, p, Quant{}, nil)
}

// params converts window parameters to int32, recording CodeBadParam for a
// value outside [0, MaxDim].
func (b *Builder) params(vals ...int) []int32 {
	out := make([]int32, len(vals))
	for i, v := range vals {
		if (v < 0 || v > MaxDim) && b.err == nil {
			b.err = formatErr(CodeBadParam, "node["+itoa(int64(len(b.m.Nodes)))+"].params", "%d outside [0, %d]", v, MaxDim)
		}
		out[i] = int32(v)
	}
	return out
}

// Reshape adds a Reshape node giving x the shape shape (same element count).
func (b *Builder) Reshape(x int, shape []int) int {
	return b.node(OpReshape, []int{x}, nil, Quant{}, shape)
}

// Flatten adds a Reshape of x [d0, d1, …] to [d0, d1·…].
func (b *Builder) Flatten(x int) int {
	if b.err != nil {
		return -1
	}
	if x < 0 || x >= len(b.m.Tensors) {
		b.err = formatErr(CodeDanglingID, "node["+itoa(int64(len(b.m.Nodes)))+"].inputs[0]", "tensor %d does not exist", x)
		return -1
	}
	s := b.m.Tensors[x].Shape
	return b.Reshape(x, []int{s[0], b.m.Tensors[x].Elements() / s[0]})
}

// ArgMax adds an ArgMax node over the last axis of x.
func (b *Builder) ArgMax(x int) int {
	return b.node(OpArgMax, []int{x}, nil, Quant{}, nil)
}

// node appends a node and its derived output declaration.
func (b *Builder) node(op Op, inputs []int, params []int32, q Quant, shape []int) int {
	if b.err != nil {
		return -1
	}
	n := Node{Op: op, Inputs: inputs, Output: len(b.m.Tensors), Params: params}
	f := "node[" + itoa(int64(len(b.m.Nodes))) + "]"
	b.m.Nodes = append(b.m.Nodes, n) // so that checkInputIDs sees n's position
	if b.err = b.m.checkInputIDs(f, n); b.err != nil {
		return -1
	}
	t, err := deriveOutput(b.m.Tensors, n, q, slices.Clone(shape), f)
	if err == nil {
		t.Shape = slices.Clone(t.Shape)
		err = checkTensorDecl(f+".output", t)
	}
	if b.err = err; err != nil {
		return -1
	}
	b.m.Tensors = append(b.m.Tensors, t)
	return n.Output
}

// Build returns the model with the given outputs after Validate.
// Errors: the first error of the Builder, or the *FormatError of Validate.
func (b *Builder) Build(outputs ...int) (Model, error) {
	if b.err != nil {
		return Model{}, b.err
	}
	m := b.m
	m.Outputs = slices.Clone(outputs)
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}

// MatMul adds a MatMul node: a [B,N,K] or [N,K], b [K,M] (or [M,K] with
// transB; rank 3 with a leading batch for a per-batch operand), r the
// int32 [M,3] table of per-column bias, multiplier and shift; the output is
// int8 [.., N, M] with quantization q.
func (b *Builder) MatMul(a, bm, r int, transB bool, q Quant) int {
	return b.node(OpMatMul, []int{a, bm, r}, []int32{int32(btoi(transB))}, q, nil)
}

// Transpose adds a Transpose node permuting x's axes: output axis d is
// input axis perm[d].
func (b *Builder) Transpose(x int, perm []int) int {
	p := []int32{0, 1, 2, 3}
	for d, v := range perm[:min(len(perm), MaxRank)] {
		p[d] = int32(v)
	}
	return b.node(OpTranspose, []int{x}, p, Quant{}, nil)
}

// Slice adds a Slice node keeping indexes [begin, end) of x along axis.
func (b *Builder) Slice(x, axis, begin, end int) int {
	return b.node(OpSlice, []int{x}, b.params(axis, begin, end), Quant{}, nil)
}

// Concat adds a Concat node joining a and c along axis.
func (b *Builder) Concat(a, c, axis int) int {
	return b.node(OpConcat, []int{a, c}, b.params(axis), Quant{}, nil)
}

// Gather adds a Gather node: the rows of table [V,D] named by int32 idx.
func (b *Builder) Gather(table, idx int) int {
	return b.node(OpGather, []int{table, idx}, nil, Quant{}, nil)
}

// Mul adds a Mul node: Y = sat(q.Zero + RoundShift((a−za)·(c−zc)·out.Mult, 31+out.Shift)).
func (b *Builder) Mul(a, c int, out Fixed, q Quant) int {
	return b.node(OpMul, []int{a, c}, []int32{out.Mult, out.Shift}, q, nil)
}

// ResidualAdd adds a ResidualAdd node: the saturating int32 sum of a and c
// (scale q.Scale, zero point 0).
func (b *Builder) ResidualAdd(a, c int, q Quant) int {
	return b.node(OpResidualAdd, []int{a, c}, nil, q, nil)
}

// Softmax adds a Softmax node over x's last axis with the integer
// constants of k (QLn2, QB, QC, OutShift; the other fields are ignored) and
// output quantization q.
func (b *Builder) Softmax(x int, k Softmax, q Quant) int {
	return b.node(OpSoftmax, []int{x}, []int32{k.QLn2, k.QB, k.QC, k.OutShift}, q, nil)
}

// LayerNorm adds a LayerNorm node over x's last axis with int32 gamma and
// beta [D] and the parameters Eps, Frac, Shift of k (the other fields are
// ignored).
func (b *Builder) LayerNorm(x, gamma, beta int, k LayerNorm, q Quant) int {
	return b.node(OpLayerNorm, []int{x, gamma, beta}, []int32{k.Eps, k.Frac, k.Shift}, q, nil)
}

// GELU adds a GELU node with the integer constants B, C, One and Out of k
// (the other fields are ignored).
func (b *Builder) GELU(x int, k GELU, q Quant) int {
	return b.node(OpGELU, []int{x}, []int32{k.B, k.C, k.One, k.Out.Mult, k.Out.Shift}, q, nil)
}

// MatMulAcc adds a MatMulAcc node: a and bm as for MatMul, c the int32
// carry-in ([M] or the output's shape); the output is the int32
// accumulator [.., N, M] with quantization q.
func (b *Builder) MatMulAcc(a, bm, c int, transB bool, q Quant) int {
	return b.node(OpMatMulAcc, []int{a, bm, c}, []int32{int32(btoi(transB))}, q, nil)
}

// Conv2DAcc adds a Conv2DAcc node: x and filter as for Conv2D with window
// win (its KH and KW are the filter's), c the int32 carry-in ([OC] or the
// output's shape); the output is the int32 accumulator with quantization q.
func (b *Builder) Conv2DAcc(x, filter, c int, win Window, q Quant) int {
	p := []int32{int32(win.StrideH), int32(win.StrideW), int32(win.PadTop), int32(win.PadLeft), int32(win.PadBottom), int32(win.PadRight)}
	return b.node(OpConv2DAcc, []int{x, filter, c}, p, q, nil)
}

// Requantize adds a Requantize node: the int32 x requantized per channel
// by the int32 table r ([M,3] or [1,3]: bias, multiplier, shift) to int8
// with quantization q.
func (b *Builder) Requantize(x, r int, q Quant) int {
	return b.node(OpRequantize, []int{x, r}, nil, q, nil)
}

// btoi returns 1 for true, 0 for false.
func btoi(v bool) int {
	if v {
		return 1
	}
	return 0
}
