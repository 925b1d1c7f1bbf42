package opml

// Fixed is a non-negative fixed-point real number, Mult·2^−(31+Shift): Mult is
// a Q31 mantissa (an int32 read as Mult/2^31) and Shift an extra right shift
// (a negative Shift is a left shift). It is the form of every requantization
// multiplier of a model and of a tensor's informative scale. Valid values
// have Mult in [0, 2^31−1] and Shift in [MinShift, MaxShift], so the total
// right shift 31+Shift is in [0, 62] (requirement OPML-ARITH-REQUANT).
type Fixed struct {
	Mult  int32
	Shift int32
}

// The range of Fixed.Shift.
const (
	MinShift = -31
	MaxShift = 31
)

// IsValid reports whether f.Mult >= 0 and f.Shift is in [MinShift, MaxShift].
func (f Fixed) IsValid() bool {
	return f.Mult >= 0 && f.Shift >= MinShift && f.Shift <= MaxShift
}

// RoundShift returns x/2^n rounded to the nearest integer, ties away from
// zero (requirement OPML-ARITH-ROUND):
//
//	RoundShift(x, n) =  (x + 2^(n−1)) >> n       if x >= 0 and n > 0
//	RoundShift(x, n) = −((−x + 2^(n−1)) >> n)    if x <  0 and n > 0
//	RoundShift(x, 0) = x
//
// For example RoundShift(5, 1) = 3, RoundShift(−5, 1) = −3, RoundShift(3, 2)
// = 1, RoundShift(−6, 2) = −2. Preconditions: n <= 62 and |x| <= 2^62, so no
// intermediate value overflows; every call in this package satisfies them.
func RoundShift(x int64, n uint) int64 {
	if n == 0 {
		return x
	}
	half := int64(1) << (n - 1)
	if x >= 0 {
		return (x + half) >> n
	}
	return -((-x + half) >> n)
}

// Scale returns x·f rounded half away from zero: RoundShift(x·f.Mult,
// 31+f.Shift). Preconditions: f valid and |x| <= 2^31 (then |x·f.Mult| < 2^62).
func (f Fixed) Scale(x int64) int64 {
	return RoundShift(x*int64(f.Mult), uint(31+f.Shift))
}

// SaturateInt8 returns v clamped to [−128, 127].
func SaturateInt8(v int64) int8 {
	if v < -128 {
		return -128
	}
	if v > 127 {
		return 127
	}
	return int8(v)
}

// Requantize maps an int32 accumulator to an int8 output with multiplier f and
// output zero point zero: SaturateInt8(zero + f.Scale(acc)) (requirement
// OPML-ARITH-REQUANT). The sum is taken in int64, so it cannot wrap.
// Precondition: f valid.
func Requantize(acc int32, f Fixed, zero int32) int8 {
	return SaturateInt8(int64(zero) + f.Scale(int64(acc)))
}
