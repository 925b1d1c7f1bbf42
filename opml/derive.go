package opml

// This file maps a node to its kernel: deriveOutput gives the output
// declaration an op derives from its operands and parameters (used by
// Validate and by the Builder, so the two cannot disagree), the *Of functions
// build the kernel value the executor runs, and nodeWork counts its work.

// deriveOutput returns the declaration node n must write, given the tensor
// table ts, the quantization q declared for the output (FC, Conv2D and Add
// take it as is; the other ops fix it) and the declared shape (Reshape takes
// it; the other ops derive it). Errors: *FormatError naming field f.
// Preconditions: n's op is known, its arity is right and its input ids are
// valid indexes of ts.
func deriveOutput(ts []Tensor, n Node, q Quant, shape []int, f string) (Tensor, error) {
	if t, ok, err := deriveTransformer(ts, n, q, f); ok {
		return t, err
	}
	if t, ok, err := deriveAccumulate(ts, n, q, f); ok {
		return t, err
	}
	switch n.Op {
	case OpFullyConnected:
		return deriveFC(ts, n, q, f)
	case OpConv2D:
		return deriveConv2D(ts, n, q, f)
	case OpAdd:
		return deriveAdd(ts, n, q, f)
	case OpReLU:
		x, err := operand(ts, n, 0, Int8, 0, f)
		return Tensor{DType: Int8, Shape: x.Shape, Quant: x.Quant}, err
	case OpMaxPool2D:
		return deriveMaxPool2D(ts, n, f)
	case OpReshape:
		return deriveReshape(ts, n, shape, f)
	case OpArgMax:
		return deriveArgMax(ts, n, f)
	}
	return Tensor{}, formatErr(CodeBadOp, f+".op", "%s", n.Op)
}

// operand returns input i of n after checking its dtype and, when rank > 0,
// its rank.
func operand(ts []Tensor, n Node, i int, d DType, rank int, f string) (Tensor, error) {
	t, fi := ts[n.Inputs[i]], f+".inputs["+itoa(int64(i))+"]"
	if t.DType != d {
		return t, formatErr(CodeBadDType, fi, "%s %s operand is %s", n.Op, d, t.DType)
	}
	if rank > 0 && len(t.Shape) != rank {
		return t, formatErr(CodeBadShape, fi, "%s needs rank %d, tensor %d has shape %v", n.Op, rank, n.Inputs[i], t.Shape)
	}
	return t, nil
}

// operands returns the inputs of n checked against dtypes ds and ranks rs.
func operands(ts []Tensor, n Node, ds []DType, rs []int, f string) ([]Tensor, error) {
	out := make([]Tensor, len(ds))
	for i := range ds {
		t, err := operand(ts, n, i, ds[i], rs[i], f)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

// dimMismatch returns a CodeBadShape error for input i of n.
func dimMismatch(f string, i int, format string, args ...any) error {
	return formatErr(CodeBadShape, f+".inputs["+itoa(int64(i))+"]", format, args...)
}

// deriveFC: x [N,K], w [M,K], b [M] give [N,M] (params: mult, shift).
func deriveFC(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int8, Int8, Int32}, []int{2, 2, 1}, f)
	if err != nil {
		return Tensor{}, err
	}
	x, w, b := in[0], in[1], in[2]
	if x.Shape[1] != w.Shape[1] {
		return Tensor{}, dimMismatch(f, 1, "weights %v do not take %d inputs", w.Shape, x.Shape[1])
	}
	if b.Shape[0] != w.Shape[0] {
		return Tensor{}, dimMismatch(f, 2, "bias %v, want [%d]", b.Shape, w.Shape[0])
	}
	if err := checkFixed(f+".params[0]", Fixed{n.Params[0], n.Params[1]}); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: []int{x.Shape[0], w.Shape[0]}, Quant: q}, nil
}

