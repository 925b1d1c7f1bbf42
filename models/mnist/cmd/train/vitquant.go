package main

import (
	"fmt"
	"math"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/ibert"
)

// This file quantizes the float ViT into an opml model that uses only
// opml's existing operators (docs/opml.md §3), in the graph that
// docs/opml.md §4.6 lists:
//
//   - patch embedding: Conv2D 7×7 stride 7 on [1,28,28,1], Reshape [16,D];
//   - position embedding: Add of an int8 constant [16,D];
//   - per block: LayerNorm; MatMul Q, K, V (per-channel); Reshape and
//     Transpose to [H,16,dh]; MatMul Q·Kᵀ (batched, transB); Softmax;
//     MatMul P·V (batched); Transpose and Reshape back to [16,D]; MatMul
//     Wo; Add (the residual); LayerNorm; MatMul; GELU; MatMul; Add;
//   - head: MatMul of a constant row of ones (the mean over tokens);
//     LayerNorm; MatMul to the logits; ArgMax.
//
// The residual stream is int8 and its sums use Add, which rescales both
// operands: ResidualAdd adds int32 tensors, and no operator turns an int8
// activation into an int32 one, so ResidualAdd cannot carry it.

// vitCalibration is the number of training images (the first ones) whose
// activation ranges set the ViT's scales.
const vitCalibration = 2000

// Softmax output: probability p is stored as p·2^8 − 128 (scale 1/256).
const vitSoftmaxShift = 8

// rng is the range [lo, hi] one activation took on the calibration images.
type rng struct{ lo, hi float64 }

func (r *rng) add(vs []float64) {
	for _, v := range vs {
		r.lo, r.hi = min(r.lo, v), max(r.hi, v)
	}
}

// qa is an activation's quantization: real = scale·(q − zero).
type qa struct {
	scale float64
	zero  int32
}

// asym returns the int8 quantization covering r (and 0) with 256 levels.
func asym(r rng) qa {
	lo, hi := min(r.lo, 0), max(r.hi, 0)
	s := (hi - lo) / 255
	if s == 0 {
		s = 1.0 / 255
	}
	return qa{s, int32(min(127, max(-128, math.Round(-128-lo/s))))}
}

// blockStats are one block's activation ranges.
type blockStats struct {
	ln1, q, k, v, s, o, a, mid, ln2, h, g, m, out rng
}

// vitStats are the ranges of every activation the integer graph holds.
type vitStats struct {
	e, x0          rng
	blocks         []blockStats
	pooled, lnf, z rng
}

// calibrateViT runs v on imgs and records the activation ranges.
func calibrateViT(v *vit, imgs [][]float64) vitStats {
	st := vitStats{blocks: make([]blockStats, len(v.blocks))}
	c := newCache(v.s)
	for _, img := range imgs {
		v.forward(c, img)
		st.e.add(c.e)
		st.x0.add(c.x0)
		for l := range v.blocks {
			b, s := &c.blocks[l], &st.blocks[l]
			s.ln1.add(b.ln1.y)
			s.q.add(b.q)
			s.k.add(b.k)
			s.v.add(b.v)
			s.s.add(b.s)
			s.o.add(b.o)
			s.a.add(b.a)
			s.mid.add(b.mid)
			s.ln2.add(b.ln2.y)
			s.h.add(b.h)
			s.g.add(b.g)
			s.m.add(b.m)
			s.out.add(b.out)
		}
		st.pooled.add(c.pooled)
		st.lnf.add(c.lnf.y)
		st.z.add(c.logits)
	}
	return st
}

// vitBuilder is an opml.Builder with the first quantization error kept.
type vitBuilder struct {
	b   opml.Builder
	err error
}

// fixed returns the opml.Fixed of r > 0, recording an error if there is none.
func (q *vitBuilder) fixed(r float64) opml.Fixed {
	f, err := toFixed(r)
	if err != nil && q.err == nil {
		q.err = err
	}
	return f
}

// quant returns the opml quantization of a.
func (q *vitBuilder) quant(a qa) opml.Quant {
	return opml.Quant{Zero: a.zero, Scale: q.fixed(a.scale)}
}

// round32 returns round(v) as an int32, recording an error outside int32.
func (q *vitBuilder) round32(v float64) int32 {
	r := math.Round(v)
	if (r < math.MinInt32 || r > math.MaxInt32 || math.IsNaN(r)) && q.err == nil {
		q.err = fmt.Errorf("integer constant %g outside int32", v)
	}
	return int32(r)
}

