package main

import (
	"math"
	"math/rand/v2"
)

// This file is the float64 vision transformer (ViT) that quantizeViT turns
// into vit.opml: 7×7 patches of the 28×28 image (16 tokens), a linear patch
// embedding plus a learned position embedding, pre-LayerNorm transformer
// blocks (multi-head self-attention and a GELU MLP, each with a residual),
// mean pooling over the tokens, a LayerNorm and a linear head. The forward
// and backward passes are hand-written; every loop has one fixed order, so
// a run is deterministic.

const (
	vitPatch   = 7                               // patch side
	vitGrid    = 28 / vitPatch                   // patches per side
	vitTokens  = vitGrid * vitGrid               // 16 tokens
	vitPixels  = vitPatch * vitPatch             // 49 pixels per patch
	vitClasses = 10                              // digits
	vitLNEps   = 1e-5                            // LayerNorm's ε (of the variance)
	sqrtHalf   = 0.70710678118654752440084436210 // 1/√2
)

// vitShape is the architecture: width D, heads, MLP width and blocks.
type vitShape struct {
	d, heads, mlp, blocks int
}

// dh returns the width of one head.
func (s vitShape) dh() int { return s.d / s.heads }

// block holds one transformer block's parameters. Linear weights are
// [in][out] row-major (opml's MatMul b operand, [K, M]).
type block struct {
	g1, b1         []float64 // LayerNorm before attention [D]
	wq, wk, wv, wo []float64 // [D][D]
	bq, bk, bv, bo []float64 // [D]
	g2, b2         []float64 // LayerNorm before the MLP [D]
	w1, c1         []float64 // [D][MLP], [MLP]
	w2, c2         []float64 // [MLP][D], [D]
}

// vit is the parameter set; a gradient has the same type and shapes.
type vit struct {
	s      vitShape
	we, be []float64 // patch embedding [49][D], [D]
	pos    []float64 // position embedding [16][D]
	blocks []block
	gf, bf []float64 // final LayerNorm (after pooling) [D]
	wh, bh []float64 // head [D][10], [10]
}

// tensor is one parameter slice and whether weight decay applies to it.
type tensor struct {
	v     []float64
	decay bool
}

// tensors returns v's parameter slices in a fixed order (the order of the
// optimizer's state and of the gradient sums).
func (v *vit) tensors() []tensor {
	ts := []tensor{{v.we, true}, {v.be, false}, {v.pos, false}}
	for i := range v.blocks {
		b := &v.blocks[i]
		ts = append(ts, tensor{b.g1, false}, tensor{b.b1, false},
			tensor{b.wq, true}, tensor{b.bq, false}, tensor{b.wk, true}, tensor{b.bk, false},
			tensor{b.wv, true}, tensor{b.bv, false}, tensor{b.wo, true}, tensor{b.bo, false},
			tensor{b.g2, false}, tensor{b.b2, false},
			tensor{b.w1, true}, tensor{b.c1, false}, tensor{b.w2, true}, tensor{b.c2, false})
	}
	return append(ts, tensor{v.gf, false}, tensor{v.bf, false}, tensor{v.wh, true}, tensor{v.bh, false})
}

// newViT returns a zero parameter set of shape s (a gradient accumulator).
func newViT(s vitShape) *vit {
	z := func(n int) []float64 { return make([]float64, n) }
	v := &vit{s: s, we: z(vitPixels * s.d), be: z(s.d), pos: z(vitTokens * s.d),
		gf: z(s.d), bf: z(s.d), wh: z(s.d * vitClasses), bh: z(vitClasses)}
	for range s.blocks {
		v.blocks = append(v.blocks, block{
			g1: z(s.d), b1: z(s.d), wq: z(s.d * s.d), wk: z(s.d * s.d), wv: z(s.d * s.d), wo: z(s.d * s.d),
			bq: z(s.d), bk: z(s.d), bv: z(s.d), bo: z(s.d), g2: z(s.d), b2: z(s.d),
			w1: z(s.d * s.mlp), c1: z(s.mlp), w2: z(s.mlp * s.d), c2: z(s.d)})
	}
	return v
}

