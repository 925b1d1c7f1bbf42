package fuzz

import (
	"encoding/binary"
	"testing"

	"github.com/opcity-spec/opcity/opml"
)

// FuzzDecodeModel: opml.Decode on arbitrary bytes never panics, rejects with
// a *opml.FormatError, or returns a model whose encoding is the input itself
// (canonical); small decoded models also run identically on 1 and 3
// goroutines (OPML-FMT-REJECT, OPML-FMT-CANONICAL, OPML-EXEC-DETERMINISM).
// The check is opml.CheckDecode.
func FuzzDecodeModel(f *testing.F) {
	cnn := opml.Encode(fuzzCNN())
	f.Add(cnn)                                    // a valid model using every op: Conv2D, MaxPool2D, Reshape, FC, ReLU, Add, ArgMax
	f.Add(opml.Encode(fuzzMLP()))                 // a valid two-layer perceptron with two outputs
	f.Add(opml.Encode(fuzzTransformer()))         // a valid attention block using every transformer op (codes 8–17)
	f.Add(cnn[:opml.HeaderSize])                  // the header alone: CodeTruncated
	f.Add([]byte{})                               // nothing at all
	f.Add(append(append([]byte(nil), cnn...), 0)) // one trailing byte: CodeTrailing
	big := append([]byte(nil), cnn...)
	binary.BigEndian.PutUint32(big[8:], 0xFFFFFFFF) // 2^32−1 constants: CodeTooLarge before any allocation
	f.Add(big)
	many := append([]byte(nil), cnn...)
	binary.BigEndian.PutUint32(many[8:], 60000) // within MaxTensors but more records than bytes: CodeTruncated
	f.Add(many)
	id := append([]byte(nil), cnn...)
	id[opml.HeaderSize+3] = 1 // tensor 0 claims id 1: CodeBadID
	f.Add(id)
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := opml.CheckDecode(b); err != nil {
			t.Fatal(err)
		}
	})
}

// fuzzCNN is a small valid model with every op: a 1×4×4×1 image, a 2×2
// convolution with 2 channels and padding, 2×2 max pooling, flatten, a
// fully connected layer, ReLU, a residual Add and ArgMax.
func fuzzCNN() opml.Model {
	b := &opml.Builder{}
	f := b.Int8Const([]int{2, 2, 2, 1}, opml.Quant{Zero: 1}, []int8{1, -1, 2, 0, -3, 4, 127, -128})
	cb := b.Int32Const([]int{2}, opml.Fixed{}, []int32{10, -10})
	w := b.Int8Const([]int{3, 8}, opml.Quant{}, []int8{1, 2, 3, 4, 5, 6, 7, 8, -1, -2, -3, -4, -5, -6, -7, -8, 0, 1, 0, 1, 0, 1, 0, 1})
	wb := b.Int32Const([]int{3}, opml.Fixed{}, []int32{0, 1 << 20, -7})
	x := b.Input(opml.Int8, []int{1, 4, 4, 1}, opml.Quant{Zero: -128, Scale: opml.Fixed{Mult: 1 << 30, Shift: 7}})
	c := b.Conv2D(x, f, cb, 1, 1, [4]int{1, 1, 0, 0}, opml.Fixed{Mult: 1 << 30, Shift: 4}, opml.Quant{Zero: -3})
	p := b.MaxPool2D(c, opml.Window{KH: 2, KW: 2, StrideH: 2, StrideW: 2})
	fl := b.Flatten(p)
	h := b.FC(fl, w, wb, opml.Fixed{Mult: 1518500250, Shift: 6}, opml.Quant{Zero: 2})
	r := b.ReLU(h)
	s := b.Add(r, h, 1<<30, 1<<29, 0, opml.Quant{Zero: 0})
	m, err := b.Build(s, b.ArgMax(s))
	if err != nil {
		panic(err)
	}
	return m
}

// fuzzMLP is a 4-3-2 perceptron returning its logits and their argmax.
func fuzzMLP() opml.Model {
	b := &opml.Builder{}
	w1 := b.Int8Const([]int{3, 4}, opml.Quant{}, []int8{1, -2, 3, -4, 5, 6, -7, 8, 127, -128, 0, 1})
	b1 := b.Int32Const([]int{3}, opml.Fixed{}, []int32{108, -208, 0})
	w2 := b.Int8Const([]int{2, 3}, opml.Quant{Zero: 1}, []int8{2, -1, 1, -3, 4, 2})
	b2 := b.Int32Const([]int{2}, opml.Fixed{}, []int32{-5, 7})
	x := b.Input(opml.Int8, []int{1, 4}, opml.Quant{})
	h := b.ReLU(b.FC(x, w1, b1, opml.Fixed{Mult: 1 << 30, Shift: 3}, opml.Quant{}))
	y := b.FC(h, w2, b2, opml.Fixed{Mult: 1518500250, Shift: 2}, opml.Quant{Zero: 3})
	m, err := b.Build(y, b.ArgMax(y))
	if err != nil {
		panic(err)
	}
	return m
}