// weights adds w [K][M] as an int8 constant with one symmetric scale per
// column m, sw[m] = max_k |w[k,m]|/127, and the MatMul table [M,3] of the
// bias b/(sa·sw[m]) and the multiplier sa·sw[m]/sy. It returns both ids.
func (q *vitBuilder) weights(w, b []float64, K, M int, sa, sy float64) (wid, rid int) {
	sw := make([]float64, M)
	for k := range K {
		for m := range M {
			sw[m] = max(sw[m], math.Abs(w[k*M+m])/127)
		}
	}
	qw := make([]int8, K*M)
	for i, v := range w {
		if s := sw[i%M]; s > 0 {
			qw[i] = int8(max(-127, min(127, math.Round(v/s))))
		}
	}
	r := make([]int32, 0, 3*M)
	for m := range M {
		s := sw[m]
		if s == 0 {
			s = 1
		}
		f := q.fixed(sa * s / sy)
		r = append(r, q.round32(b[m]/(sa*s)), f.Mult, f.Shift)
	}
	return q.b.Int8Const([]int{K, M}, opml.Quant{}, qw), q.table(r)
}

// rescale adds the MatMul table [M,3] of bias 0 and multiplier r for every column.
func (q *vitBuilder) rescale(M int, r float64) int {
	f := q.fixed(r)
	t := make([]int32, 0, 3*M)
	for range M {
		t = append(t, 0, f.Mult, f.Shift)
	}
	return q.table(t)
}

// table adds an int32 MatMul requantization table [len/3, 3].
func (q *vitBuilder) table(r []int32) int {
	return q.b.Int32Const([]int{len(r) / 3, 3}, opml.Fixed{}, r)
}

// lnFrac is LayerNorm's Frac: the normalized value carries 12 fraction bits.
const lnFrac = 12

// layerNorm adds gamma and beta for a LayerNorm from input scale sx to
// output quantization y, and returns their ids and the node parameters:
// gamma = γ·2^(shift−frac)/sy and beta = β·2^shift/sy, with the largest
// shift that keeps both within ±2^30, and eps = D²·ε/sx² (docs/opml.md §3.16).
func (q *vitBuilder) layerNorm(g, b []float64, sx float64, y qa) (gid, bid int, k opml.LayerNorm) {
	top := 0.0
	for i := range g {
		top = max(top, math.Abs(g[i])/math.Exp2(lnFrac), math.Abs(b[i]))
	}
	shift := 62
	for shift > lnFrac && top/y.scale*math.Exp2(float64(shift)) > 1<<30 {
		shift--
	}
	gi, bi := make([]int32, len(g)), make([]int32, len(b))
	for i := range g {
		gi[i] = q.round32(g[i] * math.Exp2(float64(shift-lnFrac)) / y.scale)
		bi[i] = q.round32(b[i] * math.Exp2(float64(shift)) / y.scale)
	}
	d := float64(len(g))
	eps := min(math.Round(d*d*vitLNEps/(sx*sx)), opml.MaxLayerNormEps)
	k = opml.LayerNorm{Eps: int32(eps), Frac: lnFrac, Shift: int32(shift)}
	return q.b.Int32Const([]int{len(g)}, opml.Fixed{}, gi), q.b.Int32Const([]int{len(b)}, opml.Fixed{}, bi), k
}

// add returns the Add parameters of y = a + b for scales sa, sb, sy: the
// larger ratio gets a mantissa in [2^30, 2^31), the other shares its shift.
func (q *vitBuilder) add(sa, sb, sy float64) (multA, multB, shift int32) {
	f := q.fixed(max(sa, sb) / sy)
	n := math.Exp2(float64(31 + f.Shift))
	return q.round32(sa / sy * n), q.round32(sb / sy * n), f.Shift
}

// softmaxScale returns the scale of a Softmax input covering r: ln2/n for
// the largest integer n with (hi − lo)/255 <= ln2/n, so that the kernel's
// qLn2 = ln2/scale is exact (a scale with a fractional ln2/scale would
// change the softmax's temperature by the rounding of qLn2).
func softmaxScale(r rng) qa {
	s := asym(r).scale
	n := max(1, math.Floor(math.Ln2/s))
	a := asym(r)
	a.scale = math.Ln2 / n
	a.zero = int32(min(127, max(-128, math.Round(-128-min(r.lo, 0)/a.scale))))
	return a
}