// initViT returns the initial parameters: linear weights uniform with
// standard deviation 1/√in (the residual branches' output projections
// scaled down by 1/√(2·blocks)), the position embedding uniform with
// deviation 0.02, LayerNorm gains 1 and every bias 0. The draws are
// uniform, (2u − 1)·√3·std with u = rng.Float64(), because
// rand.NormFloat64 calls math.Exp, whose amd64 assembly rounds differently
// on CPUs with and without FMA (see exp).
func initViT(s vitShape, rng *rand.Rand) *vit {
	v := newViT(s)
	normal := func(w []float64, std float64) {
		for i := range w {
			w[i] = (2*rng.Float64() - 1) * (math.Sqrt(3) * std)
		}
	}
	ones := func(w []float64) {
		for i := range w {
			w[i] = 1
		}
	}
	res := 1 / math.Sqrt(2*float64(s.blocks))
	normal(v.we, 1/math.Sqrt(vitPixels))
	normal(v.pos, 0.02)
	for i := range v.blocks {
		b := &v.blocks[i]
		ones(b.g1)
		ones(b.g2)
		normal(b.wq, 1/math.Sqrt(float64(s.d)))
		normal(b.wk, 1/math.Sqrt(float64(s.d)))
		normal(b.wv, 1/math.Sqrt(float64(s.d)))
		normal(b.wo, res/math.Sqrt(float64(s.d)))
		normal(b.w1, 1/math.Sqrt(float64(s.d)))
		normal(b.w2, res/math.Sqrt(float64(s.mlp)))
	}
	ones(v.gf)
	normal(v.wh, 1/math.Sqrt(float64(s.d)))
	return v
}

// lnCache is one LayerNorm's saved state: the normalized rows and 1/σ.
type lnCache struct {
	y, xhat, rstd []float64
}

// blockCache is one block's saved activations for one sample.
type blockCache struct {
	x       []float64 // block input [T][D]
	ln1     lnCache
	q, k, v []float64 // [T][D]
	s       []float64 // scaled scores [H][T][T], before the softmax
	p       []float64 // probabilities [H][T][T]
	o       []float64 // attention output before Wo [T][D]
	a       []float64 // attention branch output [T][D]
	mid     []float64 // x + a [T][D]
	ln2     lnCache
	h       []float64 // MLP pre-activation [T][MLP]
	g       []float64 // GELU(h) [T][MLP]
	m       []float64 // MLP branch output [T][D]
	out     []float64 // mid + m [T][D]
}

// vitCache is one sample's forward state, owned by one goroutine.
type vitCache struct {
	patches []float64 // [T][49]
	e       []float64 // patch embedding before the position [T][D]
	x0      []float64 // e + pos [T][D]
	blocks  []blockCache
	pooled  []float64 // mean over tokens [D]
	lnf     lnCache
	logits  []float64 // [10]
}

// patchesOf writes the 16 patches of img (784 values, row-major) as rows of
// 49 values, patch t = 4·row + column, pixel (kh, kw) at kh·7 + kw: the
// order of Conv2D's NHWC window over a [1, 28, 28, 1] input.
func patchesOf(dst, img []float64) {
	for t := range vitTokens {
		pr, pc := t/vitGrid, t%vitGrid
		for kh := range vitPatch {
			src := img[(pr*vitPatch+kh)*28+pc*vitPatch:][:vitPatch]
			copy(dst[t*vitPixels+kh*vitPatch:][:vitPatch], src)
		}
	}
}

// linear sets y [T][M] = x [T][K] · w [K][M] + b. Each row of w is read
// once, while the T rows of y (T·M values) stay in cache; every y[t][m]
// sums over k in order.
func linear(y, x, w, b []float64, T, K, M int) {
	for t := range T {
		copy(y[t*M:t*M+M], b)
	}
	for k := range K {
		wr := w[k*M : k*M+M]
		for t := range T {
			xv := x[t*K+k]
			if xv == 0 {
				continue
			}
			yr := y[t*M : t*M+M]
			yr = yr[:len(wr)]
			for m, wv := range wr {
				yr[m] += xv * wv
			}
		}
	}
}

// linearBack adds the gradients of y = x·w + b for dy to gw and gb and, when
// dx is not nil, sets dx = dy·wᵀ.
func linearBack(dx, gw, gb, dy, x, w []float64, T, K, M int) {
	for t := range T {
		for m, e := range dy[t*M : t*M+M] {
			gb[m] += e
		}
	}
	// Row k of gw stays in cache while the T rows add to it, each element
	// summing over t in order.
	for k := range K {
		gr := gw[k*M : k*M+M]
		for t := range T {
			xv := x[t*K+k]
			if xv == 0 {
				continue
			}
			dr := dy[t*M : t*M+M]
			dr = dr[:len(gr)]
			for m, e := range dr {
				gr[m] += xv * e
			}
		}
	}
	if dx == nil {
		return
	}
	for k := range K {
		wr := w[k*M : k*M+M]
		for t := range T {
			dx[t*K+k] = dot(dy[t*M:t*M+M], wr)
		}
	}
}

