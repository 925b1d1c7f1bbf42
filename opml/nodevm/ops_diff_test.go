package nodevm

import (
	"flag"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec/memory"
)

var opRuns = flag.Int("opml.opruns", 8, "VM runs per transformer op and profile in TestOPML_NODE_DIFF_OPS (each holds at least 256 edge-value inputs)")

// edgeGen draws the edge-biased values the op differential feeds the VM.
type edgeGen struct{ r *rand.Rand }

// i8 is an int8: half the time −128, −127, −1, 0, 1, 126 or 127.
func (g edgeGen) i8() int8 {
	if g.r.IntN(2) == 0 {
		return []int8{-128, -127, -1, 0, 1, 126, 127}[g.r.IntN(7)]
	}
	return int8(g.r.IntN(256) - 128)
}

func (g edgeGen) i8s(n int) []int8 {
	v := make([]int8, n)
	for i := range v {
		v[i] = g.i8()
	}
	return v
}

// i32 is an int32: an extreme, a small value or any value.
func (g edgeGen) i32() int32 {
	switch g.r.IntN(3) {
	case 0:
		return []int32{math.MinInt32, math.MinInt32 + 1, -1, 0, 1, math.MaxInt32 - 1, math.MaxInt32}[g.r.IntN(7)]
	case 1:
		return int32(g.r.IntN(2001) - 1000)
	}
	return int32(g.r.Uint32())
}

func (g edgeGen) i32s(n int) []int32 {
	v := make([]int32, n)
	for i := range v {
		v[i] = g.i32()
	}
	return v
}

// pick returns lo, hi or a value between, a third of the time each.
func (g edgeGen) pick(lo, hi int32) int32 {
	switch g.r.IntN(3) {
	case 0:
		return lo
	case 1:
		return hi
	}
	return lo + int32(g.r.Int64N(int64(hi)-int64(lo)+1))
}

// zero is an int8 zero point, often an extreme.
func (g edgeGen) zero() int32 { return []int32{-128, 0, 127, int32(g.r.IntN(256) - 128)}[g.r.IntN(4)] }

// fixed is a valid multiplier: an edge or a realistic one.
func (g edgeGen) fixed() opml.Fixed {
	if g.r.IntN(2) == 0 {
		return opml.Fixed{Mult: []int32{0, 1, 1 << 30, math.MaxInt32}[g.r.IntN(4)], Shift: []int32{opml.MinShift, -1, 0, 1, opml.MaxShift}[g.r.IntN(5)]}
	}
	return opml.Fixed{Mult: int32(1<<30 + g.r.IntN(1<<30)), Shift: int32(g.r.IntN(15))}
}

// rows returns n rows of k int8 values: a quarter of the rows all one
// value (Softmax's division ties, LayerNorm's zero variance), a quarter of
// two values, the rest edge-biased.
func (g edgeGen) rows(n, k int) []int8 {
	var v []int8
	for range n {
		switch g.r.IntN(4) {
		case 0:
			v = append(v, slices.Repeat([]int8{g.i8()}, k)...)
		case 1:
			a, b := g.i8(), g.i8()
			for range k {
				v = append(v, []int8{a, b}[g.r.IntN(2)])
			}
		default:
			v = append(v, g.i8s(k)...)
		}
	}
	return v
}

// opCase is one VM run's worth of one op: a one-node model, its inputs'
// bytes, and how many independent inputs of the op's formula the node
// holds (output elements, rows for Softmax and LayerNorm, lookups for
// Gather).
type opCase struct {
	model     opml.Model
	inputs    [][]byte
	instances int
}

// matMulB draws a MatMul's inner dimension K in [1, 16] and its b's shape
// for a of [bt, n, K] and M = m: [bt, K, m], transposed [bt, m, K], or
// either shared by the batch (without bt).
func matMulB(g edgeGen, bt, m int) (k int, bs []int, trans bool) {
	k, trans = 1+g.r.IntN(16), g.r.IntN(2) == 1
	bs = []int{bt, k, m}
	if trans {
		bs = []int{bt, m, k}
	}
	if g.r.IntN(2) == 1 {
		bs = bs[1:]
	}
	return k, bs, trans
}

