package main

import (
	"math"
	"math/rand/v2"
)

// A layer of the float network. Activations are flat []float64 in HWC order
// (the NHWC layout of opml with N = 1), so flattening changes nothing.
type layer interface {
	// params returns the layer's parameter slices (weights first, then bias).
	params() [][]float64
	// forward computes the output for input x, remembering what backward needs in c.
	forward(c *cache, x []float64) []float64
	// backward adds the parameter gradients for output gradient dy to g and
	// returns the input gradient (nil when needDx is false).
	backward(c *cache, g [][]float64, dy []float64, needDx bool) []float64
}

// cache is one layer's per-sample state, owned by one worker.
type cache struct {
	x, y []float64
	idx  []int
}

// dense is a fully connected layer: y = W·x + b, W [out][in] row-major.
type dense struct {
	in, out int
	w, b    []float64
}

func newDense(rng *rand.Rand, in, out int) *dense {
	d := &dense{in: in, out: out, w: make([]float64, in*out), b: make([]float64, out)}
	std := math.Sqrt(2 / float64(in))
	for i := range d.w {
		d.w[i] = rng.NormFloat64() * std
	}
	return d
}

func (d *dense) params() [][]float64 { return [][]float64{d.w, d.b} }

func (d *dense) forward(c *cache, x []float64) []float64 {
	c.x = x
	if len(c.y) != d.out {
		c.y = make([]float64, d.out)
	}
	for o := range d.out {
		row := d.w[o*d.in : (o+1)*d.in]
		s := d.b[o]
		for k, v := range x {
			s += row[k] * v
		}
		c.y[o] = s
	}
	return c.y
}

func (d *dense) backward(c *cache, g [][]float64, dy []float64, needDx bool) []float64 {
	gw, gb := g[0], g[1]
	for o, e := range dy {
		gb[o] += e
		if e == 0 {
			continue
		}
		row := gw[o*d.in : (o+1)*d.in]
		for k, v := range c.x {
			row[k] += e * v
		}
	}
	if !needDx {
		return nil
	}
	dx := make([]float64, d.in)
	for o, e := range dy {
		if e == 0 {
			continue
		}
		row := d.w[o*d.in : (o+1)*d.in]
		for k := range dx {
			dx[k] += e * row[k]
		}
	}
	return dx
}

// relu is max(x, 0).
type relu struct{}

func (relu) params() [][]float64 { return nil }

func (relu) forward(c *cache, x []float64) []float64 {
	if len(c.y) != len(x) {
		c.y = make([]float64, len(x))
	}
	for i, v := range x {
		c.y[i] = max(v, 0)
	}
	return c.y
}

func (relu) backward(c *cache, _ [][]float64, dy []float64, _ bool) []float64 {
	dx := make([]float64, len(dy))
	for i, e := range dy {
		if c.y[i] > 0 {
			dx[i] = e
		}
	}
	return dx
}

// conv is a stride-1, unpadded 2-D convolution, filter [oc][kh][kw][c].
type conv struct {
	h, w, c, oc, k int
	f, b           []float64
}

func newConv(rng *rand.Rand, h, w, c, oc, k int) *conv {
	cv := &conv{h: h, w: w, c: c, oc: oc, k: k, f: make([]float64, oc*k*k*c), b: make([]float64, oc)}
	std := math.Sqrt(2 / float64(k*k*c))
	for i := range cv.f {
		cv.f[i] = rng.NormFloat64() * std
	}
	return cv
}

func (cv *conv) oh() int { return cv.h - cv.k + 1 }
func (cv *conv) ow() int { return cv.w - cv.k + 1 }

func (cv *conv) params() [][]float64 { return [][]float64{cv.f, cv.b} }

func (cv *conv) forward(c *cache, x []float64) []float64 {
	c.x = x
	oh, ow, kc := cv.oh(), cv.ow(), cv.k*cv.c
	if len(c.y) != oh*ow*cv.oc {
		c.y = make([]float64, oh*ow*cv.oc)
	}
	for i := range oh {
		for j := range ow {
			out := c.y[(i*ow+j)*cv.oc : (i*ow+j+1)*cv.oc]
			copy(out, cv.b)
			for kh := range cv.k {
				xr := x[((i+kh)*cv.w+j)*cv.c : ((i+kh)*cv.w+j)*cv.c+kc]
				for o := range cv.oc {
					fr := cv.f[(o*cv.k+kh)*kc : (o*cv.k+kh+1)*kc]
					s := 0.0
					for t, v := range xr {
						s += fr[t] * v
					}
					out[o] += s
				}
			}
		}
	}
	return c.y
}

