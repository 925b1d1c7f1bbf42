package opml

// This file holds I-BERT's integer-only non-linear kernels (Kim et al.
// 2021, "I-BERT: Integer-only BERT Quantization", §3.4–3.6): Softmax on
// the integer exponential i-exp, GELU on the integer erf i-erf, and
// LayerNorm on the integer square root ISqrt. The real constants of the
// paper (ln 2, the polynomials' a, b, c, the scales) enter only through
// integer node parameters that the builder derives when it makes the model
// (docs/opml.md §3.15–§3.17).

// Parameter ranges of the I-BERT kernels; they keep every intermediate
// value of the formulas below within int64 (docs/opml.md gives the bounds).
const (
	MaxSoftmaxConst  = 1 << 18 // Softmax QLn2 and QB
	MaxSoftmaxShift  = 16      // Softmax OutShift
	MaxLayerNormDim  = 1 << 12 // LayerNorm's last axis
	MaxLayerNormFrac = 16      // LayerNorm Frac
	MaxLayerNormEps  = 1 << 30 // LayerNorm Eps
	MaxGELUClip      = 1 << 10 // GELU B
	MaxGELUConst     = 1 << 20 // GELU C
	MaxGELUOne       = 1 << 21 // GELU One
)

// RoundDiv returns n/d rounded to the nearest integer, ties away from zero.
// Preconditions: d > 0 and |n| <= 2^62 − d.
func RoundDiv(n, d int64) int64 {
	if n < 0 {
		return -((-n + d/2) / d)
	}
	return (n + d/2) / d
}

// ISqrt returns ⌊√n⌋ for n >= 0 (0 for n <= 0) by Newton's iteration on
// integers, as docs/opml.md §3.16 specifies: x_0 = 2^⌈bits(n)/2⌉, which is
// at least √n, then x_{i+1} = ⌊(x_i + ⌊n/x_i⌋)/2⌋ while x_{i+1} < x_i;
// the last x_i is the result. Precondition: n < 2^62.
func ISqrt(n int64) int64 {
	if n <= 0 {
		return 0
	}
	bits := 0
	for v := n; v > 0; v >>= 1 {
		bits++
	}
	x := int64(1) << ((bits + 1) / 2)
	for {
		y := (x + n/x) / 2
		if y >= x {
			return x
		}
		x = y
	}
}

// Softmax is I-BERT's integer softmax over the last axis (requirement
// OPML-KERNEL-SOFTMAX): Rows rows of K elements, int8 or int32 input (the
// int32 form reads X32). With the input scale S, QLn2 = ⌊ln2/S⌋, QB =
// ⌊b/S⌋ and QC = ⌊c/(a·S²)⌋ for I-BERT's a = 0.3585, b = 1.353, c = 0.344.
// For each row, with q_j = x_j − max_i x_i (<= 0):
//
//	z_j = ⌊−q_j / QLn2⌋,  p_j = q_j + z_j·QLn2         (p_j in (−QLn2, 0])
//	e_j = ((p_j + QB)² + QC) >> z_j                      (0 when z_j >= 63)
//	Y_j = SaturateInt8(ZeroY + RoundDiv(e_j·2^OutShift, Σ_i e_i))
//
// e_j is exp(q_j·S) in units of a·S², which cancel in the quotient.
type Softmax struct {
	Rows, K      int
	QLn2, QB, QC int32
	OutShift     int32
	ZeroY        int32
}

// IsValid reports whether the parameters are in their ranges: QLn2 and QB
// in [1, 2^18], QC in [0, 2^31−1], OutShift in [0, 16].
func (k Softmax) IsValid() bool {
	return inRange(int(k.QLn2), 1, MaxSoftmaxConst) && inRange(int(k.QB), 1, MaxSoftmaxConst) &&
		k.QC >= 0 && inRange(int(k.OutShift), 0, MaxSoftmaxShift)
}

// Apply returns Y for int8 x. Errors: *KernelError for dimensions outside
// [1, MaxDim], parameters out of range, a zero point outside [−128, 127] or
// len(x) != Rows·K.
func (k Softmax) Apply(x []int8) ([]int8, error) {
	if err := k.check(len(x)); err != nil {
		return nil, err
	}
	y := make([]int8, len(x))
	k.compute(y, widen(x), 0, k.Rows)
	return y, nil
}

