// Package ibert derives the integer node parameters of opml's I-BERT
// kernels (Softmax, GELU) from real scales, when a model is built (Kim et
// al. 2021, "I-BERT: Integer-only BERT Quantization", §3.4–3.5). It is
// model-construction code: it computes with float64 once, and what it
// returns are integers that a model file stores. No guest program links
// it, and nothing on the inference path imports it (TestOPML_NOFLOAT_PATH
// checks both).
package ibert

import (
	"math"

	"github.com/opcity-spec/opcity/opml"
)

// I-BERT's polynomial constants (§3.4, §3.5 of the paper): exp(p) ≈
// A·(p + B)² + C on (−ln2, 0], and erf(x) ≈ sgn(x)·(ErfA·(min(|x|, −ErfB) +
// ErfB)² + 1).
const (
	A    = 0.3585
	B    = 1.353
	C    = 0.344
	ErfA = -0.2888
	ErfB = -1.769
)

// Fixed returns the multiplier Mult·2^−(31+Shift) nearest to r > 0, with
// Mult in [2^30, 2^31) when the shift range allows; 0 gives Fixed{}.
func Fixed(r float64) opml.Fixed {
	if r <= 0 {
		return opml.Fixed{}
	}
	frac, exp := math.Frexp(r) // r = frac·2^exp, frac in [0.5, 1)
	shift := -exp
	mult := math.Round(frac * (1 << 31))
	if mult >= 1<<31 {
		mult /= 2
		shift--
	}
	for shift > opml.MaxShift {
		mult = math.Round(mult / 2)
		shift--
	}
	if shift < opml.MinShift {
		return opml.Fixed{Mult: math.MaxInt32, Shift: opml.MinShift}
	}
	return opml.Fixed{Mult: int32(mult), Shift: int32(shift)}
}

// Real returns the value of f.
func Real(f opml.Fixed) float64 {
	return float64(f.Mult) * math.Pow(2, -float64(31+f.Shift))
}

// Softmax returns the Softmax kernel constants for an input of scale s:
// QLn2 = ⌊ln2/s⌋, QB = ⌊B/s⌋, QC = ⌊C/(A·s²)⌋, clamped into the kernel's
// ranges, with the given output shift (the output is RoundDiv(e·2^outShift,
// Σe) plus the output zero point).
func Softmax(s float64, outShift int32) opml.Softmax {
	clamp := func(v float64, lo, hi int64) int32 { return int32(min(max(int64(math.Floor(v)), lo), hi)) }
	return opml.Softmax{
		QLn2:     clamp(math.Ln2/s, 1, opml.MaxSoftmaxConst),
		QB:       clamp(B/s, 1, opml.MaxSoftmaxConst),
		QC:       clamp(C/(A*s*s), 0, math.MaxInt32),
		OutShift: outShift,
	}
}

// GELU returns the GELU kernel constants for an input of scale s and an
// output of scale sy. With s' = s/√2 (GELU's erf argument is x/√2) and
// S_erf = ErfA·s'² < 0, I-BERT's integer erf has the clip point ⌊−ErfB/s'⌋
// and the constant ⌊1/|S_erf|⌋; the 1 of 1 + erf is ⌊1/|S_erf|⌋ in the
// same units; the output multiplier is s·|S_erf|/(2·sy). The parameters
// are the magnitudes of the paper's negative q_b, q_c and q_1:
// B = ⌈−ErfB/s'⌉, C = One = ⌈1/|S_erf|⌉.
func GELU(s, sy float64) opml.GELU {
	sp := s / math.Sqrt2
	serf := -ErfA * sp * sp
	// The paper's q_b = ⌊ErfB/s'⌋, q_c = ⌊1/S_erf⌋ and q_1 = ⌊1/S_erf⌋ are
	// negative; the kernel's parameters are their magnitudes, ⌈…⌉ of the
	// positive quotients.
	clamp := func(v float64, hi int64) int32 { return int32(min(max(int64(math.Ceil(v)), 1), hi)) }
	return opml.GELU{
		B:   clamp(-ErfB/sp, opml.MaxGELUClip),
		C:   clamp(1/serf, opml.MaxGELUConst),
		One: clamp(1/serf, opml.MaxGELUOne),
		Out: Fixed(s * serf / (2 * sy)),
	}
}
