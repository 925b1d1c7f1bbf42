package chunk

import (
	"math"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// The generator of the property tests: small models with FullyConnected,
// MatMul or Conv2D nodes (often two, the second reading the first's
// output, and a ReLU or ArgMax after them), weights and biases that are
// constants or inputs, edge values everywhere (int8 −128, −127, −1, 0, 1,
// 126, 127; int32 extremes, so that accumulators wrap; zero points at both
// ends; multipliers of 0, 1 and 2^31 − 1 with the extreme shifts, so that
// outputs saturate; MatMul tables of data-borne multipliers out of range),
// random inputs with the same edges, and a bound between the fixed cost of
// every run and the largest node's estimate, so that some nodes split into
// many pieces, some into two and some not at all.

// splitCase is one drawn case: a model, one run's inputs and a bound.
type splitCase struct {
	m      opml.Model
	inputs [][]byte
	max    uint64
}

func genInt8() *rapid.Generator[int8] {
	return rapid.OneOf(rapid.SampledFrom([]int8{-128, -127, -1, 0, 1, 126, 127}), rapid.Int8())
}

func genInt32() *rapid.Generator[int32] {
	return rapid.OneOf(rapid.SampledFrom([]int32{math.MinInt32, math.MinInt32 + 1, -1, 0, 1, math.MaxInt32 - 1, math.MaxInt32}),
		rapid.Int32Range(-100000, 100000), rapid.Int32())
}

func genZero() *rapid.Generator[int32] {
	return rapid.OneOf(rapid.SampledFrom([]int32{-128, -127, 0, 126, 127}), rapid.Int32Range(-128, 127))
}

// genFixed draws a valid multiplier: often one that saturates every
// output (2^31 − 1 with shift −31), zeroes it, is exactly 1 or 1/2 (ties),
// or is a typical requantization scale.
func genFixed() *rapid.Generator[opml.Fixed] {
	return rapid.OneOf(
		rapid.SampledFrom([]opml.Fixed{{Mult: math.MaxInt32, Shift: -31}, {Mult: 0}, {Mult: 1 << 30, Shift: -1}, {Mult: 1 << 30}, {Mult: 1, Shift: 31}}),
		rapid.Custom(func(t *rapid.T) opml.Fixed {
			return opml.Fixed{Mult: rapid.Int32Range(0, math.MaxInt32).Draw(t, "mult"), Shift: rapid.Int32Range(-4, 16).Draw(t, "shift")}
		}))
}

// operand is a tensor the drawn model reads: a constant (with data) or an
// input (whose bytes are drawn for the run).
type operand struct {
	t     opml.Tensor
	isIn  bool
	bytes []byte
}

// draft collects a model's constants and inputs before its nodes.
type draft struct {
	ops []operand
}

// add draws whether the tensor is a constant (constOnly forces it) and
// its elements, and returns its index among the draft's operands.
func (d *draft) add(t *rapid.T, name string, dt opml.DType, shape []int, q opml.Quant, constOnly bool) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	var data []byte
	if dt == opml.Int8 {
		data = opml.Int8Bytes(rapid.SliceOfN(genInt8(), n, n).Draw(t, name))
	} else {
		data = opml.Int32Bytes(rapid.SliceOfN(genInt32(), n, n).Draw(t, name))
	}
	isIn := !constOnly && rapid.IntRange(0, 3).Draw(t, name+"IsInput") == 0
	d.ops = append(d.ops, operand{t: opml.Tensor{DType: dt, Shape: shape, Quant: q}, isIn: isIn, bytes: data})
	return len(d.ops) - 1
}

// channelTable draws MatMul's [M,3] table of bias, multiplier, shift:
// valid multipliers as a constant, any int32 values as an input.
func (d *draft) channelTable(t *rapid.T, m int) int {
	if rapid.IntRange(0, 3).Draw(t, "rIsInput") == 0 {
		d.ops = append(d.ops, operand{t: opml.Tensor{DType: opml.Int32, Shape: []int{m, 3}}, isIn: true,
			bytes: opml.Int32Bytes(rapid.SliceOfN(genInt32(), 3*m, 3*m).Draw(t, "r"))})
		return len(d.ops) - 1
	}
	v := make([]int32, 0, 3*m)
	for range m {
		f := genFixed().Draw(t, "rFixed")
		v = append(v, genInt32().Draw(t, "rBias"), f.Mult, f.Shift)
	}
	d.ops = append(d.ops, operand{t: opml.Tensor{DType: opml.Int32, Shape: []int{m, 3}}, bytes: opml.Int32Bytes(v)})
	return len(d.ops) - 1
}