func (cv *conv) backward(c *cache, g [][]float64, dy []float64, needDx bool) []float64 {
	gf, gb := g[0], g[1]
	oh, ow, kc := cv.oh(), cv.ow(), cv.k*cv.c
	var dx []float64
	if needDx {
		dx = make([]float64, len(c.x))
	}
	for i := range oh {
		for j := range ow {
			e := dy[(i*ow+j)*cv.oc : (i*ow+j+1)*cv.oc]
			for o, v := range e {
				gb[o] += v
			}
			for kh := range cv.k {
				base := ((i+kh)*cv.w + j) * cv.c
				xr := c.x[base : base+kc]
				for o, v := range e {
					if v == 0 {
						continue
					}
					gr := gf[(o*cv.k+kh)*kc : (o*cv.k+kh+1)*kc]
					for t, xv := range xr {
						gr[t] += v * xv
					}
					if needDx {
						fr := cv.f[(o*cv.k+kh)*kc : (o*cv.k+kh+1)*kc]
						dr := dx[base : base+kc]
						for t, fv := range fr {
							dr[t] += v * fv
						}
					}
				}
			}
		}
	}
	return dx
}

// pool is a 2×2, stride-2 max pool over an h×w×c input (h, w even).
type pool struct{ h, w, c int }

func (pool) params() [][]float64 { return nil }

func (p pool) forward(c *cache, x []float64) []float64 {
	oh, ow := p.h/2, p.w/2
	n := oh * ow * p.c
	if len(c.y) != n {
		c.y, c.idx = make([]float64, n), make([]int, n)
	}
	c.x = x
	for i := range oh {
		for j := range ow {
			for ch := range p.c {
				best, bi := math.Inf(-1), -1
				for di := range 2 {
					for dj := range 2 {
						k := ((2*i+di)*p.w+2*j+dj)*p.c + ch
						if x[k] > best {
							best, bi = x[k], k
						}
					}
				}
				o := (i*ow+j)*p.c + ch
				c.y[o], c.idx[o] = best, bi
			}
		}
	}
	return c.y
}

func (p pool) backward(c *cache, _ [][]float64, dy []float64, _ bool) []float64 {
	dx := make([]float64, len(c.x))
	for o, e := range dy {
		dx[c.idx[o]] += e
	}
	return dx
}

// net is a sequence of layers ending in logits.
type net struct{ layers []layer }

// worker holds one goroutine's caches and gradient accumulators.
type worker struct {
	caches []cache
	grads  [][][]float64
}

func (n *net) newWorker() *worker {
	w := &worker{caches: make([]cache, len(n.layers))}
	for _, l := range n.layers {
		var g [][]float64
		for _, p := range l.params() {
			g = append(g, make([]float64, len(p)))
		}
		w.grads = append(w.grads, g)
	}
	return w
}

func (w *worker) zero() {
	for _, g := range w.grads {
		for _, p := range g {
			clear(p)
		}
	}
}

// forward returns the logits for x; w.caches[i].y holds layer i's output.
func (n *net) forward(w *worker, x []float64) []float64 {
	for i, l := range n.layers {
		x = l.forward(&w.caches[i], x)
	}
	return x
}

// step runs forward and backward for one sample and returns its loss.
func (n *net) step(w *worker, x []float64, label int) float64 {
	z := n.forward(w, x)
	m := z[0]
	for _, v := range z {
		m = max(m, v)
	}
	sum := 0.0
	p := make([]float64, len(z))
	for i, v := range z {
		p[i] = math.Exp(v - m)
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	loss := -math.Log(max(p[label], 1e-300))
	p[label] -= 1
	dy := p
	for i := len(n.layers) - 1; i >= 0; i-- {
		dy = n.layers[i].backward(&w.caches[i], w.grads[i], dy, i > 0)
	}
	return loss
}

func argmax(z []float64) int {
	b := 0
	for i, v := range z {
		if v > z[b] {
			b = i
		}
	}
	return b
}