// deriveConv2D: x [N,H,W,C], f [OC,KH,KW,C], b [OC] give [N,OH,OW,OC]
// (params: mult, shift, strideH, strideW, padTop, padLeft, padBottom, padRight).
func deriveConv2D(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int8, Int8, Int32}, []int{4, 4, 1}, f)
	if err != nil {
		return Tensor{}, err
	}
	x, w, b := in[0], in[1], in[2]
	if w.Shape[3] != x.Shape[3] {
		return Tensor{}, dimMismatch(f, 1, "filter %v does not take %d channels", w.Shape, x.Shape[3])
	}
	if b.Shape[0] != w.Shape[0] {
		return Tensor{}, dimMismatch(f, 2, "bias %v, want [%d]", b.Shape, w.Shape[0])
	}
	if err := checkFixed(f+".params[0]", Fixed{n.Params[0], n.Params[1]}); err != nil {
		return Tensor{}, err
	}
	win := window(w.Shape[1], w.Shape[2], n.Params[2:])
	oh, ow, err := windowOut(f, win, x, 2)
	if err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: []int{x.Shape[0], oh, ow, w.Shape[0]}, Quant: q}, nil
}

// deriveAdd: a and b of one shape give that shape (params: multA, multB, shift).
func deriveAdd(ts []Tensor, n Node, q Quant, f string) (Tensor, error) {
	in, err := operands(ts, n, []DType{Int8, Int8}, []int{0, 0}, f)
	if err != nil {
		return Tensor{}, err
	}
	if !equalInts(in[0].Shape, in[1].Shape) {
		return Tensor{}, dimMismatch(f, 1, "shape %v, want %v", in[1].Shape, in[0].Shape)
	}
	p := n.Params
	if p[0] < 0 || p[1] < 0 {
		return Tensor{}, formatErr(CodeBadParam, f+".params[0]", "negative multiplier %d, %d", p[0], p[1])
	}
	if err := checkFixed(f+".params[2]", Fixed{0, p[2]}); err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: in[0].Shape, Quant: q}, nil
}

// deriveMaxPool2D: x [N,H,W,C] gives [N,OH,OW,C] with x's quantization
// (params: kH, kW, strideH, strideW, padTop, padLeft, padBottom, padRight).
func deriveMaxPool2D(ts []Tensor, n Node, f string) (Tensor, error) {
	x, err := operand(ts, n, 0, Int8, 4, f)
	if err != nil {
		return Tensor{}, err
	}
	win := window(int(n.Params[0]), int(n.Params[1]), n.Params[2:])
	oh, ow, err := windowOut(f, win, x, 0)
	if err != nil {
		return Tensor{}, err
	}
	return Tensor{DType: Int8, Shape: []int{x.Shape[0], oh, ow, x.Shape[3]}, Quant: x.Quant}, nil
}

// deriveReshape: x and the declared shape hold the same number of elements;
// dtype and quantization are x's.
func deriveReshape(ts []Tensor, n Node, shape []int, f string) (Tensor, error) {
	x := ts[n.Inputs[0]]
	out := Tensor{DType: x.DType, Shape: shape, Quant: x.Quant}
	if out.Elements() != x.Elements() {
		return Tensor{}, formatErr(CodeBadShape, f+".output", "shape %v does not hold the %d elements of %v", shape, x.Elements(), x.Shape)
	}
	return out, nil
}

// deriveArgMax: x [d0..dr−1] gives int32 [d0..dr−2], or [1] when x has rank 1.
func deriveArgMax(ts []Tensor, n Node, f string) (Tensor, error) {
	x, err := operand(ts, n, 0, Int8, 0, f)
	if err != nil {
		return Tensor{}, err
	}
	shape := []int{1}
	if len(x.Shape) > 1 {
		shape = x.Shape[:len(x.Shape)-1]
	}
	return Tensor{DType: Int32, Shape: shape}, nil
}

// checkFixed fails unless fx is a valid multiplier.
func checkFixed(f string, fx Fixed) error {
	if !fx.IsValid() {
		return formatErr(CodeBadParam, f, "multiplier %d outside [0, 2^31-1] or shift %d outside [%d, %d]", fx.Mult, fx.Shift, MinShift, MaxShift)
	}
	return nil
}

// window returns the Window of kernel kh×kw with p = strideH, strideW,
// padTop, padLeft, padBottom, padRight.
func window(kh, kw int, p []int32) Window {
	return Window{KH: kh, KW: kw, StrideH: int(p[0]), StrideW: int(p[1]),
		PadTop: int(p[2]), PadLeft: int(p[3]), PadBottom: int(p[4]), PadRight: int(p[5])}
}