// ids adds the draft's constants, then its inputs, to b and returns each
// operand's tensor id and the inputs' bytes in input order.
func (d *draft) ids(b *opml.Builder) ([]int, [][]byte) {
	ids := make([]int, len(d.ops))
	var inputs [][]byte
	for i, o := range d.ops {
		if !o.isIn {
			o.t.Data = o.bytes
			ids[i] = b.Const(o.t)
		}
	}
	for i, o := range d.ops {
		if o.isIn {
			ids[i] = b.Input(o.t.DType, o.t.Shape, o.t.Quant)
			inputs = append(inputs, o.bytes)
		}
	}
	return ids, inputs
}

// genCase draws a splitCase.
func genCase(t *rapid.T) splitCase {
	var c splitCase
	switch rapid.SampledFrom([]string{"FullyConnected", "MatMul", "Conv2D"}).Draw(t, "op") {
	case "FullyConnected":
		c.m, c.inputs = genFC(t)
	case "MatMul":
		c.m, c.inputs = genMatMul(t)
	default:
		c.m, c.inputs = genConv2D(t)
	}
	c.max = genBound(t, c.m)
	return c
}

// genBound draws a bound: at least every node's estimate that the rewrite
// does not split (so that a refusal is the rewrite's); then, one time in
// four, one below what the rewrite can reach (its smallest piece, or the
// Concat that joins the whole output), else one from there to the largest
// estimate and past it.
func genBound(t *rapid.T, m opml.Model) uint64 {
	floor, reach, top := uint64(nodevm.EstimateFixed), uint64(0), uint64(0)
	for k := range m.Nodes {
		e := nodevm.EstimateSteps(m, k)
		top = max(top, e)
		nd, ok := nodeOf(m, k)
		if !ok {
			floor = max(floor, e)
			continue
		}
		ones := make([]int, len(nd.axes)+1) // and one term of the inner dimension
		for i := range ones {
			ones[i] = 1
		}
		atom, _ := nd.estimate(ones)
		reach = max(reach, atom)
		if g, ok := joinModel(nd.out); ok {
			reach = max(reach, nodevm.EstimateSteps(g, 0))
		}
	}
	reach = max(reach, floor)
	if reach > floor && rapid.IntRange(0, 3).Draw(t, "belowReach") == 0 {
		return rapid.Uint64Range(floor, reach-1).Draw(t, "bound")
	}
	pct := rapid.SampledFrom([]uint64{0, 1, 2, 5, 10, 25, 50, 90, 100, 110}).Draw(t, "boundPercent")
	if top < reach {
		return reach
	}
	return reach + (top-reach)*pct/100
}

// finish adds a ReLU or an ArgMax after y or nothing, and builds the
// model with its outputs: the last tensor and sometimes y as well.
func finish(t *rapid.T, b *opml.Builder, y int, rank int) opml.Model {
	last := y
	switch rapid.IntRange(0, 2).Draw(t, "tail") {
	case 1:
		last = b.ReLU(y)
	case 2:
		if rank > 1 {
			last = b.ArgMax(y)
		}
	}
	outs := []int{last}
	if last != y && rapid.Bool().Draw(t, "outputY") {
		outs = []int{y, last}
	}
	m, err := b.Build(outs...)
	if err != nil {
		t.Fatalf("drawn model: %v", err)
	}
	return m
}

// genFC: x [N,K] (an input), w [M,K], b [M], FullyConnected, and
// sometimes a second FullyConnected over its output.
func genFC(t *rapid.T) (opml.Model, [][]byte) {
	n, k, mm := rapid.IntRange(1, 4).Draw(t, "N"), rapid.IntRange(1, 48).Draw(t, "K"), rapid.IntRange(1, 12).Draw(t, "M")
	second := rapid.Bool().Draw(t, "second")
	var d draft
	x := d.add(t, "x", opml.Int8, []int{n, k}, opml.Quant{Zero: genZero().Draw(t, "zx")}, false)
	d.ops[x].isIn = true
	w := d.add(t, "w", opml.Int8, []int{mm, k}, opml.Quant{Zero: genZero().Draw(t, "zw")}, false)
	bias := d.add(t, "b", opml.Int32, []int{mm}, opml.Quant{}, false)
	m2 := rapid.IntRange(1, 8).Draw(t, "M2")
	w2, b2 := -1, -1
	if second {
		w2 = d.add(t, "w2", opml.Int8, []int{m2, mm}, opml.Quant{Zero: genZero().Draw(t, "zw2")}, false)
		b2 = d.add(t, "b2", opml.Int32, []int{m2}, opml.Quant{}, false)
	}
	var b opml.Builder
	ids, inputs := d.ids(&b)
	y := b.FC(ids[x], ids[w], ids[bias], genFixed().Draw(t, "out"), opml.Quant{Zero: genZero().Draw(t, "zy")})
	if second {
		y = b.FC(y, ids[w2], ids[b2], genFixed().Draw(t, "out2"), opml.Quant{Zero: genZero().Draw(t, "zy2")})
	}
	return finish(t, &b, y, 2), inputs
}