// dot returns Σ a[i]·b[i] (len(b) >= len(a)) as four interleaved partial
// sums, (s0 + s1) + (s2 + s3), which keeps four additions in flight; the
// order is fixed, so the result is too.
func dot(a, b []float64) float64 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float64
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// layerNorm normalizes each of the T rows of x [T][D] into c.y.
func layerNorm(c *lnCache, x, g, b []float64, T, D int) {
	for t := range T {
		xr := x[t*D : t*D+D]
		mean := 0.0
		for _, v := range xr {
			mean += v
		}
		mean /= float64(D)
		vr := 0.0
		for _, v := range xr {
			vr += (v - mean) * (v - mean)
		}
		rstd := 1 / math.Sqrt(vr/float64(D)+vitLNEps)
		c.rstd[t] = rstd
		for i, v := range xr {
			h := (v - mean) * rstd
			c.xhat[t*D+i] = h
			c.y[t*D+i] = h*g[i] + b[i]
		}
	}
}

// layerNormBack adds the gain and bias gradients for dy and returns dx.
func layerNormBack(c *lnCache, gg, gb, dy, g []float64, T, D int) []float64 {
	dx := make([]float64, T*D)
	for t := range T {
		xh, dr := c.xhat[t*D:t*D+D], dy[t*D:t*D+D]
		m1, m2 := 0.0, 0.0
		for i, e := range dr {
			gg[i] += e * xh[i]
			gb[i] += e
			dh := e * g[i]
			m1 += dh
			m2 += dh * xh[i]
		}
		m1 /= float64(D)
		m2 /= float64(D)
		for i, e := range dr {
			dx[t*D+i] = c.rstd[t] * (e*g[i] - m1 - xh[i]*m2)
		}
	}
	return dx
}

// erfPoly is I-BERT's second-order erf, the one opml's GELU kernel computes
// in integers: sgn(u)·(a·(min(|u|, −b) + b)² + 1), a = −0.2888, b = −1.769.
func erfPoly(u float64) float64 {
	a := min(math.Abs(u), 1.769)
	v := -0.2888*(a-1.769)*(a-1.769) + 1
	if u < 0 {
		return -v
	}
	return v
}

// erfPolyDeriv is the derivative of erfPoly.
func erfPolyDeriv(u float64) float64 {
	a := math.Abs(u)
	if a >= 1.769 {
		return 0
	}
	return -2 * 0.2888 * (a - 1.769)
}

// gelu is x·(1 + erf(x/√2))/2 with I-BERT's erf (erfPoly).
func gelu(x float64) float64 { return x * (1 + erfPoly(x*sqrtHalf)) / 2 }

// geluDeriv is the derivative of gelu.
func geluDeriv(x float64) float64 {
	u := x * sqrtHalf
	return (1+erfPoly(u))/2 + x*erfPolyDeriv(u)*sqrtHalf/2
}

// newCache allocates one sample's forward state for shape s.
func newCache(s vitShape) *vitCache {
	z := func(n int) []float64 { return make([]float64, n) }
	T, D := vitTokens, s.d
	ln := func(rows int) lnCache { return lnCache{y: z(rows * D), xhat: z(rows * D), rstd: z(rows)} }
	c := &vitCache{patches: z(T * vitPixels), e: z(T * D), x0: z(T * D), pooled: z(D), lnf: ln(1), logits: z(vitClasses)}
	for range s.blocks {
		c.blocks = append(c.blocks, blockCache{
			ln1: ln(T), q: z(T * D), k: z(T * D), v: z(T * D), s: z(s.heads * T * T), p: z(s.heads * T * T),
			o: z(T * D), a: z(T * D), mid: z(T * D), ln2: ln(T), h: z(T * s.mlp), g: z(T * s.mlp),
			m: z(T * D), out: z(T * D)})
	}
	return c
}

// forward runs v on img (784 values p/255) and returns the logits; c holds
// every intermediate value.
func (v *vit) forward(c *vitCache, img []float64) []float64 {
	s, T, D := v.s, vitTokens, v.s.d
	patchesOf(c.patches, img)
	linear(c.e, c.patches, v.we, v.be, T, vitPixels, D)
	for i := range c.x0 {
		c.x0[i] = c.e[i] + v.pos[i]
	}
	x := c.x0
	for l := range v.blocks {
		x = v.blocks[l].forward(&c.blocks[l], s, x)
	}
	clear(c.pooled)
	for t := range T {
		for i := range D {
			c.pooled[i] += x[t*D+i]
		}
	}
	for i := range c.pooled {
		c.pooled[i] /= float64(T)
	}
	layerNorm(&c.lnf, c.pooled, v.gf, v.bf, 1, D)
	linear(c.logits, c.lnf.y, v.wh, v.bh, 1, D, vitClasses)
	return c.logits
}

