package main

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestViTGradient compares the hand-written backward pass of a small ViT
// with central differences of its loss, parameter by parameter.
func TestViTGradient(t *testing.T) {
	s := vitShape{d: 8, heads: 2, mlp: 16, blocks: 2}
	rng := rand.New(rand.NewPCG(1, 2))
	v := initViT(s, rng)
	for _, p := range v.tensors() { // move gains and biases off their initial values
		for i := range p.v {
			p.v[i] += 0.1 * rng.NormFloat64()
		}
	}
	img := make([]float64, 784)
	for i := range img {
		if rng.IntN(3) == 0 {
			img[i] = rng.Float64()
		}
	}
	const label = 3
	c, g := newCache(s), newViT(s)
	v.step(c, g, img, label)
	loss := func() float64 {
		_, l := softmaxCE(v.forward(newCache(s), img), label)
		return l
	}
	gs := g.tensors()
	worst := 0.0
	for pi, p := range v.tensors() {
		for k := range p.v {
			old := p.v[k]
			const h = 1e-5
			p.v[k] = old + h
			lp := loss()
			p.v[k] = old - h
			lm := loss()
			p.v[k] = old
			num := (lp - lm) / (2 * h)
			err := math.Abs(num-gs[pi].v[k]) / max(1e-6, math.Abs(num)+math.Abs(gs[pi].v[k]))
			worst = max(worst, err)
			if err > 1e-4 && math.Abs(num-gs[pi].v[k]) > 1e-8 {
				t.Fatalf("tensor %d element %d: backward %g, numeric %g", pi, k, gs[pi].v[k], num)
			}
		}
	}
	t.Logf("largest relative error %.2g", worst)
}

// TestViTExp: the trainer's portable exp agrees with math.Exp (whose amd64
// assembly differs from it in the last bits) to within 2 ulps over the
// range training uses (x <= 0) and beyond, and at the special cases.
func TestViTExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	xs := []float64{0, math.Copysign(0, -1), 1e-30, -1e-9, -1, 1, -745.2, -746, 709, 710, math.Inf(-1), math.Inf(1)}
	for range 100000 {
		xs = append(xs, -rng.Float64()*50, rng.NormFloat64()*5)
	}
	worst, differ := 0.0, 0
	for _, x := range xs {
		got, want := exp(x), math.Exp(x)
		if got == want {
			continue
		}
		differ++
		ulps := math.Abs(got-want) / math.Abs(math.Nextafter(want, math.Inf(1))-want)
		worst = max(worst, ulps)
		if ulps > 2 {
			t.Fatalf("exp(%g) = %g, math.Exp = %g: %.0f ulps apart", x, got, want, ulps)
		}
	}
	if !math.IsNaN(exp(math.NaN())) {
		t.Fatal("exp(NaN) is not NaN")
	}
	t.Logf("%d of %d values differ from math.Exp, by at most %.0f ulps", differ, len(xs), worst)
}