// genMatMul: a [N,K] or [B,N,K] (an input), b shared [K,M] / [M,K] or,
// with rank 3, batched (an input), r [M,3], MatMul.
func genMatMul(t *rapid.T) (opml.Model, [][]byte) {
	bt, n, k, mm := rapid.IntRange(1, 3).Draw(t, "B"), rapid.IntRange(1, 4).Draw(t, "N"), rapid.IntRange(1, 8).Draw(t, "K"), rapid.IntRange(1, 8).Draw(t, "M")
	rank3, transB := rapid.Bool().Draw(t, "rank3"), rapid.Bool().Draw(t, "transB")
	aShape, bShape := []int{n, k}, []int{k, mm}
	if transB {
		bShape = []int{mm, k}
	}
	if rank3 {
		aShape = []int{bt, n, k}
		if rapid.Bool().Draw(t, "batchedB") {
			bShape = append([]int{bt}, bShape...)
		}
	}
	var d draft
	a := d.add(t, "a", opml.Int8, aShape, opml.Quant{Zero: genZero().Draw(t, "za")}, false)
	d.ops[a].isIn = true
	bm := d.add(t, "b", opml.Int8, bShape, opml.Quant{Zero: genZero().Draw(t, "zb")}, false)
	if len(bShape) == 3 {
		d.ops[bm].isIn = true
	}
	r := d.channelTable(t, mm)
	var b opml.Builder
	ids, inputs := d.ids(&b)
	y := b.MatMul(ids[a], ids[bm], ids[r], transB, opml.Quant{Zero: genZero().Draw(t, "zy")})
	return finish(t, &b, y, len(aShape)), inputs
}

// genConv2D: x [N,H,W,C] (an input), a filter [OC,KH,KW,C] and bias [OC],
// strides 1 to 3, pads from 0 to the kernel size − 1, Conv2D, and
// sometimes a FullyConnected over its flattened output.
func genConv2D(t *rapid.T) (opml.Model, [][]byte) {
	n, c, oc := rapid.IntRange(1, 2).Draw(t, "N"), rapid.IntRange(1, 3).Draw(t, "C"), rapid.IntRange(1, 5).Draw(t, "OC")
	kh, kw := rapid.IntRange(1, 4).Draw(t, "KH"), rapid.IntRange(1, 4).Draw(t, "KW")
	pad := [4]int{rapid.IntRange(0, kh-1).Draw(t, "padTop"), rapid.IntRange(0, kw-1).Draw(t, "padLeft"),
		rapid.IntRange(0, kh-1).Draw(t, "padBottom"), rapid.IntRange(0, kw-1).Draw(t, "padRight")}
	h := rapid.IntRange(max(1, kh-pad[0]-pad[2]), 8).Draw(t, "H")
	w := rapid.IntRange(max(1, kw-pad[1]-pad[3]), 8).Draw(t, "W")
	sh, sw := rapid.IntRange(1, 3).Draw(t, "strideH"), rapid.IntRange(1, 3).Draw(t, "strideW")
	var d draft
	x := d.add(t, "x", opml.Int8, []int{n, h, w, c}, opml.Quant{Zero: genZero().Draw(t, "zx")}, false)
	d.ops[x].isIn = true
	f := d.add(t, "f", opml.Int8, []int{oc, kh, kw, c}, opml.Quant{Zero: genZero().Draw(t, "zf")}, false)
	bias := d.add(t, "b", opml.Int32, []int{oc}, opml.Quant{}, false)
	oh, ow := (h+pad[0]+pad[2]-kh)/sh+1, (w+pad[1]+pad[3]-kw)/sw+1
	second := rapid.Bool().Draw(t, "second")
	m2 := rapid.IntRange(1, 4).Draw(t, "M2")
	w2, b2 := -1, -1
	if second {
		w2 = d.add(t, "w2", opml.Int8, []int{m2, oh * ow * oc}, opml.Quant{Zero: genZero().Draw(t, "zw2")}, true)
		b2 = d.add(t, "b2", opml.Int32, []int{m2}, opml.Quant{}, true)
	}
	var b opml.Builder
	ids, inputs := d.ids(&b)
	y := b.Conv2D(ids[x], ids[f], ids[bias], sh, sw, pad, genFixed().Draw(t, "out"), opml.Quant{Zero: genZero().Draw(t, "zy")})
	if !second {
		return finish(t, &b, y, 4), inputs
	}
	fl := b.Reshape(y, []int{n, oh * ow * oc})
	return finish(t, &b, b.FC(fl, ids[w2], ids[b2], genFixed().Draw(t, "out2"), opml.Quant{Zero: genZero().Draw(t, "zy2")}), 2), inputs
}

// splitNodes returns how many nodes of c's model are over its bound.
func (c splitCase) splitNodes() int {
	n := 0
	for k := range c.m.Nodes {
		if nodevm.EstimateSteps(c.m, k) > c.max {
			n++
		}
	}
	return n
}