// softmaxParams returns the Softmax constants for input scale s = ln2/n:
// ibert.Softmax's, with qLn2 set to n exactly (the float quotient ln2/s
// can land just below n).
func softmaxParams(s float64) opml.Softmax {
	k := ibert.Softmax(s, vitSoftmaxShift)
	k.QLn2 = int32(math.Round(math.Ln2 / s))
	return k
}

// blockQuant is one block's activation quantizations.
type blockQuant struct {
	ln1, q, k, v, s, o, a, mid, ln2, h, g, m qa
}

// blockIDs are one block's constant ids.
type blockIDs struct {
	g1, b1, g2, b2         int
	wq, rq, wk, rk, wv, rv int
	rs, ro, wo, rwo        int
	w1, r1, w2, r2         int
	ln1, ln2               opml.LayerNorm
}

// quantizeViT converts v into an opml model with the activation ranges of
// calib. The input is the pixel p as p − 128 (zero point −128, scale 1/255).
// The outputs are the int8 logits [1,10] and their ArgMax [1].
func quantizeViT(v *vit, calib [][]float64) (opml.Model, error) {
	st := calibrateViT(v, calib)
	s, T, D, H, dh := v.s, vitTokens, v.s.d, v.s.heads, v.s.dh()
	q := &vitBuilder{}
	b := &q.b
	sIn := 1.0 / 255
	// Activation quantizations.
	qe, qx0 := asym(st.e), asym(st.x0)
	bq := make([]blockQuant, s.blocks)
	for l, bs := range st.blocks {
		bq[l] = blockQuant{ln1: asym(bs.ln1), q: asym(bs.q), k: asym(bs.k), v: asym(bs.v), s: softmaxScale(bs.s),
			o: asym(bs.o), a: asym(bs.a), mid: asym(bs.mid), ln2: asym(bs.ln2), h: asym(bs.h), g: asym(bs.g),
			m: asym(bs.m)}
	}
	outs := []qa{qx0} // the residual stream: the input of block l, the output of the last
	for _, bs := range st.blocks {
		outs = append(outs, asym(bs.out))
	}
	qpool, qlnf := asym(st.pooled), asym(st.lnf)
	zmax := max(-st.z.lo, st.z.hi)
	qz := qa{zmax / 127, 0}
	qp := qa{1.0 / (1 << vitSoftmaxShift), -128}

	// Constants: the patch filter (per tensor: Conv2D has one multiplier), the position embedding.
	wmax := 0.0
	for _, w := range v.we {
		wmax = max(wmax, math.Abs(w))
	}
	sw := wmax / 127
	filter := make([]int8, D*vitPixels)
	for px := range vitPixels {
		for o := range D {
			filter[o*vitPixels+px] = int8(max(-127, min(127, math.Round(v.we[px*D+o]/sw))))
		}
	}
	bias := make([]int32, D)
	for o := range D {
		bias[o] = q.round32(v.be[o] / (sIn * sw))
	}
	fid := b.Int8Const([]int{D, vitPatch, vitPatch, 1}, opml.Quant{Scale: q.fixed(sw)}, filter)
	fbid := b.Int32Const([]int{D}, q.fixed(sIn*sw), bias)
	pmax := 0.0
	for _, p := range v.pos {
		pmax = max(pmax, math.Abs(p))
	}
	sp := pmax / 127
	pos := make([]int8, len(v.pos))
	for i, p := range v.pos {
		pos[i] = int8(max(-127, min(127, math.Round(p/sp))))
	}
	pid := b.Int8Const([]int{T, D}, opml.Quant{Scale: q.fixed(sp)}, pos)

	ids := make([]blockIDs, s.blocks)
	for l := range v.blocks {
		w, bqu, id := &v.blocks[l], bq[l], &ids[l]
		id.g1, id.b1, id.ln1 = q.layerNorm(w.g1, w.b1, outs[l].scale, bqu.ln1)
		id.wq, id.rq = q.weights(w.wq, w.bq, D, D, bqu.ln1.scale, bqu.q.scale)
		id.wk, id.rk = q.weights(w.wk, w.bk, D, D, bqu.ln1.scale, bqu.k.scale)
		id.wv, id.rv = q.weights(w.wv, w.bv, D, D, bqu.ln1.scale, bqu.v.scale)
		id.rs = q.rescale(T, bqu.q.scale*bqu.k.scale/math.Sqrt(float64(dh))/bqu.s.scale)
		id.ro = q.rescale(dh, qp.scale*bqu.v.scale/bqu.o.scale)
		id.wo, id.rwo = q.weights(w.wo, w.bo, D, D, bqu.o.scale, bqu.a.scale)
		id.g2, id.b2, id.ln2 = q.layerNorm(w.g2, w.b2, bqu.mid.scale, bqu.ln2)
		id.w1, id.r1 = q.weights(w.w1, w.c1, D, s.mlp, bqu.ln2.scale, bqu.h.scale)
		id.w2, id.r2 = q.weights(w.w2, w.c2, s.mlp, D, bqu.g.scale, bqu.m.scale)
	}
	ones := make([]int8, T)
	for i := range ones {
		ones[i] = 1
	}
	oid := b.Int8Const([]int{1, T}, opml.Quant{Scale: q.fixed(1.0 / float64(T))}, ones)
	xLast := outs[len(outs)-1]
	rpool := q.rescale(D, xLast.scale/float64(T)/qpool.scale)
	gf, bf, lnf := q.layerNorm(v.gf, v.bf, qpool.scale, qlnf)
	wh, rh := q.weights(v.wh, v.bh, D, vitClasses, qlnf.scale, qz.scale)

	// The input and the nodes.
	x := b.Input(opml.Int8, []int{1, 28, 28, 1}, opml.Quant{Zero: -128, Scale: q.fixed(sIn)})
	e := b.Conv2D(x, fid, fbid, vitPatch, vitPatch, [4]int{}, q.fixed(sIn*sw/qe.scale), q.quant(qe))
	e = b.Reshape(e, []int{T, D})
	ma, mb, sh := q.add(qe.scale, sp, qx0.scale)
	x = b.Add(e, pid, ma, mb, sh, q.quant(qx0))
	heads := func(t int) int { return b.Transpose(b.Reshape(t, []int{T, H, dh}), []int{1, 0, 2}) }
	for l := range v.blocks {
		bqu, id := bq[l], ids[l]
		n := b.LayerNorm(x, id.g1, id.b1, id.ln1, q.quant(bqu.ln1))
		qh := heads(b.MatMul(n, id.wq, id.rq, false, q.quant(bqu.q)))
		kh := heads(b.MatMul(n, id.wk, id.rk, false, q.quant(bqu.k)))
		vh := heads(b.MatMul(n, id.wv, id.rv, false, q.quant(bqu.v)))
		sc := b.MatMul(qh, kh, id.rs, true, q.quant(bqu.s))
		p := b.Softmax(sc, softmaxParams(bqu.s.scale), q.quant(qp))
		o := b.MatMul(p, vh, id.ro, false, q.quant(bqu.o))
		o = b.Reshape(b.Transpose(o, []int{1, 0, 2}), []int{T, D})
		a := b.MatMul(o, id.wo, id.rwo, false, q.quant(bqu.a))
		ma, mb, sh := q.add(outs[l].scale, bqu.a.scale, bqu.mid.scale)
		mid := b.Add(x, a, ma, mb, sh, q.quant(bqu.mid))
		n = b.LayerNorm(mid, id.g2, id.b2, id.ln2, q.quant(bqu.ln2))
		h := b.MatMul(n, id.w1, id.r1, false, q.quant(bqu.h))
		g := b.GELU(h, ibert.GELU(bqu.h.scale, bqu.g.scale), q.quant(bqu.g))
		m := b.MatMul(g, id.w2, id.r2, false, q.quant(bqu.m))
		ma, mb, sh = q.add(bqu.mid.scale, bqu.m.scale, outs[l+1].scale)
		x = b.Add(mid, m, ma, mb, sh, q.quant(outs[l+1]))
	}
	pooled := b.MatMul(oid, x, rpool, false, q.quant(qpool))
	n := b.LayerNorm(pooled, gf, bf, lnf, q.quant(qlnf))
	z := b.MatMul(n, wh, rh, false, q.quant(qz))
	m, err := b.Build(z, b.ArgMax(z))
	if q.err != nil {
		return opml.Model{}, q.err
	}
	return m, err
}
