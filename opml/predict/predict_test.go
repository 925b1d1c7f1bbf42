package predict_test

import (
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/predict"
)

// exampleMLP is the worked example of docs/opml.md (as in opml's tests): a
// 4-3-2 perceptron with a ReLU and an ArgMax, whose class on exampleInput
// is 1.
func exampleMLP() opml.Model {
	b := &opml.Builder{}
	q := opml.Quant{Zero: 0, Scale: opml.Fixed{Mult: 1 << 30, Shift: 6}}
	w1 := b.Int8Const([]int{3, 4}, opml.Quant{}, []int8{1, -2, 3, -4, 5, 6, -7, 8, 127, -128, 0, 1})
	b1 := b.Int32Const([]int{3}, opml.Fixed{}, []int32{108, -208, 0})
	w2 := b.Int8Const([]int{2, 3}, opml.Quant{Zero: 1}, []int8{2, -1, 1, -3, 4, 2})
	b2 := b.Int32Const([]int{2}, opml.Fixed{}, []int32{-5, 7})
	x := b.Input(opml.Int8, []int{1, 4}, q)
	h := b.FC(x, w1, b1, opml.Fixed{Mult: 1 << 30, Shift: 3}, opml.Quant{})
	y := b.FC(b.ReLU(h), w2, b2, opml.Fixed{Mult: 1518500250, Shift: 2}, opml.Quant{Zero: 3})
	m, err := b.Build(y, b.ArgMax(y))
	if err != nil {
		panic(err)
	}
	return m
}

var exampleInput = opml.Int8Bytes([]int8{10, -20, 30, 40})

const exampleClass = int32(1)

// TestCLI_INFER_NO_PREDICTION_Rule: a model predicts a class only when its
// last output is a one-element ArgMax: the worked example does (class 1,
// docs/opml.md), the same model without the ArgMax and an ArgMax of two
// rows do not, and each says what its last output is instead.
func TestCLI_INFER_NO_PREDICTION_Rule(t *testing.T) {
	m := exampleMLP()
	outs, _, err := opml.Run(m, exampleInput)
	if err != nil {
		t.Fatal(err)
	}
	if class, ok, why := predict.Class(m, outs); !ok || class != exampleClass || why != "" {
		t.Errorf("worked example: %d %v %q, want class %d", class, ok, why, exampleClass)
	}
	noArgMax := m
	noArgMax.Outputs = m.Outputs[:1]
	if _, ok, why := predict.Class(noArgMax, outs[:1]); ok || !strings.Contains(why, "FullyConnected") {
		t.Errorf("last output an FC: ok %v, %q", ok, why)
	}
	b := &opml.Builder{}
	x := b.Input(opml.Int8, []int{2, 3}, opml.Quant{})
	rows, err := b.Build(b.ArgMax(x))
	if err != nil {
		t.Fatal(err)
	}
	outs, _, err = opml.Run(rows, opml.Int8Bytes([]int8{1, 2, 3, 6, 5, 4}))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, why := predict.Class(rows, outs); ok || !strings.Contains(why, "2 elements") {
		t.Errorf("ArgMax of two rows: ok %v, %q", ok, why)
	}
	if _, ok, _ := predict.Class(rows, nil); ok {
		t.Errorf("no outputs: ok")
	}
}