// windowOut returns OutDims of win over image x, after checking win;
// firstParam is the index of strideH in the node's params.
func windowOut(f string, win Window, x Tensor, firstParam int) (int, int, error) {
	if !win.IsValid() {
		return 0, 0, formatErr(CodeBadParam, f+".params["+itoa(int64(firstParam))+"]",
			"window %+v: kernel and strides in [1, %d], pads in [0, kernel-1]", win, MaxDim)
	}
	oh, ow, ok := win.OutDims(x.Shape[1], x.Shape[2])
	if !ok {
		return 0, 0, dimMismatch(f, 0, "image %v smaller than window %+v", x.Shape, win)
	}
	return oh, ow, nil
}

// equalInts reports whether a and b hold the same values.
func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// fcOf returns the FC kernel of a validated FullyConnected node.
func fcOf(ts []Tensor, n Node) FC {
	x, w, y := ts[n.Inputs[0]], ts[n.Inputs[1]], ts[n.Output]
	return FC{N: x.Shape[0], K: x.Shape[1], M: w.Shape[0],
		ZeroX: x.Quant.Zero, ZeroW: w.Quant.Zero, ZeroY: y.Quant.Zero, Out: Fixed{n.Params[0], n.Params[1]}}
}

// conv2DOf returns the Conv2D kernel of a validated Conv2D node.
func conv2DOf(ts []Tensor, n Node) Conv2D {
	x, w, y := ts[n.Inputs[0]], ts[n.Inputs[1]], ts[n.Output]
	return Conv2D{N: x.Shape[0], H: x.Shape[1], W: x.Shape[2], C: x.Shape[3], OC: w.Shape[0],
		Win:   window(w.Shape[1], w.Shape[2], n.Params[2:]),
		ZeroX: x.Quant.Zero, ZeroF: w.Quant.Zero, ZeroY: y.Quant.Zero, Out: Fixed{n.Params[0], n.Params[1]}}
}

// addOf returns the Add kernel of a validated Add node.
func addOf(ts []Tensor, n Node) Add {
	a, b, y := ts[n.Inputs[0]], ts[n.Inputs[1]], ts[n.Output]
	return Add{Len: a.Elements(), ZeroA: a.Quant.Zero, ZeroB: b.Quant.Zero, ZeroY: y.Quant.Zero,
		MultA: n.Params[0], MultB: n.Params[1], Shift: n.Params[2]}
}

// maxPool2DOf returns the MaxPool2D kernel of a validated MaxPool2D node.
func maxPool2DOf(ts []Tensor, n Node) MaxPool2D {
	x := ts[n.Inputs[0]]
	return MaxPool2D{N: x.Shape[0], H: x.Shape[1], W: x.Shape[2], C: x.Shape[3],
		Win: window(int(n.Params[0]), int(n.Params[1]), n.Params[2:])}
}

// argMaxOf returns the ArgMax kernel of a validated ArgMax node.
func argMaxOf(ts []Tensor, n Node) ArgMax {
	x := ts[n.Inputs[0]]
	k := x.Shape[len(x.Shape)-1]
	return ArgMax{Rows: x.Elements() / k, K: k}
}

// nodeWork returns the multiply-accumulates (FC, Conv2D), window comparisons
// (MaxPool2D) or elements (the others) of a validated node, saturating at
// MaxWork+1.
func nodeWork(ts []Tensor, n Node) int {
	const lim = MaxWork + 1
	if w, ok := transformerWork(ts, n); ok {
		return w
	}
	if w, ok := accumulateWork(ts, n); ok {
		return w
	}
	switch n.Op {
	case OpFullyConnected:
		k := fcOf(ts, n)
		return satMul(satMul(k.N, k.K, lim), k.M, lim)
	case OpConv2D:
		k := conv2DOf(ts, n)
		return satMul(satMul(k.Size(), k.Win.KH*k.Win.KW, lim), k.C, lim)
	case OpMaxPool2D:
		k := maxPool2DOf(ts, n)
		return satMul(k.Size(), k.Win.KH*k.Win.KW, lim)
	}
	return ts[n.Inputs[0]].Elements()
}