// Apply32 is Apply for int32 x.
func (k Softmax) Apply32(x []int32) ([]int8, error) {
	if err := k.check(len(x)); err != nil {
		return nil, err
	}
	y := make([]int8, len(x))
	k.compute(y, x, 0, k.Rows)
	return y, nil
}

// check returns the *KernelError Apply documents, or nil.
func (k Softmax) check(n int) error {
	if err := checkDims("Softmax", k.Rows, k.K); err != nil {
		return err
	}
	if !k.IsValid() {
		return kernelErr("Softmax", "parameters %+v out of range", k)
	}
	if err := checkZeros("Softmax", k.ZeroY); err != nil {
		return err
	}
	return checkLens("Softmax", []int{n}, []int{sizeOf(k.Rows, k.K)})
}

// compute writes rows [lo, hi) of y. Preconditions: the checks hold.
func (k Softmax) compute(y []int8, x []int32, lo, hi int) {
	e := make([]int64, k.K)
	for r := lo; r < hi; r++ {
		row := x[r*k.K:][:k.K]
		top := row[0]
		for _, v := range row {
			top = max(top, v)
		}
		var sum int64
		for j, v := range row {
			e[j] = k.exp(int64(v) - int64(top))
			sum += e[j]
		}
		for j := range row {
			y[r*k.K+j] = SaturateInt8(int64(k.ZeroY) + RoundDiv(e[j]<<k.OutShift, sum))
		}
	}
}

// exp is I-BERT's i-exp of q <= 0: ((p + QB)² + QC) >> z.
func (k Softmax) exp(q int64) int64 {
	ln2 := int64(k.QLn2)
	z := -q / ln2
	p := q + z*ln2
	v := (p+int64(k.QB))*(p+int64(k.QB)) + int64(k.QC)
	if z >= 63 {
		return 0
	}
	return v >> z
}

// widen returns x as int32 values.
func widen(x []int8) []int32 {
	out := make([]int32, len(x))
	for i, v := range x {
		out[i] = int32(v)
	}
	return out
}

// LayerNorm is I-BERT's integer layer normalization over the last axis
// (requirement OPML-KERNEL-LAYERNORM): Rows rows of D int8 elements, with
// int32 Gamma[D] and Beta[D]. For each row x:
//
//	s   = Σ x_i,   c_i = D·x_i − s            (c_i = D·(x_i − mean), exact)
//	r   = ISqrt(⌊Σ c_i² / D⌋ + Eps)           (≈ D·σ)
//	n_i = RoundDiv(c_i·2^Frac, r)             (0 when r = 0; ≈ 2^Frac·(x_i − mean)/σ)
//	Y_i = SaturateInt8(ZeroY + RoundShift(n_i·Gamma[i] + Beta[i], Shift))
//
// D is at most 4096, so every value above fits int64 (|n_i| <= 2^8·2^Frac).
type LayerNorm struct {
	Rows, D          int
	Eps, Frac, Shift int32
	ZeroX, ZeroY     int32
}

// IsValid reports whether D is in [1, 4096], Eps in [0, 2^30], Frac in
// [0, 16] and Shift in [0, 62].
func (k LayerNorm) IsValid() bool {
	return inRange(k.D, 1, MaxLayerNormDim) && inRange(int(k.Eps), 0, MaxLayerNormEps) &&
		inRange(int(k.Frac), 0, MaxLayerNormFrac) && inRange(int(k.Shift), 0, 62)
}

// Apply returns Y. Errors: *KernelError for Rows outside [1, MaxDim],
// parameters out of range, a zero point outside [−128, 127] or wrong lengths.
func (k LayerNorm) Apply(x []int8, gamma, beta []int32) ([]int8, error) {
	if err := checkDims("LayerNorm", k.Rows); err != nil {
		return nil, err
	}
	if !k.IsValid() {
		return nil, kernelErr("LayerNorm", "parameters %+v out of range", k)
	}
	if err := checkZeros("LayerNorm", k.ZeroX, k.ZeroY); err != nil {
		return nil, err
	}
	if err := checkLens("LayerNorm", []int{len(x), len(gamma), len(beta)}, []int{sizeOf(k.Rows, k.D), k.D, k.D}); err != nil {
		return nil, err
	}
	y := make([]int8, len(x))
	k.compute(y, x, gamma, beta, 0, k.Rows)
	return y, nil
}

