package opml

// applyTransformer computes a transformer node (docs/opml.md §3.9–§3.18)
// from the values of its inputs; ok is false for the other ops. Row-wise
// ops (Softmax, LayerNorm) split their rows across goroutines, the others
// their output elements; either way every element is computed by the same
// code from the same operands (requirement OPML-EXEC-DETERMINISM).
func (e *Executor) applyTransformer(n Node, vals []value) (v value, ok bool) {
	ts, in := e.m.Tensors, func(i int) value { return vals[n.Inputs[i]] }
	switch n.Op {
	case OpMatMul:
		k := matMulOf(ts, n)
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, in(1).i8, in(2).i32, lo, hi) })
		return value{i8: y}, true
	case OpTranspose:
		x := ts[n.Inputs[0]]
		l := Transpose{Shape: x.Shape, Perm: permOf(n, len(x.Shape))}.layout()
		return e.gatherElems(in(0), x.Elements(), l.transposeSource), true
	case OpSlice:
		x := ts[n.Inputs[0]]
		l := Slice{Shape: x.Shape, Axis: int(n.Params[0]), Begin: int(n.Params[1]), End: int(n.Params[2])}.layout()
		return e.gatherElems(in(0), sizeOf(l.Out...), l.sliceSource), true
	case OpConcat:
		return e.concat(ts, n, in(0), in(1)), true
	case OpGather:
		tb := ts[n.Inputs[0]]
		k := Gather{V: tb.Shape[0], D: tb.Shape[1]}
		idx := in(1).i32
		return e.gatherElems(in(0), len(idx)*k.D, func(i int) int { return k.Row(idx[i/k.D])*k.D + i%k.D }), true
	case OpMul:
		a, b, y := ts[n.Inputs[0]], ts[n.Inputs[1]], ts[n.Output]
		k := Mul{Len: a.Elements(), ZeroA: a.Quant.Zero, ZeroB: b.Quant.Zero, ZeroY: y.Quant.Zero, Out: Fixed{n.Params[0], n.Params[1]}}
		out := make([]int8, k.Len)
		e.parallel(k.Len, func(lo, hi int) { k.compute(out, in(0).i8, in(1).i8, lo, hi) })
		return value{i8: out}, true
	case OpResidualAdd:
		k := ResidualAdd{Len: len(in(0).i32)}
		out := make([]int32, k.Len)
		e.parallel(k.Len, func(lo, hi int) { k.compute(out, in(0).i32, in(1).i32, lo, hi) })
		return value{i32: out}, true
	case OpSoftmax:
		k := softmaxOf(ts, n)
		x := in(0).i32
		if ts[n.Inputs[0]].DType == Int8 {
			x = widen(in(0).i8)
		}
		out := make([]int8, len(x))
		e.parallel(k.Rows, func(lo, hi int) { k.compute(out, x, lo, hi) })
		return value{i8: out}, true
	case OpLayerNorm:
		k := layerNormOf(ts, n)
		out := make([]int8, len(in(0).i8))
		e.parallel(k.Rows, func(lo, hi int) { k.compute(out, in(0).i8, in(1).i32, in(2).i32, lo, hi) })
		return value{i8: out}, true
	case OpGELU:
		k := geluOf(ts, n)
		out := make([]int8, k.Len)
		e.parallel(k.Len, func(lo, hi int) { k.compute(out, in(0).i8, lo, hi) })
		return value{i8: out}, true
	}
	return value{}, false
}

// permOf returns the permutation of a validated Transpose node over rank r.
func permOf(n Node, r int) []int {
	p := make([]int, r)
	for d := range p {
		p[d] = int(n.Params[d])
	}
	return p
}

// gatherElems returns the size elements y[i] = x[src(i)] of x's dtype.
func (e *Executor) gatherElems(x value, size int, src func(int) int) value {
	if x.i32 != nil {
		y := make([]int32, size)
		e.parallel(size, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				y[i] = x.i32[src(i)]
			}
		})
		return value{i32: y}
	}
	y := make([]int8, size)
	e.parallel(size, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			y[i] = x.i8[src(i)]
		}
	})
	return value{i8: y}
}

// concat computes a validated Concat node.
func (e *Executor) concat(ts []Tensor, n Node, a, b value) value {
	k := Concat{ShapeA: ts[n.Inputs[0]].Shape, ShapeB: ts[n.Inputs[1]].Shape, Axis: int(n.Params[0])}
	size := ts[n.Output].Elements()
	if a.i32 != nil {
		y := make([]int32, size)
		e.parallel(size, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				if fromB, s := k.split(i); fromB {
					y[i] = b.i32[s]
				} else {
					y[i] = a.i32[s]
				}
			}
		})
		return value{i32: y}
	}
	y := make([]int8, size)
	e.parallel(size, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if fromB, s := k.split(i); fromB {
				y[i] = b.i8[s]
			} else {
				y[i] = a.i8[s]
			}
		}
	})
	return value{i8: y}
}
