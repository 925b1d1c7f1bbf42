package opml_test

import (
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// accChain builds, over inputs x [N,K] and w [M,K] (int8, data-borne), the
// FullyConnected node (bias and multiplier constants) and, beside it, the
// same product as MatMulAcc pieces over the cuts of K chained from the
// bias and finished by Requantize with the row (0, mult, shift). Both are
// model outputs.
func accChain(t *rapid.T) (opml.Model, [][]byte) {
	n, k, m := rapid.IntRange(1, 3).Draw(t, "N"), rapid.IntRange(1, 12).Draw(t, "K"), rapid.IntRange(1, 4).Draw(t, "M")
	qx, qw, qy := opml.Quant{Zero: genZero().Draw(t, "zx")}, opml.Quant{Zero: genZero().Draw(t, "zw")}, opml.Quant{Zero: genZero().Draw(t, "zy")}
	out := genFixed().Draw(t, "out")
	bias := rapid.SliceOfN(genBias(), m, m).Draw(t, "bias")
	cuts := cutsOf(t, k)
	var b opml.Builder
	bid := b.Int32Const([]int{m}, opml.Fixed{}, bias)
	rid := b.Int32Const([]int{1, 3}, opml.Fixed{}, []int32{0, out.Mult, out.Shift})
	x := b.Input(opml.Int8, []int{n, k}, qx)
	w := b.Input(opml.Int8, []int{m, k}, qw)
	fc := b.FC(x, w, bid, out, qy)
	carry := bid
	for p := range len(cuts) - 1 {
		xs, ws := x, w
		if cuts[p] > 0 || cuts[p+1] < k {
			xs, ws = b.Slice(x, 1, cuts[p], cuts[p+1]), b.Slice(w, 1, cuts[p], cuts[p+1])
		}
		carry = b.MatMulAcc(xs, ws, carry, true, opml.Quant{})
	}
	y := b.Requantize(carry, rid, qy)
	model, err := b.Build(fc, y)
	if err != nil {
		t.Fatal(err)
	}
	return model, [][]byte{opml.Int8Bytes(genInt8s(n*k).Draw(t, "x")), opml.Int8Bytes(genInt8s(m*k).Draw(t, "w"))}
}

// TestOPML_KERNEL_MATMULACC_Model: a FullyConnected node and its
// inner-dimension chain of MatMulAcc pieces and Requantize, in one model,
// run by the executor, give the same bytes; the model survives Encode and
// Decode unchanged.
func TestOPML_KERNEL_MATMULACC_Model(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m, in := accChain(t)
		back, err := opml.Decode(opml.Encode(m))
		if err != nil || !slices.Equal(opml.Encode(back), opml.Encode(m)) {
			t.Fatalf("round trip: %v", err)
		}
		outs, _, err := opml.Run(m, in...)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(outs[0].Data, outs[1].Data) {
			t.Fatalf("FC %v, chain %v", outs[0].Data, outs[1].Data)
		}
	})
}

// TestOPML_FMT_REJECT_Accumulate: Validate refuses each accumulating op's
// malformed forms with the documented code.
func TestOPML_FMT_REJECT_Accumulate(t *testing.T) {
	build := func(f func(b *opml.Builder, x, w, c, r, img, filt, cc int) int) error {
		var b opml.Builder
		c := b.Int32Const([]int{4}, opml.Fixed{}, make([]int32, 4))
		r := b.Int32Const([]int{4, 3}, opml.Fixed{}, []int32{0, 1 << 30, 0, 0, 1 << 30, 0, 0, 1 << 30, 0, 0, 1 << 30, 0})
		cc := b.Int32Const([]int{2}, opml.Fixed{}, make([]int32, 2))
		b.Int32Const([]int{1, 3}, opml.Fixed{}, []int32{0, -1, 0}) // tensor badTable
		x := b.Input(opml.Int8, []int{2, 3}, opml.Quant{})
		w := b.Input(opml.Int8, []int{4, 3}, opml.Quant{})
		img := b.Input(opml.Int8, []int{1, 3, 3, 2}, opml.Quant{})
		filt := b.Input(opml.Int8, []int{2, 2, 2, 2}, opml.Quant{})
		_, err := b.Build(f(&b, x, w, c, r, img, filt, cc))
		return err
	}
	const badTable = 3
	win := opml.Window{KH: 2, KW: 2, StrideH: 1, StrideW: 1}
	cases := []struct {
		name string
		f    func(b *opml.Builder, x, w, c, r, img, filt, cc int) int
		code opml.FormatCode
	}{
		{"matmulacc carry int8", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.MatMulAcc(x, w, x, true, opml.Quant{})
		}, opml.CodeBadDType},
		{"matmulacc carry [2]", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.MatMulAcc(x, w, cc, true, opml.Quant{})
		}, opml.CodeBadShape},
		{"matmulacc K", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.MatMulAcc(x, w, c, false, opml.Quant{})
		}, opml.CodeBadShape},
		{"conv2dacc carry [4]", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.Conv2DAcc(img, filt, c, win, opml.Quant{})
		}, opml.CodeBadShape},
		{"conv2dacc pad", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.Conv2DAcc(img, filt, cc, opml.Window{KH: 2, KW: 2, StrideH: 1, StrideW: 1, PadTop: 2}, opml.Quant{})
		}, opml.CodeBadParam},
		{"requantize int8", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int { return b.Requantize(x, r, opml.Quant{}) }, opml.CodeBadDType},
		{"requantize table rows", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.Requantize(b.MatMulAcc(x, x, cc, true, opml.Quant{}), r, opml.Quant{})
		}, opml.CodeBadShape},
		{"requantize table mult", func(b *opml.Builder, x, w, c, r, img, filt, cc int) int {
			return b.Requantize(b.MatMulAcc(x, w, c, true, opml.Quant{}), badTable, opml.Quant{})
		}, opml.CodeBadParam},
	}
	for _, c := range cases {
		err := build(c.f)
		var fe *opml.FormatError
		if !errors.As(err, &fe) || fe.Code != c.code {
			t.Errorf("%s: %v, want code %s", c.name, err, c.code)
		}
	}
}