// compute writes rows [lo, hi) of y. Preconditions: the checks hold. The
// zero point cancels in c_i, so it is not subtracted.
func (k LayerNorm) compute(y, x []int8, gamma, beta []int32, lo, hi int) {
	d := int64(k.D)
	for r := lo; r < hi; r++ {
		row := x[r*k.D:][:k.D]
		var s, q int64
		for _, v := range row {
			s += int64(v)
		}
		for _, v := range row {
			c := d*int64(v) - s
			q += c * c
		}
		root := ISqrt(q/d + int64(k.Eps))
		for i, v := range row {
			var n int64
			if root > 0 {
				n = RoundDiv((d*int64(v)-s)<<k.Frac, root)
			}
			y[r*k.D+i] = SaturateInt8(int64(k.ZeroY) + RoundShift(n*int64(gamma[i])+int64(beta[i]), uint(k.Shift)))
		}
	}
}

// GELU is I-BERT's integer GELU (requirement OPML-KERNEL-GELU) on Len int8
// elements. With the input scale S and S' = S/√2, I-BERT's i-erf constants
// (a = −0.2888, b = −1.769) become B = ⌈1.769/S'⌉ (the clip point), C =
// ⌈1/(0.2888·S'²)⌉ and One = ⌈1/(0.2888·S'²)⌉ (the 1 of 1 + erf, same
// units): the magnitudes of I-BERT's negative q_b, q_c, q_1. With q = X[i] − ZeroX:
//
//	a = min(|q|, B),  L = sgn(q)·(C − (a − B)²)         (≈ erf(q·S') / (0.2888·S'²))
//	e = q·(L + One)                                      (≈ GELU(q·S) / (S·0.2888·S'²/2))
//	Y = SaturateInt8(ZeroY + RoundShift(e·Out.Mult, 31+Out.Shift))
//
// Out ≈ S·0.2888·S'²/(2·Sy). |e| < 2^30, so e·Out.Mult < 2^61.
type GELU struct {
	Len          int
	B, C, One    int32
	ZeroX, ZeroY int32
	Out          Fixed
}

// IsValid reports whether B is in [1, 2^10], C in [1, 2^20], One in [1,
// 2^21] and Out valid.
func (k GELU) IsValid() bool {
	return inRange(int(k.B), 1, MaxGELUClip) && inRange(int(k.C), 1, MaxGELUConst) &&
		inRange(int(k.One), 1, MaxGELUOne) && k.Out.IsValid()
}

// Apply returns Y. Errors: *KernelError for Len outside [1, MaxElements],
// parameters out of range, a zero point outside [−128, 127] or len(x) != Len.
func (k GELU) Apply(x []int8) ([]int8, error) {
	if k.Len < 1 || k.Len > MaxElements {
		return nil, kernelErr("GELU", "length %d outside [1, %d]", k.Len, MaxElements)
	}
	if !k.IsValid() {
		return nil, kernelErr("GELU", "parameters %+v out of range", k)
	}
	if err := checkZeros("GELU", k.ZeroX, k.ZeroY); err != nil {
		return nil, err
	}
	if err := checkLens("GELU", []int{len(x)}, []int{k.Len}); err != nil {
		return nil, err
	}
	y := make([]int8, k.Len)
	k.compute(y, x, 0, k.Len)
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: the checks hold.
func (k GELU) compute(y, x []int8, lo, hi int) {
	b, c, one := int64(k.B), int64(k.C), int64(k.One)
	for i := lo; i < hi; i++ {
		q := int64(x[i]) - int64(k.ZeroX)
		a := min(max(q, -q), b)
		l := c - (a-b)*(a-b)
		if q < 0 {
			l = -l // q = 0 needs no sign: e is 0 either way
		}
		y[i] = SaturateInt8(int64(k.ZeroY) + RoundShift(q*(l+one)*int64(k.Out.Mult), uint(31+k.Out.Shift)))
	}
}
