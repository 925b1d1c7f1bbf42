package opml

// This file derives the output declarations of the transformer ops
// (docs/opml.md §3.9–§3.18), builds their kernels and counts their work,
// as derive.go does for the others.

// deriveTransformer is deriveOutput for the ops of issue 18; ok is false
// for any other op.
func deriveTransformer(ts []Tensor, n Node, q Quant, f string) (t Tensor, ok bool, err error) {
	switch n.Op {
	case OpMatMul:
		t, err = deriveMatMul(ts, n, q, f)
	case OpTranspose:
		t, err = deriveTranspose(ts, n, f)
	case OpSlice:
		t, err = deriveSlice(ts, n, f)
	case OpConcat:
		t, err = deriveConcat(ts, n, f)
	case OpGather:
		t, err = deriveGather(ts, n, f)
	case OpMul:
		t, err = deriveMul(ts, n, q, f)
	case OpResidualAdd:
		t, err = deriveResidualAdd(ts, n, q, f)
	case OpSoftmax:
		t, err = deriveSoftmax(ts, n, q, f)
	case OpLayerNorm:
		t, err = deriveLayerNorm(ts, n, q, f)
	case OpGELU:
		t, err = deriveGELU(ts, n, q, f)
	default:
		return Tensor{}, false, nil
	}
	return t, true, err
}

// badParam returns a CodeBadParam error for param i of n.
func badParam(f string, i int, format string, args ...any) error {
	return formatErr(CodeBadParam, f+".params["+itoa(int64(i))+"]", format, args...)
}

// deriveMatMul: a [B,N,K] or [N,K], b [K,M] / [M,K] (shared) or [B,K,M] /
// [B,M,K], r [M,3] int32 give a's rank with [.., N, M] (param transB in
// {0, 1}). A constant r must hold valid multipliers.
func deriveMatMul(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	shape, err := matMulShape(ts, n, f)
	if err != nil {
		return Tensor{}, err
	}
	r, err := operand(ts, n, 2, Int32, 2, f)
	if err != nil {
		return Tensor{}, err
	}
	if bm := shape[len(shape)-1]; r.Shape[0] != bm || r.Shape[1] != 3 {
		return Tensor{}, dimMismatch(f, 2, "requantization table %v, want [%d 3]", r.Shape, bm)
	}
	if err := checkChannelTable(r, f+".inputs[2]"); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: shape, Quant: q}, nil
}

// matMulShape checks a MatMul's or MatMulAcc's int8 operands a and b and
// its param transB, and returns the output shape: a's with its last axis
// M.
func matMulShape(ts []Tensor, n Node, f string) ([]int, error) {
	in, err := operands(ts, n, []DType{Int8, Int8}, []int{0, 0}, f)
	if err != nil {
		return nil, err
	}
	a, b := in[0], in[1]
	if n.Params[0] != 0 && n.Params[0] != 1 {
		return nil, badParam(f, 0, "transB %d, want 0 or 1", n.Params[0])
	}
	if len(a.Shape) != 2 && len(a.Shape) != 3 {
		return nil, dimMismatch(f, 0, "%s needs rank 2 or 3, got %v", n.Op, a.Shape)
	}
	if len(b.Shape) != 2 && len(b.Shape) != len(a.Shape) {
		return nil, dimMismatch(f, 1, "shape %v: rank 2 or that of %v", b.Shape, a.Shape)
	}
	k := matMulOf(ts, n)
	bk, bm := b.Shape[len(b.Shape)-2], b.Shape[len(b.Shape)-1]
	if k.TransB {
		bk, bm = bm, bk
	}
	if bk != k.K || (!k.SharedB && b.Shape[0] != k.Batch) {
		return nil, dimMismatch(f, 1, "shape %v (transB %d) does not take %v", b.Shape, n.Params[0], a.Shape)
	}
	return append(append([]int(nil), a.Shape[:len(a.Shape)-1]...), bm), nil
}