// opCases builds the edge-value case of each transformer op for run i.
var opCases = map[opml.Op]func(g edgeGen) (opCase, error){
	opml.OpMatMul: func(g edgeGen) (opCase, error) {
		const bt, n, m = 2, 4, 32
		k, bs, trans := matMulB(g, bt, m)
		var r []int32
		for range m {
			f := g.fixed()
			if g.r.IntN(4) == 0 { // data-borne pairs out of range: ChannelFixed clamps them
				f = opml.Fixed{Mult: g.i32(), Shift: g.i32()}
			}
			r = append(r, g.i32(), f.Mult, f.Shift)
		}
		var b opml.Builder
		x := b.Input(opml.Int8, []int{bt, n, k}, opml.Quant{Zero: g.zero()})
		w := b.Input(opml.Int8, bs, opml.Quant{Zero: g.zero()})
		rq := b.Input(opml.Int32, []int{m, 3}, opml.Quant{})
		mdl, err := b.Build(b.MatMul(x, w, rq, trans, opml.Quant{Zero: g.zero()}))
		return opCase{mdl, [][]byte{opml.Int8Bytes(g.i8s(bt * n * k)), opml.Int8Bytes(g.i8s(sizeOf(bs))), opml.Int32Bytes(r)}, bt * n * m}, err
	},
	opml.OpMatMulAcc: func(g edgeGen) (opCase, error) {
		const bt, n, m = 2, 4, 32
		k, bs, trans := matMulB(g, bt, m)
		cs := []int{m} // the carry: per column, or per output element
		if g.r.IntN(2) == 1 {
			cs = []int{bt, n, m}
		}
		var b opml.Builder
		x := b.Input(opml.Int8, []int{bt, n, k}, opml.Quant{Zero: g.zero()})
		w := b.Input(opml.Int8, bs, opml.Quant{Zero: g.zero()})
		c := b.Input(opml.Int32, cs, opml.Quant{})
		mdl, err := b.Build(b.MatMulAcc(x, w, c, trans, opml.Quant{}))
		return opCase{mdl, [][]byte{opml.Int8Bytes(g.i8s(bt * n * k)), opml.Int8Bytes(g.i8s(sizeOf(bs))), opml.Int32Bytes(g.i32s(sizeOf(cs)))}, bt * n * m}, err
	},
	opml.OpConv2DAcc: func(g edgeGen) (opCase, error) {
		h, w, ch, oc := 6+g.r.IntN(4), 6+g.r.IntN(4), 1+g.r.IntN(4), 64
		kh, kw := 1+g.r.IntN(3), 1+g.r.IntN(3)
		win := opml.Window{KH: kh, KW: kw, StrideH: 1 + g.r.IntN(2), StrideW: 1 + g.r.IntN(2),
			PadTop: g.r.IntN(kh), PadLeft: g.r.IntN(kw), PadBottom: g.r.IntN(kh), PadRight: g.r.IntN(kw)}
		oh, ow, _ := win.OutDims(h, w)
		cs := []int{oc}
		if g.r.IntN(2) == 1 {
			cs = []int{1, oh, ow, oc}
		}
		var b opml.Builder
		x := b.Input(opml.Int8, []int{1, h, w, ch}, opml.Quant{Zero: g.zero()})
		f := b.Input(opml.Int8, []int{oc, kh, kw, ch}, opml.Quant{Zero: g.zero()})
		c := b.Input(opml.Int32, cs, opml.Quant{})
		mdl, err := b.Build(b.Conv2DAcc(x, f, c, win, opml.Quant{}))
		return opCase{mdl, [][]byte{opml.Int8Bytes(g.i8s(h * w * ch)), opml.Int8Bytes(g.i8s(oc * kh * kw * ch)), opml.Int32Bytes(g.i32s(sizeOf(cs)))}, oh * ow * oc}, err
	},
	opml.OpRequantize: func(g edgeGen) (opCase, error) {
		rows, m := 8+g.r.IntN(8), 32
		tr := m
		if g.r.IntN(2) == 1 {
			tr = 1
		}
		var r []int32
		for range tr {
			f := g.fixed()
			if g.r.IntN(4) == 0 {
				f = opml.Fixed{Mult: g.i32(), Shift: g.i32()}
			}
			r = append(r, g.i32(), f.Mult, f.Shift)
		}
		var b opml.Builder
		x := b.Input(opml.Int32, []int{rows, m}, opml.Quant{})
		t := b.Input(opml.Int32, []int{tr, 3}, opml.Quant{})
		mdl, err := b.Build(b.Requantize(x, t, opml.Quant{Zero: g.zero()}))
		return opCase{mdl, [][]byte{opml.Int32Bytes(g.i32s(rows * m)), opml.Int32Bytes(r)}, rows * m}, err
	},
	opml.OpTranspose: func(g edgeGen) (opCase, error) {
		perm := g.r.Perm(4)
		x, in := layoutInput(g, []int{4, 4, 4, 4})
		var b opml.Builder
		mdl, err := b.Build(b.Transpose(b.Input(x.DType, x.Shape, x.Quant), perm))
		return opCase{mdl, [][]byte{in}, 256}, err
	},
	opml.OpSlice: func(g edgeGen) (opCase, error) {
		shape := []int{4, 16, 16}
		axis := g.r.IntN(3)
		begin := g.r.IntN(shape[axis] / 4)
		end := shape[axis] - g.r.IntN(shape[axis]/4)
		x, in := layoutInput(g, shape)
		var b opml.Builder
		mdl, err := b.Build(b.Slice(b.Input(x.DType, x.Shape, x.Quant), axis, begin, end))
		return opCase{mdl, [][]byte{in}, 1024 / shape[axis] * (end - begin)}, err
	},
	opml.OpConcat: func(g edgeGen) (opCase, error) {
		axis := g.r.IntN(3)
		sa := []int{4, 8, 8}
		sb := slices.Clone(sa)
		sb[axis] = 1 + g.r.IntN(8)
		d := []opml.DType{opml.Int8, opml.Int32}[g.r.IntN(2)]
		q := opml.Quant{}
		if d == opml.Int8 {
			q.Zero = g.zero()
		}
		var b opml.Builder
		a := b.Input(d, sa, q)
		c := b.Input(d, sb, q)
		mdl, err := b.Build(b.Concat(a, c, axis))
		return opCase{mdl, [][]byte{randBytes(g, d, sizeOf(sa)), randBytes(g, d, sizeOf(sb))}, sizeOf(sa) + sizeOf(sb)}, err
	},
	opml.OpGather: func(g edgeGen) (opCase, error) {
		const v, d, n = 16, 4, 256
		dt := []opml.DType{opml.Int8, opml.Int32}[g.r.IntN(2)]
		idx := make([]int32, n)
		for i := range idx {
			idx[i] = []int32{math.MinInt32, -1, 0, v - 1, v, math.MaxInt32, int32(g.r.IntN(v)), g.i32()}[g.r.IntN(8)]
		}
		var b opml.Builder
		tb := b.Input(dt, []int{v, d}, opml.Quant{})
		ix := b.Input(opml.Int32, []int{n}, opml.Quant{})
		mdl, err := b.Build(b.Gather(tb, ix))
		return opCase{mdl, [][]byte{randBytes(g, dt, v*d), opml.Int32Bytes(idx)}, n}, err
	},
	opml.OpMul: func(g edgeGen) (opCase, error) {
		const n = 512
		var b opml.Builder
		a := b.Input(opml.Int8, []int{n}, opml.Quant{Zero: g.zero()})
		c := b.Input(opml.Int8, []int{n}, opml.Quant{Zero: g.zero()})
		mdl, err := b.Build(b.Mul(a, c, g.fixed(), opml.Quant{Zero: g.zero()}))
		return opCase{mdl, [][]byte{opml.Int8Bytes(g.i8s(n)), opml.Int8Bytes(g.i8s(n))}, n}, err
	},
	opml.OpResidualAdd: func(g edgeGen) (opCase, error) {
		const n = 512
		var b opml.Builder
		a := b.Input(opml.Int32, []int{2, n / 2}, opml.Quant{})
		c := b.Input(opml.Int32, []int{2, n / 2}, opml.Quant{})
		mdl, err := b.Build(b.ResidualAdd(a, c, opml.Quant{}))
		return opCase{mdl, [][]byte{opml.Int32Bytes(g.i32s(n)), opml.Int32Bytes(g.i32s(n))}, n}, err
	},
	opml.OpSoftmax: func(g edgeGen) (opCase, error) {
		const rows, k = 256, 8
		sm := opml.Softmax{QLn2: g.pick(1, opml.MaxSoftmaxConst), QB: g.pick(1, opml.MaxSoftmaxConst),
			QC: g.pick(0, math.MaxInt32), OutShift: g.pick(0, opml.MaxSoftmaxShift)}
		if g.r.IntN(2) == 0 { // I-BERT's constants at a typical scale
			sm.QLn2, sm.QB, sm.QC = 11, 21, 245
		}
		var b opml.Builder
		var in []byte
		var x int
		if g.r.IntN(2) == 0 {
			x = b.Input(opml.Int8, []int{rows, k}, opml.Quant{Zero: g.zero()})
			in = opml.Int8Bytes(g.rows(rows, k))
		} else {
			x = b.Input(opml.Int32, []int{rows, k}, opml.Quant{})
			in = opml.Int32Bytes(g.i32s(rows * k))
		}
		mdl, err := b.Build(b.Softmax(x, sm, opml.Quant{Zero: g.zero()}))
		return opCase{mdl, [][]byte{in}, rows}, err
	},
	opml.OpLayerNorm: func(g edgeGen) (opCase, error) {
		const rows = 256
		d := []int{1, 2, 8, 16}[g.r.IntN(4)]
		ln := opml.LayerNorm{Eps: g.pick(0, opml.MaxLayerNormEps), Frac: g.pick(0, opml.MaxLayerNormFrac), Shift: g.pick(0, 62)}
		if g.r.IntN(2) == 0 {
			ln.Eps = int32(g.r.IntN(3))
		}
		var b opml.Builder
		x := b.Input(opml.Int8, []int{rows, d}, opml.Quant{Zero: g.zero()})
		gm := b.Input(opml.Int32, []int{d}, opml.Quant{})
		bt := b.Input(opml.Int32, []int{d}, opml.Quant{})
		mdl, err := b.Build(b.LayerNorm(x, gm, bt, ln, opml.Quant{Zero: g.zero()}))
		return opCase{mdl, [][]byte{opml.Int8Bytes(g.rows(rows, d)), opml.Int32Bytes(g.i32s(d)), opml.Int32Bytes(g.i32s(d))}, rows}, err
	},
	opml.OpGELU: func(g edgeGen) (opCase, error) {
		const n = 512
		k := opml.GELU{B: g.pick(1, opml.MaxGELUClip), C: g.pick(1, opml.MaxGELUConst), One: g.pick(1, opml.MaxGELUOne), Out: g.fixed()}
		if g.r.IntN(2) == 0 { // I-BERT's constants at scale 1/16
			k.B, k.C, k.One, k.Out = 41, 1773, 1773, opml.Fixed{Mult: 1240386555, Shift: 11}
		}
		var b opml.Builder
		x := b.Input(opml.Int8, []int{n}, opml.Quant{Zero: g.zero()})
		mdl, err := b.Build(b.GELU(x, k, opml.Quant{Zero: g.zero()}))
		return opCase{mdl, [][]byte{opml.Int8Bytes(g.i8s(n))}, n}, err
	},
}