// fuzzTransformer is a small valid attention block with every transformer
// op: token ids, an int8 and an int32 embedding (Gather), LayerNorm, three
// MatMuls (one with a transposed weight, one batched over activations),
// Softmax on int8 and on int32, Slice, Concat, Transpose, Mul, GELU and a
// ResidualAdd. Its constants are I-BERT's at scale 1/16.
func fuzzTransformer() opml.Model {
	const T, D, V = 2, 4, 3
	b := &opml.Builder{}
	emb := b.Int8Const([]int{V, D}, opml.Quant{}, []int8{1, -2, 3, -4, 127, -128, 0, 5, 16, 16, 16, 16})
	emb32 := b.Int32Const([]int{V, D}, opml.Fixed{}, []int32{1 << 30, -1 << 30, 7, 0, -1, 1, 2, 3, 1<<31 - 1, -1 << 31, 0, 9})
	gamma := b.Int32Const([]int{D}, opml.Fixed{}, []int32{256, 128, -64, 1})
	beta := b.Int32Const([]int{D}, opml.Fixed{}, []int32{0, 1 << 10, -1 << 10, 5})
	w := b.Int8Const([]int{D, D}, opml.Quant{Zero: 2}, []int8{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1})
	r := b.Int32Const([]int{D, 3}, opml.Fixed{}, []int32{0, 1 << 30, 4, 10, 1 << 30, 4, -10, 1 << 30, 5, 0, 1<<31 - 1, 31})
	rs := b.Int32Const([]int{T, 3}, opml.Fixed{}, []int32{0, 1 << 30, 6, 0, 1 << 30, 6})
	tok := b.Input(opml.Int32, []int{1, T}, opml.Quant{})
	x := b.LayerNorm(b.Gather(emb, tok), gamma, beta, opml.LayerNorm{Eps: 1, Frac: 8, Shift: 12}, opml.Quant{})
	q := b.MatMul(x, w, r, false, opml.Quant{})
	k := b.MatMul(x, w, r, true, opml.Quant{Zero: -1})
	p := b.Softmax(b.MatMul(q, k, rs, true, opml.Quant{}), opml.Softmax{QLn2: 11, QB: 21, QC: 245, OutShift: 8}, opml.Quant{Zero: -128})
	a := b.MatMul(p, q, r, false, opml.Quant{})
	a = b.Concat(b.Slice(a, 2, 2, 4), b.Slice(a, 2, 0, 2), 2)
	a = b.Mul(b.Transpose(a, []int{0, 2, 1}), b.Transpose(x, []int{0, 2, 1}), opml.Fixed{Mult: 1 << 30, Shift: 3}, opml.Quant{})
	g := b.GELU(a, opml.GELU{B: 41, C: 1773, One: 1773, Out: opml.Fixed{Mult: 1240386555, Shift: 11}}, opml.Quant{})
	e := b.Gather(emb32, tok)
	s := b.Softmax(b.ResidualAdd(e, e, opml.Quant{}), opml.Softmax{QLn2: 1 << 18, QB: 1 << 18, QC: 0, OutShift: 16}, opml.Quant{})
	m, err := b.Build(g, s)
	if err != nil {
		panic(err)
	}
	return m
}

// FuzzDecodeNodeDescriptor: opml.DecodeNodeDescriptor on arbitrary bytes
// never panics, rejects with a *opml.FormatError, or returns a descriptor
// whose encoding is the input; a decoded descriptor applied to all-zero
// operands computes or reports the first mismatching operand
// (OPML-NODE-DESCRIPTOR, OPML-NODE-APPLY). The check is
// opml.CheckDecodeNodeDescriptor.
func FuzzDecodeNodeDescriptor(f *testing.F) {
	for _, m := range []opml.Model{fuzzCNN(), fuzzMLP(), fuzzTransformer()} {
		e, err := opml.NewExecutor(m, 1)
		if err != nil {
			f.Fatal(err)
		}
		inputs := make([][]byte, m.Inputs)
		for i := range inputs {
			inputs[i] = make([]byte, m.Tensors[m.Consts+i].ByteSize())
		}
		tensors, err := e.Tensors(inputs...)
		if err != nil {
			f.Fatal(err)
		}
		for k := range m.Nodes {
			d, _, err := opml.NodeDescriptorOf(m, k, tensors)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(d.Encode()) // every op of the three models, as the node program reads it
		}
	}
	f.Add([]byte("OPND"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := opml.CheckDecodeNodeDescriptor(b); err != nil {
			t.Fatal(err)
		}
	})
}