// checkChannelTable fails when r is a constant whose (mult, shift) pairs
// are not valid multipliers; fi names r's field. A non-constant table (an
// operand of a node graph) is read through ChannelFixed.
func checkChannelTable(r Tensor, fi string) error {
	if r.Data == nil {
		return nil
	}
	v := decodeValue(Int32, r.Data).i32
	for m := 0; m+2 < len(v); m += 3 {
		if !(Fixed{v[m+1], v[m+2]}).IsValid() {
			return formatErr(CodeBadParam, fi, "row %d: multiplier %d, shift %d out of range", m/3, v[m+1], v[m+2])
		}
	}
	return nil
}

// deriveTranspose: x of rank r and perm (params 0..3, a permutation of
// 0..r−1 followed by the identity) give shape[perm[d]], x's dtype and quant.
func deriveTranspose(ts []Tensor, n Node, f string) (Tensor, error) {
	x := ts[n.Inputs[0]]
	perm := make([]int, len(x.Shape))
	for d := range perm {
		perm[d] = int(n.Params[d])
	}
	for d := len(x.Shape); d < MaxRank; d++ {
		if n.Params[d] != int32(d) {
			return Tensor{}, badParam(f, d, "%d past rank %d, want %d", n.Params[d], len(x.Shape), d)
		}
	}
	if !isPerm(perm, len(perm)) {
		return Tensor{}, badParam(f, 0, "%v is not a permutation of %d axes", n.Params, len(perm))
	}
	return Tensor{DType: x.DType, Shape: Transpose{Shape: x.Shape, Perm: perm}.layout().Out, Quant: x.Quant}, nil
}

// deriveSlice: x and (axis, begin, end) with 0 <= begin < end <= shape[axis]
// give x's shape with end−begin along axis, x's dtype and quant.
func deriveSlice(ts []Tensor, n Node, f string) (Tensor, error) {
	x, p := ts[n.Inputs[0]], n.Params
	if p[0] < 0 || int(p[0]) >= len(x.Shape) {
		return Tensor{}, badParam(f, 0, "axis %d outside rank %d", p[0], len(x.Shape))
	}
	if p[1] < 0 || p[1] >= p[2] || int(p[2]) > x.Shape[p[0]] {
		return Tensor{}, badParam(f, 1, "[%d, %d) outside [0, %d)", p[1], p[2], x.Shape[p[0]])
	}
	k := Slice{Shape: x.Shape, Axis: int(p[0]), Begin: int(p[1]), End: int(p[2])}
	return Tensor{DType: x.DType, Shape: k.layout().Out, Quant: x.Quant}, nil
}

// deriveConcat: a and b of one dtype, quantization and rank, equal but
// along axis, give the joined shape.
func deriveConcat(ts []Tensor, n Node, f string) (Tensor, error) {
	a, b := ts[n.Inputs[0]], ts[n.Inputs[1]]
	axis := int(n.Params[0])
	if axis < 0 || axis >= len(a.Shape) {
		return Tensor{}, badParam(f, 0, "axis %d outside rank %d", axis, len(a.Shape))
	}
	if b.DType != a.DType {
		return Tensor{}, formatErr(CodeBadDType, f+".inputs[1]", "%s, want %s", b.DType, a.DType)
	}
	if !concatFits(a.Shape, b.Shape, axis) {
		return Tensor{}, dimMismatch(f, 1, "%v does not join %v along axis %d", b.Shape, a.Shape, axis)
	}
	if b.Quant != a.Quant {
		return Tensor{}, formatErr(CodeBadQuant, f+".inputs[1]", "%+v, want %+v", b.Quant, a.Quant)
	}
	shape := append([]int(nil), a.Shape...)
	shape[axis] += b.Shape[axis]
	return Tensor{DType: a.DType, Shape: shape, Quant: a.Quant}, nil
}

