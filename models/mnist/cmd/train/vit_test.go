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
