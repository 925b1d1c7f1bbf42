package opml_test

import (
	"testing"

	"github.com/opcity-spec/opcity/opml"
)

// benchMLP is a 784-128-10 perceptron with deterministic pseudo-random
// weights: the shape of the MNIST MLP of issue 7, not a trained model.
func benchMLP(batch int) opml.Model {
	rnd := uint32(1)
	next := func() int8 { rnd = rnd*1664525 + 1013904223; return int8(rnd >> 24) }
	vals := func(n int) []int8 {
		v := make([]int8, n)
		for i := range v {
			v[i] = next()
		}
		return v
	}
	b := &opml.Builder{}
	w1 := b.Int8Const([]int{128, 784}, opml.Quant{}, vals(128*784))
	b1 := b.Int32Const([]int{128}, opml.Fixed{}, make([]int32, 128))
	w2 := b.Int8Const([]int{10, 128}, opml.Quant{}, vals(10*128))
	b2 := b.Int32Const([]int{10}, opml.Fixed{}, make([]int32, 10))
	x := b.Input(opml.Int8, []int{batch, 784}, opml.Quant{Zero: -128})
	h := b.ReLU(b.FC(x, w1, b1, opml.Fixed{Mult: 1 << 30, Shift: 12}, opml.Quant{Zero: -128}))
	y := b.FC(h, w2, b2, opml.Fixed{Mult: 1 << 30, Shift: 10}, opml.Quant{})
	m, err := b.Build(b.ArgMax(y))
	if err != nil {
		panic(err)
	}
	return m
}

func benchRun(b *testing.B, batch, workers int, commit bool) {
	m := benchMLP(batch)
	e, err := opml.NewExecutor(m, workers)
	if err != nil {
		b.Fatal(err)
	}
	in := make([]byte, batch*784)
	for i := range in {
		in[i] = byte(i * 7)
	}
	b.ResetTimer()
	for b.Loop() {
		if commit {
			_, err = e.Trace(in)
		} else {
			_, err = e.Infer(in)
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// Latency of one image and of a batch of 100, without and with commitments.
func BenchmarkOPML_MLP_Infer1(b *testing.B)     { benchRun(b, 1, 1, false) }
func BenchmarkOPML_MLP_Trace1(b *testing.B)     { benchRun(b, 1, 1, true) }
func BenchmarkOPML_MLP_Infer100(b *testing.B)   { benchRun(b, 100, 1, false) }
func BenchmarkOPML_MLP_Trace100(b *testing.B)   { benchRun(b, 100, 1, true) }
func BenchmarkOPML_MLP_Trace100x2(b *testing.B) { benchRun(b, 100, 2, true) }