// deriveGather: table [V,D] (int8 or int32) and int32 indices of rank at
// most 3 give indices' shape with D appended, the table's dtype and quant.
func deriveGather(ts []Tensor, n Node, f string) (Tensor, error) {
	tb := ts[n.Inputs[0]]
	if len(tb.Shape) != 2 {
		return Tensor{}, dimMismatch(f, 0, "table %v, want [V D]", tb.Shape)
	}
	idx, err := operand(ts, n, 1, Int32, 0, f)
	if err != nil {
		return Tensor{}, err
	}
	if len(idx.Shape) >= MaxRank {
		return Tensor{}, dimMismatch(f, 1, "indices %v: rank at most %d", idx.Shape, MaxRank-1)
	}
	shape := append(append([]int(nil), idx.Shape...), tb.Shape[1])
	return Tensor{DType: tb.DType, Shape: shape, Quant: tb.Quant}, nil
}

// deriveMul: int8 a and b of one shape give that shape (params mult, shift).
func deriveMul(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int8, Int8}, []int{0, 0}, f)
	if err != nil {
		return Tensor{}, err
	}
	if !equalInts(in[0].Shape, in[1].Shape) {
		return Tensor{}, dimMismatch(f, 1, "shape %v, want %v", in[1].Shape, in[0].Shape)
	}
	if err := checkFixed(f+".params[0]", Fixed{n.Params[0], n.Params[1]}); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: in[0].Shape, Quant: q}, nil
}

// deriveResidualAdd: int32 a and b of one shape give int32 of that shape.
func deriveResidualAdd(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int32, Int32}, []int{0, 0}, f)
	if err != nil {
		return Tensor{}, err
	}
	if !equalInts(in[0].Shape, in[1].Shape) {
		return Tensor{}, dimMismatch(f, 1, "shape %v, want %v", in[1].Shape, in[0].Shape)
	}
	return Tensor{DType: Int32, Shape: in[0].Shape, Quant: q}, nil
}

// deriveSoftmax: int8 or int32 x gives int8 of x's shape (params qLn2, qB,
// qC, outShift in the ranges of Softmax.IsValid).
func deriveSoftmax(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	x := ts[n.Inputs[0]]
	p := n.Params
	if !(Softmax{QLn2: p[0], QB: p[1], QC: p[2], OutShift: p[3]}).IsValid() {
		return Tensor{}, badParam(f, 0, "%v: qLn2, qB in [1, 2^18], qC >= 0, outShift in [0, 16]", p)
	}
	return Tensor{DType: Int8, Shape: x.Shape, Quant: q}, nil
}

// deriveLayerNorm: int8 x [.., D] with D <= 4096, gamma and beta int32 [D]
// give int8 of x's shape (params eps, frac, shift).
func deriveLayerNorm(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int8, Int32, Int32}, []int{0, 1, 1}, f)
	if err != nil {
		return Tensor{}, err
	}
	d := in[0].Shape[len(in[0].Shape)-1]
	if d > MaxLayerNormDim {
		return Tensor{}, dimMismatch(f, 0, "last axis %d over %d", d, MaxLayerNormDim)
	}
	for i := 1; i <= 2; i++ {
		if in[i].Shape[0] != d {
			return Tensor{}, dimMismatch(f, i, "shape %v, want [%d]", in[i].Shape, d)
		}
	}
	if !layerNormOf(ts, n).IsValid() {
		return Tensor{}, badParam(f, 0, "%v: eps in [0, 2^30], frac in [0, 16], shift in [0, 62]", n.Params)
	}
	return Tensor{DType: Int8, Shape: in[0].Shape, Quant: q}, nil
}

// deriveGELU: int8 x gives int8 of x's shape (params b, c, one, mult, shift).
func deriveGELU(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	x, err := operand(ts, n, 0, Int8, 0, f)
	if err != nil {
		return Tensor{}, err
	}
	if !geluOf(ts, n).IsValid() {
		return Tensor{}, badParam(f, 0, "%v: b in [1, 2^10], c in [1, 2^20], one in [1, 2^21], valid multiplier", n.Params)
	}
	return Tensor{DType: Int8, Shape: x.Shape, Quant: q}, nil
}

