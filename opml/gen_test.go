package opml_test

import (
	"math"
	"math/big"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// Generators and reference arithmetic shared by the property tests. The
// reference code is deliberately naive: plain loops, int64 or math/big
// arithmetic, explicit padding, and none of the kernels' helpers.

// genInt8 draws an int8, often an edge value (−128, −127, −1, 0, 1, 126, 127).
func genInt8() *rapid.Generator[int8] {
	return rapid.OneOf(rapid.SampledFrom([]int8{-128, -127, -1, 0, 1, 126, 127}), rapid.Int8())
}

// genInt8s draws n int8 values.
func genInt8s(n int) *rapid.Generator[[]int8] {
	return rapid.SliceOfN(genInt8(), n, n)
}

// genZero draws an int8 zero point, often an edge value.
func genZero() *rapid.Generator[int32] {
	return rapid.OneOf(rapid.SampledFrom([]int32{-128, -1, 0, 1, 127}), rapid.Int32Range(-128, 127))
}

// genBias draws an int32 bias: small, full-range, or an extreme that makes
// the int32 accumulator wrap.
func genBias() *rapid.Generator[int32] {
	return rapid.OneOf(
		rapid.SampledFrom([]int32{math.MinInt32, math.MinInt32 + 1, -1, 0, 1, math.MaxInt32 - 1, math.MaxInt32}),
		rapid.Int32Range(-100000, 100000),
		rapid.Int32())
}

// genFixed draws a valid multiplier: realistic (Mult in [2^30, 2^31),
// Shift in [0, 14]), or any valid value, or an edge.
func genFixed() *rapid.Generator[opml.Fixed] {
	return rapid.Custom(func(t *rapid.T) opml.Fixed {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			return opml.Fixed{Mult: rapid.Int32Range(1<<30, math.MaxInt32).Draw(t, "mult"),
				Shift: rapid.Int32Range(0, 14).Draw(t, "shift")}
		case 1:
			return opml.Fixed{Mult: rapid.Int32Range(0, math.MaxInt32).Draw(t, "mult"),
				Shift: rapid.Int32Range(opml.MinShift, opml.MaxShift).Draw(t, "shift")}
		}
		return opml.Fixed{Mult: rapid.SampledFrom([]int32{0, 1, 1 << 30, math.MaxInt32}).Draw(t, "mult"),
			Shift: rapid.SampledFrom([]int32{opml.MinShift, -1, 0, 1, opml.MaxShift}).Draw(t, "shift")}
	})
}

// genScale draws a tensor scale: unspecified or a valid non-zero one.
func genScale() *rapid.Generator[opml.Fixed] {
	return rapid.OneOf(rapid.Just(opml.Fixed{}), rapid.Custom(func(t *rapid.T) opml.Fixed {
		return opml.Fixed{Mult: rapid.Int32Range(1, math.MaxInt32).Draw(t, "scaleMult"),
			Shift: rapid.Int32Range(opml.MinShift, opml.MaxShift).Draw(t, "scaleShift")}
	}))
}

// refRoundShift is x/2^n rounded half away from zero, via big.Int quotient
// and remainder (truncating division, then a correction).
func refRoundShift(x *big.Int, n uint) *big.Int {
	d := new(big.Int).Lsh(big.NewInt(1), n)
	q, r := new(big.Int).QuoRem(x, d, new(big.Int))
	r2 := new(big.Int).Lsh(new(big.Int).Abs(r), 1)
	if r2.Cmp(d) >= 0 {
		q.Add(q, big.NewInt(int64(x.Sign())))
	}
	return q
}

// refSat clamps a big.Int to int8.
func refSat(v *big.Int) int8 {
	if v.Cmp(big.NewInt(-128)) < 0 {
		return -128
	}
	if v.Cmp(big.NewInt(127)) > 0 {
		return 127
	}
	return int8(v.Int64())
}

// refRequant is SaturateInt8(zero + round(acc·mult / 2^(31+shift))) in big.Int.
func refRequant(acc int64, f opml.Fixed, zero int32) int8 {
	p := new(big.Int).Mul(big.NewInt(acc), big.NewInt(int64(f.Mult)))
	q := refRoundShift(p, uint(31+f.Shift))
	return refSat(q.Add(q, big.NewInt(int64(zero))))
}

// wrap32 reduces an int64 sum modulo 2^32 to int32 range: the int32
// accumulator's semantics.
func wrap32(v int64) int64 {
	return int64(int32(uint32(uint64(v))))
}
