package opml_test

import (
	"slices"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// genModel draws a random valid model: one int8 input (an NHWC image or an
// [N, K] matrix) and 1 to 6 nodes, each reading the input or any earlier
// int8 node output, so the graph is a DAG rather than a chain. Every node
// output is a model output, so a run exposes every intermediate tensor.
func genModel(t *rapid.T) opml.Model {
	g := &modelGen{t: t}
	g.input()
	for i, n := 0, rapid.IntRange(1, 6).Draw(t, "nodes"); i < n; i++ {
		g.layer()
	}
	b := &opml.Builder{}
	for _, c := range g.consts {
		b.Const(c)
	}
	ids := []int{b.Input(opml.Int8, g.vals[0].shape, g.vals[0].q)}
	for _, l := range g.layers {
		ids = append(ids, l.build(b, ids))
	}
	m, err := b.Build(ids[1:]...)
	if err != nil {
		t.Fatalf("generated model does not build: %v", err)
	}
	return m
}

// genVal is a tensor the generator has declared: its shape, quantization and type.
type genVal struct {
	shape []int
	q     opml.Quant
	int8  bool
}

// genLayer is one planned node; x and y index modelGen.vals, w and bias
// index modelGen.consts (which are also tensor ids, constants coming first).
type genLayer struct {
	op      opml.Op
	x, y    int
	w, bias int
	out     opml.Fixed
	multA   int32
	multB   int32
	shift   int32
	stride  [2]int
	pad     [4]int
	win     opml.Window
	q       opml.Quant
	shape   []int
	// The transformer ops' fields.
	perm             []int
	axis, begin, end int
	trans            bool
	softmax          opml.Softmax
	layerNorm        opml.LayerNorm
	gelu             opml.GELU
}

type modelGen struct {
	t      *rapid.T
	consts []opml.Tensor
	vals   []genVal
	layers []genLayer
}

// genQuant8 draws an int8 tensor quantization.
func genQuant8(t *rapid.T, label string) opml.Quant {
	return opml.Quant{Zero: genZero().Draw(t, label+"Zero"), Scale: genScale().Draw(t, label+"Scale")}
}

func (g *modelGen) input() {
	shape := []int{rapid.IntRange(1, 2).Draw(g.t, "N"), rapid.IntRange(1, 10).Draw(g.t, "K")}
	if rapid.Bool().Draw(g.t, "image") {
		shape = []int{shape[0], rapid.IntRange(1, 5).Draw(g.t, "H"), rapid.IntRange(1, 5).Draw(g.t, "W"), rapid.IntRange(1, 3).Draw(g.t, "C")}
	}
	g.vals = append(g.vals, genVal{shape: shape, q: genQuant8(g.t, "in"), int8: true})
}

// konst adds a random constant and returns its id.
func (g *modelGen) konst(d opml.DType, shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	t := opml.Tensor{DType: d, Shape: shape}
	if d == opml.Int8 {
		t.Quant = genQuant8(g.t, "w")
		t.Data = opml.Int8Bytes(genInt8s(n).Draw(g.t, "w"))
	} else {
		t.Quant.Scale = genScale().Draw(g.t, "bScale")
		t.Data = opml.Int32Bytes(rapid.SliceOfN(genBias(), n, n).Draw(g.t, "bias"))
	}
	g.consts = append(g.consts, t)
	return len(g.consts) - 1
}

// layer plans one node on a random int8 operand.
func (g *modelGen) layer() {
	var cands []int
	for i, v := range g.vals {
		if v.int8 {
			cands = append(cands, i)
		}
	}
	l := genLayer{x: rapid.SampledFrom(cands).Draw(g.t, "x")}
	x := g.vals[l.x]
	ops := map[int][]opml.Op{
		1: {opml.OpReLU, opml.OpAdd, opml.OpArgMax, opml.OpReshape, opml.OpSoftmax, opml.OpGELU, opml.OpMul,
			opml.OpTranspose, opml.OpSlice, opml.OpConcat},
		2: {opml.OpFullyConnected, opml.OpReLU, opml.OpAdd, opml.OpArgMax, opml.OpReshape, opml.OpMatMul,
			opml.OpSoftmax, opml.OpLayerNorm, opml.OpGELU, opml.OpMul, opml.OpTranspose, opml.OpSlice, opml.OpConcat},
		4: {opml.OpConv2D, opml.OpMaxPool2D, opml.OpReLU, opml.OpAdd, opml.OpReshape, opml.OpSoftmax,
			opml.OpLayerNorm, opml.OpGELU, opml.OpMul, opml.OpTranspose, opml.OpSlice, opml.OpConcat},
	}[len(x.shape)]
	l.op = rapid.SampledFrom(ops).Draw(g.t, "op")
	out := g.plan(&l, x)
	g.layers = append(g.layers, l)
	g.vals = append(g.vals, out)
}

// plan fills the op-specific fields of l and returns the output it declares.
func (g *modelGen) plan(l *genLayer, x genVal) genVal {
	t, s := g.t, x.shape
	switch l.op {
	case opml.OpFullyConnected:
		m := rapid.IntRange(1, 6).Draw(t, "M")
		l.w, l.bias = g.konst(opml.Int8, []int{m, s[1]}), g.konst(opml.Int32, []int{m})
		l.out, l.q = genFixed().Draw(t, "out"), genQuant8(t, "y")
		return genVal{shape: []int{s[0], m}, q: l.q, int8: true}
	case opml.OpConv2D:
		oc := rapid.IntRange(1, 3).Draw(t, "OC")
		win := genWindow(t, s[1], s[2])
		l.w, l.bias = g.konst(opml.Int8, []int{oc, win.KH, win.KW, s[3]}), g.konst(opml.Int32, []int{oc})
		l.stride, l.pad = [2]int{win.StrideH, win.StrideW}, [4]int{win.PadTop, win.PadLeft, win.PadBottom, win.PadRight}
		l.out, l.q = genFixed().Draw(t, "out"), genQuant8(t, "y")
		oh, ow, _ := win.OutDims(s[1], s[2])
		return genVal{shape: []int{s[0], oh, ow, oc}, q: l.q, int8: true}
	case opml.OpMaxPool2D:
		l.win = genWindow(t, s[1], s[2])
		oh, ow, _ := l.win.OutDims(s[1], s[2])
		return genVal{shape: []int{s[0], oh, ow, s[3]}, q: x.q, int8: true}
	case opml.OpAdd:
		l.y = g.sameShape(x)
		fa, fb := genFixed().Draw(t, "a"), genFixed().Draw(t, "b")
		l.multA, l.multB, l.shift, l.q = fa.Mult, fb.Mult, fa.Shift, genQuant8(t, "y")
		return genVal{shape: s, q: l.q, int8: true}
	case opml.OpArgMax:
		shape := []int{1}
		if len(s) > 1 {
			shape = slices.Clone(s[:len(s)-1])
		}
		return genVal{shape: shape}
	case opml.OpReshape:
		l.shape = reshapeOf(s)
		return genVal{shape: l.shape, q: x.q, int8: true}
	}
	if v, ok := g.planTransformer(l, x); ok {
		return v
	}
	return genVal{shape: s, q: x.q, int8: true} // ReLU
}

// planTransformer is plan for the transformer ops on int8 operands.
func (g *modelGen) planTransformer(l *genLayer, x genVal) (genVal, bool) {
	t, s := g.t, x.shape
	switch l.op {
	case opml.OpMatMul:
		m := rapid.IntRange(1, 6).Draw(t, "M")
		l.trans = rapid.Bool().Draw(t, "transB")
		ws := []int{s[1], m}
		if l.trans {
			ws = []int{m, s[1]}
		}
		l.w = g.konst(opml.Int8, ws)
		var r []int32
		for range m {
			f := genFixed().Draw(t, "chan")
			r = append(r, genBias().Draw(t, "bias"), f.Mult, f.Shift)
		}
		g.consts = append(g.consts, opml.Tensor{DType: opml.Int32, Shape: []int{m, 3}, Data: opml.Int32Bytes(r)})
		l.bias, l.q = len(g.consts)-1, genQuant8(t, "y")
		return genVal{shape: []int{s[0], m}, q: l.q, int8: true}, true
	case opml.OpTranspose:
		l.perm = rapid.Permutation([]int{0, 1, 2, 3}[:len(s)]).Draw(t, "perm")
		out := make([]int, len(s))
		for d := range out {
			out[d] = s[l.perm[d]]
		}
		return genVal{shape: out, q: x.q, int8: true}, true
	case opml.OpSlice:
		l.axis = rapid.IntRange(0, len(s)-1).Draw(t, "axis")
		l.begin = rapid.IntRange(0, s[l.axis]-1).Draw(t, "begin")
		l.end = rapid.IntRange(l.begin+1, s[l.axis]).Draw(t, "end")
		out := slices.Clone(s)
		out[l.axis] = l.end - l.begin
		return genVal{shape: out, q: x.q, int8: true}, true
	case opml.OpConcat:
		l.y = g.sameShape(x) // same shape, so same rank; the quantization must match too
		if g.vals[l.y].q != x.q {
			l.y = l.x
		}
		l.axis = rapid.IntRange(0, len(s)-1).Draw(t, "axis")
		out := slices.Clone(s)
		out[l.axis] *= 2
		return genVal{shape: out, q: x.q, int8: true}, true
	case opml.OpMul:
		l.y = g.sameShape(x)
		l.out, l.q = genFixed().Draw(t, "out"), genQuant8(t, "y")
		return genVal{shape: s, q: l.q, int8: true}, true
	case opml.OpSoftmax:
		l.softmax = opml.Softmax{QLn2: rapid.Int32Range(1, opml.MaxSoftmaxConst).Draw(t, "qln2"),
			QB: rapid.Int32Range(1, 300).Draw(t, "qb"), QC: rapid.Int32Range(0, 1<<20).Draw(t, "qc"),
			OutShift: rapid.Int32Range(0, opml.MaxSoftmaxShift).Draw(t, "outShift")}
		l.q = genQuant8(t, "y")
		return genVal{shape: s, q: l.q, int8: true}, true
	case opml.OpLayerNorm:
		d := s[len(s)-1]
		l.w, l.bias = g.konst(opml.Int32, []int{d}), g.konst(opml.Int32, []int{d})
		l.layerNorm = opml.LayerNorm{Eps: rapid.Int32Range(0, 100).Draw(t, "eps"), Frac: rapid.Int32Range(0, opml.MaxLayerNormFrac).Draw(t, "frac"),
			Shift: rapid.Int32Range(0, 62).Draw(t, "lnShift")}
		l.q = genQuant8(t, "y")
		return genVal{shape: s, q: l.q, int8: true}, true
	case opml.OpGELU:
		l.gelu = opml.GELU{B: rapid.Int32Range(1, opml.MaxGELUClip).Draw(t, "geluB"), C: rapid.Int32Range(1, opml.MaxGELUConst).Draw(t, "geluC"),
			One: rapid.Int32Range(1, opml.MaxGELUOne).Draw(t, "geluOne"), Out: genFixed().Draw(t, "geluOut")}
		l.q = genQuant8(t, "y")
		return genVal{shape: s, q: l.q, int8: true}, true
	}
	return genVal{}, false
}

// sameShape returns a random int8 value with x's shape (x itself at least).
func (g *modelGen) sameShape(x genVal) int {
	var cands []int
	for i, v := range g.vals {
		if v.int8 && slices.Equal(v.shape, x.shape) {
			cands = append(cands, i)
		}
	}
	return rapid.SampledFrom(cands).Draw(g.t, "y")
}

// reshapeOf returns the reshape a generated layer applies: NHWC to [N, HWC],
// [N, K] to [N·K], [K] to [1, K].
func reshapeOf(s []int) []int {
	switch len(s) {
	case 4:
		return []int{s[0], s[1] * s[2] * s[3]}
	case 2:
		return []int{s[0] * s[1]}
	}
	return []int{1, s[0]}
}

// build adds l to b; ids maps value indexes to tensor ids.
func (l genLayer) build(b *opml.Builder, ids []int) int {
	x := ids[l.x]
	switch l.op {
	case opml.OpFullyConnected:
		return b.FC(x, l.w, l.bias, l.out, l.q)
	case opml.OpConv2D:
		return b.Conv2D(x, l.w, l.bias, l.stride[0], l.stride[1], l.pad, l.out, l.q)
	case opml.OpMaxPool2D:
		return b.MaxPool2D(x, l.win)
	case opml.OpAdd:
		return b.Add(x, ids[l.y], l.multA, l.multB, l.shift, l.q)
	case opml.OpArgMax:
		return b.ArgMax(x)
	case opml.OpReshape:
		return b.Reshape(x, l.shape)
	case opml.OpMatMul:
		return b.MatMul(x, l.w, l.bias, l.trans, l.q)
	case opml.OpTranspose:
		return b.Transpose(x, l.perm)
	case opml.OpSlice:
		return b.Slice(x, l.axis, l.begin, l.end)
	case opml.OpConcat:
		return b.Concat(x, ids[l.y], l.axis)
	case opml.OpMul:
		return b.Mul(x, ids[l.y], l.out, l.q)
	case opml.OpSoftmax:
		return b.Softmax(x, l.softmax, l.q)
	case opml.OpLayerNorm:
		return b.LayerNorm(x, l.w, l.bias, l.layerNorm, l.q)
	case opml.OpGELU:
		return b.GELU(x, l.gelu, l.q)
	}
	return b.ReLU(x)
}