// forward runs block b on x [T][D] and returns its output.
func (b *block) forward(c *blockCache, s vitShape, x []float64) []float64 {
	T, D, F := vitTokens, s.d, s.mlp
	c.x = x
	layerNorm(&c.ln1, x, b.g1, b.b1, T, D)
	linear(c.q, c.ln1.y, b.wq, b.bq, T, D, D)
	linear(c.k, c.ln1.y, b.wk, b.bk, T, D, D)
	linear(c.v, c.ln1.y, b.wv, b.bv, T, D, D)
	attend(c, s)
	linear(c.a, c.o, b.wo, b.bo, T, D, D)
	for i := range c.mid {
		c.mid[i] = x[i] + c.a[i]
	}
	layerNorm(&c.ln2, c.mid, b.g2, b.b2, T, D)
	linear(c.h, c.ln2.y, b.w1, b.c1, T, D, F)
	for i, h := range c.h {
		c.g[i] = gelu(h)
	}
	linear(c.m, c.g, b.w2, b.c2, T, F, D)
	for i := range c.out {
		c.out[i] = c.mid[i] + c.m[i]
	}
	return c.out
}

// attend computes, per head h, the scaled scores S = Q_h·K_hᵀ/√dh, the
// probabilities P = softmax(S) by rows and the output O_h = P·V_h, head h
// being columns [h·dh, (h+1)·dh) of Q, K, V and O.
func attend(c *blockCache, s vitShape) {
	T, D, dh := vitTokens, s.d, s.dh()
	scale := 1 / math.Sqrt(float64(dh))
	for h := range s.heads {
		for i := range T {
			qi := c.q[i*D+h*dh:][:dh]
			row := c.s[(h*T+i)*T:][:T]
			top := math.Inf(-1)
			for j := range T {
				kj := c.k[j*D+h*dh:][:dh]
				dot := 0.0
				for d, qv := range qi {
					dot += qv * kj[d]
				}
				row[j] = dot * scale
				top = max(top, row[j])
			}
			p := c.p[(h*T+i)*T:][:T]
			sum := 0.0
			for j, sv := range row {
				p[j] = exp(sv - top)
				sum += p[j]
			}
			oi := c.o[i*D+h*dh:][:dh]
			clear(oi)
			for j := range p {
				p[j] /= sum
				vj := c.v[j*D+h*dh:][:dh]
				for d := range oi {
					oi[d] += p[j] * vj[d]
				}
			}
		}
	}
}

// backward adds the gradient of the loss whose logit gradient is dz to g.
// Precondition: c holds the forward state of the same sample under v.
func (v *vit) backward(c *vitCache, g *vit, dz []float64) {
	s, T, D := v.s, vitTokens, v.s.d
	dn := make([]float64, D)
	linearBack(dn, g.wh, g.bh, dz, c.lnf.y, v.wh, 1, D, vitClasses)
	dp := layerNormBack(&c.lnf, g.gf, g.bf, dn, v.gf, 1, D)
	dx := make([]float64, T*D)
	for t := range T {
		for i := range D {
			dx[t*D+i] = dp[i] / float64(T)
		}
	}
	for l := len(v.blocks) - 1; l >= 0; l-- {
		dx = v.blocks[l].backward(&c.blocks[l], &g.blocks[l], s, dx)
	}
	for i, e := range dx {
		g.pos[i] += e
	}
	linearBack(nil, g.we, g.be, dx, c.patches, v.we, T, vitPixels, D)
}

