package ibert_test

import (
	"math"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/ibert"
)

// TestOPML_IBERT_CONSTS: the integer kernels with the derived constants
// approximate the real functions: Softmax of int8 inputs of scale 1/16
// within 0.02 of exp-based softmax (I-BERT's polynomial is accurate to
// about 1e-2), GELU of int8 inputs of scale 1/16 within 0.08 of x·Φ(x)
// on the output scale 1/16 (one output step plus the polynomial's error).
func TestOPML_IBERT_CONSTS(t *testing.T) {
	const s = 1.0 / 16
	k := ibert.Softmax(s, 8)
	k.Rows, k.K, k.ZeroY = 1, 4, -128
	for _, row := range [][]int8{{0, 0, 0, 0}, {127, -128, 0, 16}, {10, 20, 30, 40}, {-128, -128, -127, -128}} {
		got, err := k.Apply(row)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v) * s)
		}
		for j, v := range row {
			want := math.Exp(float64(v)*s) / sum
			if p := float64(int(got[j])+128) / 256; math.Abs(p-want) > 0.02 {
				t.Errorf("softmax %v [%d]: %v (%d), want %v", row, j, p, got[j], want)
			}
		}
	}
	g := ibert.GELU(s, s)
	g.Len = 256
	x := make([]int8, 256)
	for i := range x {
		x[i] = int8(i - 128)
	}
	got, err := g.Apply(x)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range x {
		r := float64(v) * s
		want := r * 0.5 * (1 + math.Erf(r/math.Sqrt2))
		if d := math.Abs(float64(got[i])*s - want); d > 0.08 {
			t.Errorf("gelu(%v) = %v, want %v (constants %+v)", r, float64(got[i])*s, want, g)
		}
	}
	t.Logf("softmax constants at scale 1/16: %+v; gelu: %+v", k, g)
	if k.QLn2 != 11 || k.QB != 21 || k.QC != 245 { // docs/opml.md §3.15
		t.Errorf("softmax constants %+v, docs say 11, 21, 245", k)
	}
	if g.B != 41 || g.C != 1773 || g.One != 1773 || g.Out != (opml.Fixed{Mult: 1240386555, Shift: 11}) { // §3.17
		t.Errorf("gelu constants %+v, docs say 41, 1773, 1773, {1240386555 11}", g)
	}
	if f := ibert.Fixed(0.5); f != (opml.Fixed{Mult: 1 << 30, Shift: 0}) {
		t.Errorf("Fixed(0.5) = %+v", f)
	}
}
