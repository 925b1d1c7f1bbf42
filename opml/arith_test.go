package opml_test

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// The worked examples of docs/opml.md, section "Requantization".
var requantExamples = []struct {
	acc  int32
	f    opml.Fixed
	zero int32
	want int8
	note string
}{
	{100, opml.Fixed{Mult: 1 << 30, Shift: 0}, 0, 50, "100·0.5 = 50 exactly"},
	{5, opml.Fixed{Mult: 1 << 30, Shift: 0}, 0, 3, "2.5 → 3 (tie, away from zero)"},
	{-5, opml.Fixed{Mult: 1 << 30, Shift: 0}, 0, -3, "−2.5 → −3 (tie, away from zero)"},
	{7, opml.Fixed{Mult: 1 << 30, Shift: 0}, 0, 4, "3.5 → 4"},
	{3, opml.Fixed{Mult: 1 << 30, Shift: 1}, 0, 1, "3·0.25 = 0.75 → 1"},
	{-3, opml.Fixed{Mult: 1 << 30, Shift: 1}, 0, -1, "−0.75 → −1"},
	{1, opml.Fixed{Mult: 1 << 30, Shift: 1}, 0, 0, "0.25 → 0"},
	{-5, opml.Fixed{Mult: 1 << 30, Shift: 0}, 10, 7, "−3 + zero point 10"},
	{1000, opml.Fixed{Mult: 1518500250, Shift: 3}, 0, 88, "1000·0.70710678/8 = 88.388 → 88"},
	{1000, opml.Fixed{Mult: 1 << 30, Shift: 0}, 0, 127, "500 saturates to 127"},
	{-1000, opml.Fixed{Mult: 1 << 30, Shift: 0}, 0, -128, "−500 saturates to −128"},
	{120, opml.Fixed{Mult: 1 << 30, Shift: 0}, 100, 127, "60 + 100 = 160 saturates"},
	{40, opml.Fixed{Mult: 1 << 30, Shift: -2}, -128, -48, "left shift: 40·2 = 80, −128 + 80"},
	{math.MinInt32, opml.Fixed{Mult: math.MaxInt32, Shift: 31}, 0, -1, "−2^31·(2^31−1)/2^62 ≈ −0.99999999953 → −1 (largest product)"},
}

func TestOPML_ARITH_REQUANT_Examples(t *testing.T) {
	for _, ex := range requantExamples {
		got := opml.Requantize(ex.acc, ex.f, ex.zero)
		t.Logf("acc %d, M %d, S %d, zero %d -> %d (%s)", ex.acc, ex.f.Mult, ex.f.Shift, ex.zero, got, ex.note)
		if want := refRequant(int64(ex.acc), ex.f, ex.zero); got != want {
			t.Errorf("Requantize(%d, %+v, %d) = %d, reference %d", ex.acc, ex.f, ex.zero, got, want)
		}
		if got != ex.want {
			t.Errorf("Requantize(%d, %+v, %d) = %d, documented %d", ex.acc, ex.f, ex.zero, got, ex.want)
		}
	}
}

func TestOPML_ARITH_ROUND_Examples(t *testing.T) {
	for _, ex := range []struct {
		x    int64
		n    uint
		want int64
	}{{5, 1, 3}, {-5, 1, -3}, {4, 1, 2}, {3, 2, 1}, {2, 2, 1}, {1, 2, 0}, {-2, 2, -1}, {-6, 2, -2},
		{-1, 1, -1}, {1, 1, 1}, {7, 0, 7}, {1 << 62, 62, 1}, {-(1 << 62), 62, -1}, {1<<61 - 1, 62, 0}} {
		if got := opml.RoundShift(ex.x, ex.n); got != ex.want {
			t.Errorf("RoundShift(%d, %d) = %d, want %d", ex.x, ex.n, got, ex.want)
		}
	}
}

// TestOPML_ARITH_ROUND: RoundShift equals rounding half away from zero
// computed with big.Int, over the whole precondition domain.
func TestOPML_ARITH_ROUND(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.UintRange(0, 62).Draw(t, "n")
		x := rapid.OneOf(rapid.Int64Range(-(1<<62), 1<<62),
			rapid.Int64Range(-1000, 1000),
			rapid.Custom(func(t *rapid.T) int64 { // an exact tie ±(2k+1)·2^(n−1)
				k := rapid.Int64Range(-1000, 1000).Draw(t, "k")
				if n == 0 {
					return k
				}
				return (2*k + 1) << (n - 1)
			})).Draw(t, "x")
		if x > 1<<62 || x < -(1<<62) {
			t.Skip("outside the precondition")
		}
		if got, want := opml.RoundShift(x, n), refRoundShift(big.NewInt(x), n).Int64(); got != want {
			t.Fatalf("RoundShift(%d, %d) = %d, reference %d", x, n, got, want)
		}
	})
}

// TestOPML_ARITH_REQUANT: Requantize equals the big.Int reference for every
// int32 accumulator, valid multiplier and int8 zero point.
func TestOPML_ARITH_REQUANT(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		acc := rapid.OneOf(rapid.Int32(), genBias()).Draw(t, "acc")
		f := genFixed().Draw(t, "f")
		zero := genZero().Draw(t, "zero")
		if got, want := opml.Requantize(acc, f, zero), refRequant(int64(acc), f, zero); got != want {
			t.Fatalf("Requantize(%d, %+v, %d) = %d, reference %d", acc, f, zero, got, want)
		}
	})
}