// matMulOf returns the MatMul kernel of a MatMul node whose a has rank 2
// or 3 (not otherwise validated: deriveMatMul checks the rest).
func matMulOf(ts []Tensor, n Node) MatMul {
	a, b := ts[n.Inputs[0]], ts[n.Inputs[1]]
	k := MatMul{Batch: 1, TransB: n.Params[0] == 1, ZeroA: a.Quant.Zero, ZeroB: b.Quant.Zero, ZeroY: outZero(ts, n)}
	s := a.Shape
	if len(s) == 3 {
		k.Batch, s = s[0], s[1:]
	}
	k.N, k.K = s[0], s[1]
	k.SharedB = len(b.Shape) == 2
	k.M = b.Shape[len(b.Shape)-1]
	if k.TransB {
		k.M = b.Shape[len(b.Shape)-2]
	}
	return k
}

// softmaxOf returns the Softmax kernel of a validated Softmax node.
func softmaxOf(ts []Tensor, n Node) Softmax {
	x, p := ts[n.Inputs[0]], n.Params
	d := x.Shape[len(x.Shape)-1]
	return Softmax{Rows: x.Elements() / d, K: d, QLn2: p[0], QB: p[1], QC: p[2], OutShift: p[3], ZeroY: outZero(ts, n)}
}

// layerNormOf returns the LayerNorm kernel of a LayerNorm node.
func layerNormOf(ts []Tensor, n Node) LayerNorm {
	x, p := ts[n.Inputs[0]], n.Params
	d := x.Shape[len(x.Shape)-1]
	return LayerNorm{Rows: x.Elements() / d, D: d, Eps: p[0], Frac: p[1], Shift: p[2], ZeroX: x.Quant.Zero, ZeroY: outZero(ts, n)}
}

// geluOf returns the GELU kernel of a GELU node.
func geluOf(ts []Tensor, n Node) GELU {
	x, p := ts[n.Inputs[0]], n.Params
	return GELU{Len: x.Elements(), B: p[0], C: p[1], One: p[2], Out: Fixed{p[3], p[4]}, ZeroX: x.Quant.Zero, ZeroY: outZero(ts, n)}
}

// transformerWork returns the work of a validated transformer node, and
// false for the other ops: multiply-accumulates for MatMul (B·N·M·K), output
// elements for Transpose, Slice, Concat and Gather, elements for Mul,
// ResidualAdd and GELU, 3 per element for Softmax (max, exponential,
// division passes) and 3 per element plus 32 per row (the square root's
// Newton steps) for LayerNorm. Saturates at MaxWork+1.
func transformerWork(ts []Tensor, n Node) (int, bool) {
	const lim = MaxWork + 1
	out := ts[n.Output].Elements()
	switch n.Op {
	case OpMatMul:
		k := matMulOf(ts, n)
		return satMul(k.Size(), k.K, lim), true
	case OpTranspose, OpSlice, OpConcat, OpGather, OpMul, OpResidualAdd, OpGELU:
		return out, true
	case OpSoftmax:
		return satMul(out, 3, lim), true
	case OpLayerNorm:
		d := ts[n.Inputs[0]].Shape[len(ts[n.Inputs[0]].Shape)-1]
		return satAdd(satMul(out, 3, lim), satMul(out/d, 32, lim), lim), true
	}
	return 0, false
}

// outZero returns the zero point of n's output, or 0 while the Builder
// derives that output (it is not in ts yet; derivation reads no zero point).
func outZero(ts []Tensor, n Node) int32 {
	if n.Output < 0 || n.Output >= len(ts) {
		return 0
	}
	return ts[n.Output].Quant.Zero
}