// backward adds block b's parameter gradients for the output gradient dy
// to g and returns the input gradient.
func (b *block) backward(c *blockCache, g *block, s vitShape, dy []float64) []float64 {
	T, D, F := vitTokens, s.d, s.mlp
	// out = mid + W2·gelu(W1·LN2(mid)).
	dgl := make([]float64, T*F)
	linearBack(dgl, g.w2, g.c2, dy, c.g, b.w2, T, F, D)
	for i, h := range c.h {
		dgl[i] *= geluDeriv(h)
	}
	dln := make([]float64, T*D)
	linearBack(dln, g.w1, g.c1, dgl, c.ln2.y, b.w1, T, D, F)
	dmid := layerNormBack(&c.ln2, g.g2, g.b2, dln, b.g2, T, D)
	for i, e := range dy {
		dmid[i] += e
	}
	// mid = x + Wo·attention(LN1(x)).
	do := make([]float64, T*D)
	linearBack(do, g.wo, g.bo, dmid, c.o, b.wo, T, D, D)
	dq, dk, dv := attendBack(c, s, do)
	dln = make([]float64, T*D)
	tmp := make([]float64, T*D)
	linearBack(tmp, g.wq, g.bq, dq, c.ln1.y, b.wq, T, D, D)
	addTo(dln, tmp)
	linearBack(tmp, g.wk, g.bk, dk, c.ln1.y, b.wk, T, D, D)
	addTo(dln, tmp)
	linearBack(tmp, g.wv, g.bv, dv, c.ln1.y, b.wv, T, D, D)
	addTo(dln, tmp)
	dx := layerNormBack(&c.ln1, g.g1, g.b1, dln, b.g1, T, D)
	addTo(dx, dmid)
	return dx
}

// attendBack returns the gradients of Q, K and V for the gradient do of O.
func attendBack(c *blockCache, s vitShape, do []float64) (dq, dk, dv []float64) {
	T, D, dh := vitTokens, s.d, s.dh()
	scale := 1 / math.Sqrt(float64(dh))
	dq, dk, dv = make([]float64, T*D), make([]float64, T*D), make([]float64, T*D)
	dp := make([]float64, T)
	for h := range s.heads {
		for i := range T {
			p := c.p[(h*T+i)*T:][:T]
			doi := do[i*D+h*dh:][:dh]
			dot := 0.0
			for j, pv := range p {
				vj := c.v[j*D+h*dh:][:dh]
				dvj := dv[j*D+h*dh:][:dh]
				e := 0.0
				for d, gv := range doi {
					e += gv * vj[d]
					dvj[d] += pv * gv
				}
				dp[j] = e
				dot += pv * e
			}
			qi, dqi := c.q[i*D+h*dh:][:dh], dq[i*D+h*dh:][:dh]
			for j, pv := range p {
				ds := pv * (dp[j] - dot) * scale
				kj, dkj := c.k[j*D+h*dh:][:dh], dk[j*D+h*dh:][:dh]
				for d := range dqi {
					dqi[d] += ds * kj[d]
					dkj[d] += ds * qi[d]
				}
			}
		}
	}
	return dq, dk, dv
}

// addTo adds b to a elementwise.
func addTo(a, b []float64) {
	for i, v := range b {
		a[i] += v
	}
}

// step runs forward and backward for one sample, adding its gradient to g,
// and returns its cross-entropy loss.
func (v *vit) step(c *vitCache, g *vit, img []float64, label int) float64 {
	dz, loss := softmaxCE(v.forward(c, img), label)
	v.backward(c, g, dz)
	return loss
}

// softmaxCE returns the cross-entropy of logits z for label and its
// gradient, softmax(z) − onehot(label).
func softmaxCE(z []float64, label int) (grad []float64, loss float64) {
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	p := make([]float64, len(z))
	sum := 0.0
	for i, v := range z {
		p[i] = exp(v - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	loss = -math.Log(max(p[label], 1e-300))
	p[label] -= 1
	return p, loss
}

// exp returns e^x for the softmaxes of training. It is Go's portable
// math.exp (src/math/exp.go, from FreeBSD's e_exp.c), copied because
// math.Exp runs assembly on amd64 that takes a fused multiply-add path on
// CPUs with FMA and another path without, so the two round differently;
// this one gives the same bits on every amd64 CPU. The explicit float64
// conversions keep the compiler from fusing a product into an addition on
// any platform (the Go specification, Floating-point operators).
func exp(x float64) float64 {
	const (
		ln2Hi     = 6.93147180369123816490e-01
		ln2Lo     = 1.90821492927058770002e-10
		log2e     = 1.44269504088896338700e+00
		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28)
		p1        = 1.66666666666666657415e-01
		p2        = -2.77777777770155933842e-03
		p3        = 6.61375632143793436117e-05
		p4        = -1.65339022054652515390e-06
		p5        = 4.13813679705723846039e-08
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(k) * ln2Lo
	r := hi - lo
	t := r * r
	p := p4 + float64(t*p5)
	p = p3 + float64(t*p)
	p = p2 + float64(t*p)
	p = p1 + float64(t*p)
	c := r - float64(t*p)
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}
