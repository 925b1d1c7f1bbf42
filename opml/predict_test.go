package opml_test

import (
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml"
)

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
	if class, ok, why := opml.Prediction(m, outs); !ok || class != exampleClass || why != "" {
		t.Errorf("worked example: %d %v %q, want class %d", class, ok, why, exampleClass)
	}
	noArgMax := m
	noArgMax.Outputs = m.Outputs[:1]
	if _, ok, why := opml.Prediction(noArgMax, outs[:1]); ok || !strings.Contains(why, "FullyConnected") {
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
	if _, ok, why := opml.Prediction(rows, outs); ok || !strings.Contains(why, "2 elements") {
		t.Errorf("ArgMax of two rows: ok %v, %q", ok, why)
	}
	if _, ok, _ := opml.Prediction(rows, nil); ok {
		t.Errorf("no outputs: ok")
	}
}
