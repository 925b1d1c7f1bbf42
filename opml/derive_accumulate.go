package opml

// This file derives the output declarations of the accumulating ops
// (docs/opml.md §3.20–§3.22), builds their kernels and counts their work,
// as derive.go does for the others.

// deriveAccumulate is deriveOutput for MatMulAcc, Conv2DAcc and
// Requantize; ok is false for any other op.
func deriveAccumulate(ts []Tensor, n Node, q Quant, f string) (t Tensor, ok bool, err error) {
	switch n.Op {
	case OpMatMulAcc:
		t, err = deriveMatMulAcc(ts, n, q, f)
	case OpConv2DAcc:
		t, err = deriveConv2DAcc(ts, n, q, f)
	case OpRequantize:
		t, err = deriveRequantize(ts, n, q, f)
	default:
		return Tensor{}, false, nil
	}
	return t, true, err
}

// deriveMatMulAcc: a and b as for MatMul (param transB), c int32 [M] or of
// the output's shape, give int32 [.., N, M] with quantization q.
func deriveMatMulAcc(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	shape, err := matMulShape(ts, n, f)
	if err != nil {
		return Tensor{}, err
	}
	if err := checkCarryDecl(ts, n, shape, f); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int32, Shape: shape, Quant: q}, nil
}

// deriveConv2DAcc: x [N,H,W,C] and filter [OC,KH,KW,C] int8 with the
// window params (strideH, strideW, padTop, padLeft, padBottom, padRight),
// c int32 [OC] or [N,OH,OW,OC], give int32 [N,OH,OW,OC] with quantization q.
func deriveConv2DAcc(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int8, Int8, Int32}, []int{4, 4, 0}, f)
	if err != nil {
		return Tensor{}, err
	}
	x, w := in[0], in[1]
	if w.Shape[3] != x.Shape[3] {
		return Tensor{}, dimMismatch(f, 1, "filter %v does not take %d channels", w.Shape, x.Shape[3])
	}
	oh, ow, err := windowOut(f, window(w.Shape[1], w.Shape[2], n.Params), x, 0)
	if err != nil {
		return Tensor{}, err
	}
	shape := []int{x.Shape[0], oh, ow, w.Shape[0]}
	if err := checkCarryDecl(ts, n, shape, f); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int32, Shape: shape, Quant: q}, nil
}

// checkCarryDecl fails unless n's carry-in (input 2) is int32 [M] or of
// the output's shape, M being shape's last axis.
func checkCarryDecl(ts []Tensor, n Node, shape []int, f string) error {
	c, err := operand(ts, n, 2, Int32, 0, f)
	if err != nil {
		return err
	}
	if equalInts(c.Shape, shape) || equalInts(c.Shape, shape[len(shape)-1:]) {
		return nil
	}
	return dimMismatch(f, 2, "carry-in %v, want [%d] or %v", c.Shape, shape[len(shape)-1], shape)
}

// deriveRequantize: int32 x [.., M] and the int32 table r [M,3] or [1,3]
// give int8 of x's shape with quantization q. A constant r must hold valid
// multipliers.
func deriveRequantize(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int32, Int32}, []int{0, 2}, f)
	if err != nil {
		return Tensor{}, err
	}
	x, r := in[0], in[1]
	m := x.Shape[len(x.Shape)-1]
	if (r.Shape[0] != 1 && r.Shape[0] != m) || r.Shape[1] != 3 {
		return Tensor{}, dimMismatch(f, 1, "requantization table %v, want [%d 3] or [1 3]", r.Shape, m)
	}
	if err := checkChannelTable(r, f+".inputs[1]"); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: x.Shape, Quant: q}, nil
}

// matMulAccOf returns the MatMulAcc kernel of a MatMulAcc node whose a has
// rank 2 or 3.
func matMulAccOf(ts []Tensor, n Node) MatMulAcc {
	k := matMulOf(ts, n)
	return MatMulAcc{Batch: k.Batch, N: k.N, K: k.K, M: k.M, TransB: k.TransB, SharedB: k.SharedB, ZeroA: k.ZeroA, ZeroB: k.ZeroB}
}

// conv2DAccOf returns the Conv2DAcc kernel of a validated Conv2DAcc node.
func conv2DAccOf(ts []Tensor, n Node) Conv2DAcc {
	x, w := ts[n.Inputs[0]], ts[n.Inputs[1]]
	return Conv2DAcc{N: x.Shape[0], H: x.Shape[1], W: x.Shape[2], C: x.Shape[3], OC: w.Shape[0],
		Win: window(w.Shape[1], w.Shape[2], n.Params), ZeroX: x.Quant.Zero, ZeroF: w.Quant.Zero}
}

// requantOf returns the Requant kernel of a validated Requantize node.
func requantOf(ts []Tensor, n Node) Requant {
	x := ts[n.Inputs[0]]
	return Requant{Len: x.Elements(), M: x.Shape[len(x.Shape)-1], ZeroY: outZero(ts, n)}
}

// accumulateWork returns the work of a validated accumulating node, and
// false for the other ops: multiply-accumulates for MatMulAcc (B·N·M·K) and
// Conv2DAcc (N·OH·OW·OC·KH·KW·C), elements for Requantize. Saturates at
// MaxWork+1.
func accumulateWork(ts []Tensor, n Node) (int, bool) {
	const lim = MaxWork + 1
	switch n.Op {
	case OpMatMulAcc:
		k := matMulAccOf(ts, n)
		return satMul(k.Size(), k.K, lim), true
	case OpConv2DAcc:
		k := conv2DAccOf(ts, n)
		return satMul(satMul(k.Size(), k.Win.KH*k.Win.KW, lim), k.C, lim), true
	case OpRequantize:
		return ts[n.Output].Elements(), true
	}
	return 0, false
}

// applyAccumulate computes an accumulating node from the values of its
// inputs; ok is false for the other ops.
func (e *Executor) applyAccumulate(n Node, vals []value) (v value, ok bool) {
	ts, in := e.m.Tensors, func(i int) value { return vals[n.Inputs[i]] }
	switch n.Op {
	case OpMatMulAcc:
		k := matMulAccOf(ts, n)
		y := make([]int32, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, in(1).i8, in(2).i32, lo, hi) })
		return value{i32: y}, true
	case OpConv2DAcc:
		k := conv2DAccOf(ts, n)
		y := make([]int32, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, in(1).i8, in(2).i32, lo, hi) })
		return value{i32: y}, true
	case OpRequantize:
		k := requantOf(ts, n)
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i32, in(1).i32, lo, hi) })
		return value{i8: y}, true
	}
	return value{}, false
}
