package opml_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"pgregory.net/rapid"
)

// hostilePool is the model of issue 15 item 3: an MNIST-shaped input and
// four MaxPool2D nodes, each a k×k window at stride 1 padded by k−1 on
// every side, so each output is larger than its input and every output
// element scans k² window positions. Its encoding is 404 bytes for every k.
func hostilePool(k int) (opml.Model, error) {
	var b opml.Builder
	x := b.Input(opml.Int8, []int{1, 28, 28, 1}, opml.Quant{Scale: opml.Fixed{Mult: 1 << 30}})
	for range 4 {
		x = b.MaxPool2D(x, opml.Window{KH: k, KW: k, StrideH: 1, StrideW: 1, PadTop: k - 1, PadLeft: k - 1, PadBottom: k - 1, PadRight: k - 1})
	}
	return b.Build(x)
}

// TestOPML_WORK_COST: the format's work limit counts a MaxPool2D node as
// its output elements times its window (padded positions included), not
// its output elements alone; a four-node MaxPool2D model within MaxWork
// decodes with that count, and the same 404-byte model with a 168×168
// window (over 2^32 window positions) is refused by Decode and by Validate
// with a *FormatError CodeTooLarge.
func TestOPML_WORK_COST(t *testing.T) {
	m, err := hostilePool(64)
	if err != nil {
		t.Fatal(err)
	}
	enc := opml.Encode(m)
	if len(enc) != 404 {
		t.Errorf("encoding %d bytes, want 404", len(enc))
	}
	if _, err := opml.Decode(enc); err != nil {
		t.Fatalf("Decode: %v", err)
	}
	for k := range m.Nodes {
		out := m.Tensors[m.Nodes[k].Output].Elements()
		if w := nodevm.NodeWork(m, k); w != out*64*64 {
			t.Errorf("node %d: work %d, want %d output elements × 64·64", k, w, out)
		}
		in := m.Tensors[m.Nodes[k].Inputs[0]].ByteSize()
		if b := nodevm.NodeBytes(m, k); b != in+out {
			t.Errorf("node %d: %d bytes, want %d+%d", k, b, in, out)
		}
	}
	// The Builder validates as it goes, so the over-limit model is the
	// 64×64 one with its windows and output shapes changed.
	over, _ := hostilePool(64)
	for i := range over.Nodes {
		p := over.Nodes[i].Params
		p[0], p[1], p[4], p[5], p[6], p[7] = 168, 168, 167, 167, 167, 167
	}
	// Re-derive the output shapes for the 168 window.
	h := 28
	for i := range over.Nodes {
		h += 167
		over.Tensors[over.Nodes[i].Output].Shape = []int{1, h, h, 1}
	}
	enc = opml.Encode(over)
	if len(enc) != 404 {
		t.Errorf("over-limit encoding %d bytes, want 404", len(enc))
	}
	_, err = opml.Decode(enc)
	var fe *opml.FormatError
	if !errors.As(err, &fe) || fe.Code != opml.CodeTooLarge || !strings.Contains(err.Error(), "work") {
		t.Fatalf("Decode of the 168×168 model: %v, want CodeTooLarge", err)
	}
	if err := over.Validate(); !errors.As(err, &fe) || fe.Code != opml.CodeTooLarge {
		t.Fatalf("Validate of the 168×168 model: %v, want CodeTooLarge", err)
	}
}

// TestOPML_WORK_COST_SameAsValidate: nodevm.NodeWork, the copy of the work
// count outside opml that `opcity node` uses, equals the count Validate
// checks against MaxWork, for every node of the bundled models, of the
// hostile model and of generated models.
func TestOPML_WORK_COST_SameAsValidate(t *testing.T) {
	check := func(t rapid.TB, name string, m opml.Model) {
		for k := range m.Nodes {
			if got, want := nodevm.NodeWork(m, k), opml.ValidateWork(m, k); got != want {
				t.Fatalf("%s node %d (%s): nodevm.NodeWork %d, Validate counts %d", name, k, m.Nodes[k].Op, got, want)
			}
		}
	}
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		raw, err := os.ReadFile("../models/mnist/" + name)
		if err != nil {
			t.Fatal(err)
		}
		m, err := opml.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		check(t, name, m)
	}
	m, err := hostilePool(64)
	if err != nil {
		t.Fatal(err)
	}
	check(t, "hostile", m)
	for seed := range uint64(4) {
		tb, err := transformerBlock(seed)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "transformer", tb)
	}
	rapid.Check(t, func(t *rapid.T) { check(t, "generated", genModel(t)) })
}