// layoutInput returns an int8 or int32 input declaration of the given
// shape and its edge-value bytes.
func layoutInput(g edgeGen, shape []int) (opml.Tensor, []byte) {
	d := []opml.DType{opml.Int8, opml.Int32}[g.r.IntN(2)]
	q := opml.Quant{}
	if d == opml.Int8 {
		q.Zero = g.zero()
	}
	return opml.Tensor{DType: d, Shape: shape, Quant: q}, randBytes(g, d, sizeOf(shape))
}

func randBytes(g edgeGen, d opml.DType, n int) []byte {
	if d == opml.Int32 {
		return opml.Int32Bytes(g.i32s(n))
	}
	return opml.Int8Bytes(g.i8s(n))
}

func sizeOf(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// TestOPML_NODE_DIFF_OPS: for every transformer op, -opml.opruns VM runs
// under each profile (the node program under base, the tensor node program
// under OPcity), each a one-node model over at least 256 edge-value inputs
// (int8 and int32 extremes, extreme zero points, out-of-range data-borne
// multipliers and indices, rows of equal values, parameters at the ends of
// their ranges): the VM prints the native executor's output commitment,
// accepts it as the claim and rejects it with one bit flipped. Runs start
// from each program's absolute prestate (TestOPML_NODE_PRESTATE). It logs
// the inputs compared per op and profile, at least 2,048 at the default.
func TestOPML_NODE_DIFF_OPS(t *testing.T) {
	pres := map[string]*Machine{}
	for _, pkg := range []string{NodeProgram, TensorNodeProgram} {
		pres[pkg] = &Machine{State: programs[pkg]}
		if err := pres[pkg].RunToOracle(stepLimit); err != nil {
			t.Fatal(err)
		}
	}
	ops := []opml.Op{opml.OpMatMul, opml.OpTranspose, opml.OpSlice, opml.OpConcat, opml.OpGather,
		opml.OpMul, opml.OpResidualAdd, opml.OpSoftmax, opml.OpLayerNorm, opml.OpGELU,
		opml.OpMatMulAcc, opml.OpConv2DAcc, opml.OpRequantize}
	for _, op := range ops {
		t.Run(op.String(), func(t *testing.T) {
			var instances, runs int
			var steps [2]uint64
			for i := range *opRuns {
				g := edgeGen{rand.New(rand.NewPCG(uint64(op), uint64(i)))}
				c, err := opCases[op](g)
				if err != nil {
					t.Fatalf("run %d: building the case: %v", i, err)
				}
				j := opJob(t, c)
				for p, pkg := range []string{NodeProgram, TensorNodeProgram} {
					mc := &Machine{State: pres[pkg].State}
					if pkg == TensorNodeProgram {
						mc = tensorMachine(pres[pkg].State, j)
					}
					if err := mc.Run(NodeData(j.desc, j.ops), stepLimit); !MissingKey(err) {
						t.Fatalf("run %d %s: %v (exit %v %d, stdout %q)", i, pkg, err, mc.State.Exited, mc.State.ExitCode, mc.Stdout)
					}
					if got, ok := mc.Output(); !ok || got != j.native {
						t.Fatalf("run %d %s: VM output %s, native %s (seed op %d run %d)", i, pkg, got, j.native, op, i)
					}
					bad := j.native
					bad[i%32] ^= 1 << (i % 8)
					for claim, want := range map[memory.Hash]uint8{j.native: 0, bad: 1} {
						end := *mc
						if err := end.Run(WithClaim(nil, claim), stepLimit); err != nil || end.State.ExitCode != want {
							t.Fatalf("run %d %s: claim %s exits %d (%v), want %d", i, pkg, claim, end.State.ExitCode, err, want)
						}
					}
					steps[p] += mc.Steps
				}
				instances += c.instances
				runs++
			}
			t.Logf("%-11s %d VM runs per profile, %d edge-value inputs per profile equal native vs VM; mean steps from the prestate: base %d, opcity %d",
				op, runs, instances, steps[0]/uint64(runs), steps[1]/uint64(runs))
			if *opRuns >= 8 && instances < 2000 {
				t.Errorf("only %d inputs", instances)
			}
		})
	}
}

// opJob runs a one-node case natively and returns its node job.
func opJob(t *testing.T, c opCase) nodeJob {
	t.Helper()
	e, err := opml.NewExecutor(c.model, 1)
	if err != nil {
		t.Fatal(err)
	}
	tensors, err := e.Tensors(c.inputs...)
	if err != nil {
		t.Fatal(err)
	}
	d, ops, err := opml.NodeDescriptorOf(c.model, 0, tensors)
	if err != nil {
		t.Fatal(err)
	}
	return nodeJob{d, ops, opml.ComputeTensorRoot(tensors[c.model.Nodes[0].Output])}
}
