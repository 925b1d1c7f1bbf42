package opml_test

import (
	"github.com/opcity-spec/opcity/opml"
)

// exampleMLP is the worked example of docs/opml.md: a 4-3-2 perceptron with
// a ReLU and an ArgMax. Tensor ids: 0 w1 [3,4], 1 b1 [3], 2 w2 [2,3], 3 b2
// [2], 4 the input x [1,4], 5 fc1, 6 relu, 7 fc2, 8 argmax.
func exampleMLP() opml.Model {
	b := &opml.Builder{}
	q := opml.Quant{Zero: 0, Scale: opml.Fixed{Mult: 1 << 30, Shift: 6}} // scale 2^30·2^−37 = 1/128
	w1 := b.Int8Const([]int{3, 4}, opml.Quant{}, []int8{1, -2, 3, -4, 5, 6, -7, 8, 127, -128, 0, 1})
	b1 := b.Int32Const([]int{3}, opml.Fixed{}, []int32{108, -208, 0})
	w2 := b.Int8Const([]int{2, 3}, opml.Quant{Zero: 1}, []int8{2, -1, 1, -3, 4, 2})
	b2 := b.Int32Const([]int{2}, opml.Fixed{}, []int32{-5, 7})
	x := b.Input(opml.Int8, []int{1, 4}, q)
	h := b.FC(x, w1, b1, opml.Fixed{Mult: 1 << 30, Shift: 3}, opml.Quant{}) // ·1/16
	r := b.ReLU(h)
	y := b.FC(r, w2, b2, opml.Fixed{Mult: 1518500250, Shift: 2}, opml.Quant{Zero: 3}) // ·0.1767767
	am := b.ArgMax(y)
	m, err := b.Build(y, am)
	if err != nil {
		panic(err)
	}
	return m
}

// exampleInput is the input of the worked example: x = [10, −20, 30, 40].
var exampleInput = opml.Int8Bytes([]int8{10, -20, 30, 40})

// exampleCNN is a small model with every op: a 1×4×4×1 image (tensor 4), a
// 2×2 convolution with 2 output channels (node 0, tensor 5), 2×2 max pooling
// (node 1, tensor 6), flatten (node 2, tensor 7), a fully connected layer
// (node 3, tensor 8), ReLU (node 4, tensor 9), a residual Add (node 5,
// tensor 10) and ArgMax (node 6, tensor 11). Constants: 0 filter, 1 conv
// bias, 2 FC weights, 3 FC bias.
func exampleCNN() opml.Model {
	b := &opml.Builder{}
	f := b.Int8Const([]int{2, 2, 2, 1}, opml.Quant{Zero: 1}, []int8{1, -1, 2, 0, -3, 4, 127, -128})
	cb := b.Int32Const([]int{2}, opml.Fixed{}, []int32{10, -10})
	w := b.Int8Const([]int{3, 8}, opml.Quant{}, []int8{1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8, 0, 1, 0, 1, 0, 1, 0, 1})
	wb := b.Int32Const([]int{3}, opml.Fixed{}, []int32{0, 1 << 20, -7})
	x := b.Input(opml.Int8, []int{1, 4, 4, 1}, opml.Quant{Zero: -128})
	c := b.Conv2D(x, f, cb, 1, 1, [4]int{1, 1, 0, 0}, opml.Fixed{Mult: 1 << 30, Shift: 4}, opml.Quant{Zero: -3})
	p := b.MaxPool2D(c, opml.Window{KH: 2, KW: 2, StrideH: 2, StrideW: 2})
	fl := b.Flatten(p)
	h := b.FC(fl, w, wb, opml.Fixed{Mult: 1518500250, Shift: 6}, opml.Quant{Zero: 2})
	r := b.ReLU(h)
	s := b.Add(r, h, 1<<30, 1<<29, 0, opml.Quant{})
	m, err := b.Build(s, b.ArgMax(s))
	if err != nil {
		panic(err)
	}
	return m
}
