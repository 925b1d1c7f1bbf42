package opml

import "errors"

// This file holds the accumulating kernels (docs/opml.md §3.20–§3.22):
// MatMulAcc and Conv2DAcc, which are MatMul and Conv2D stopped before the
// requantization — their output is the int32 accumulator itself, started
// from a carry-in instead of the bias — and Requant, which finishes one.
// A product split along its inner dimension K is the chain
//
//	acc₁ = Acc(slice₁, bias)   acc₂ = Acc(slice₂, acc₁)   …   y = Requant(accₚ, table)
//
// and because every addition wraps mod 2^32, as the unsplit kernel's does
// (§2.5), the chain's accumulator is the unsplit one, bit for bit, for any
// cut of K (opml/chunk makes these chains).

// MatMulAcc is the accumulating MatMul (requirement OPML-KERNEL-MATMULACC):
// A and B as in MatMul, C the int32 carry-in, either [M] (one value per
// output column, for every row and batch) or of the output's shape
// [Batch, N, M]; Y is [Batch, N, M] int32:
//
//	Y[b,n,m] = C[m] or C[b,n,m] + Σ_{k<K} (A[b,n,k] − ZeroA)·(B[b,k,m] − ZeroB)   (int32, mod 2^32)
type MatMulAcc struct {
	Batch, N, K, M  int
	TransB, SharedB bool
	ZeroA, ZeroB    int32
}

// matMul returns the MatMul of the same operands, whose loops MatMulAcc
// shares (its ZeroY is unused).
func (k MatMulAcc) matMul() MatMul {
	return MatMul{Batch: k.Batch, N: k.N, K: k.K, M: k.M, TransB: k.TransB, SharedB: k.SharedB, ZeroA: k.ZeroA, ZeroB: k.ZeroB}
}

// Size returns Batch·N·M (saturating at MaxWork+1).
func (k MatMulAcc) Size() int { return sizeOf(k.Batch, k.N, k.M) }

// Apply returns Y. Errors: *KernelError as MatMul.Apply's, and for a
// carry-in whose length is neither M nor Size().
func (k MatMulAcc) Apply(a, b []int8, c []int32) ([]int32, error) {
	mm := k.matMul()
	if err := checkDims("MatMulAcc", k.Batch, k.N, k.K, k.M); err != nil {
		return nil, err
	}
	if err := checkWork("MatMulAcc", k.Batch, k.N, k.M, k.K); err != nil {
		return nil, err
	}
	if err := checkZeros("MatMulAcc", k.ZeroA, k.ZeroB, 0); err != nil {
		return nil, err
	}
	if err := checkLens("MatMulAcc", []int{len(a), len(b)}, []int{sizeOf(k.Batch, k.N, k.K), mm.bSize()}); err != nil {
		return nil, err
	}
	if err := checkCarry("MatMulAcc", len(c), k.M, k.Size()); err != nil {
		return nil, err
	}
	y := make([]int32, k.Size())
	k.compute(y, a, b, c, 0, len(y))
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: the checks of Apply hold.
func (k MatMulAcc) compute(y []int32, a, b []int8, c []int32, lo, hi int) {
	mm := k.matMul()
	for i := lo; i < hi; i++ {
		m, t := i%k.M, i/k.M
		y[i] = mm.dot(a, b, c[carryIndex(len(c), len(y), i, m)], t/k.N, t%k.N, m)
	}
}

// Conv2DAcc is the accumulating Conv2D (requirement OPML-KERNEL-CONV2DACC):
// X and F as in Conv2D, C the int32 carry-in, either [OC] or of the
// output's shape [N, OH, OW, OC]; Y is [N, OH, OW, OC] int32:
//
//	Y[n,oh,ow,oc] = C[oc] or C[n,oh,ow,oc] + Σ_{kh,kw,c} (Xp[…] − ZeroX)·(F[oc,kh,kw,c] − ZeroF)   (int32, mod 2^32)
//
// with Xp padded as in Conv2D: padded positions contribute nothing.
type Conv2DAcc struct {
	N, H, W, C, OC int
	Win            Window
	ZeroX, ZeroF   int32
}

// conv2D returns the Conv2D of the same operands, whose loops Conv2DAcc
// shares (its ZeroY and Out are unused).
func (k Conv2DAcc) conv2D() Conv2D {
	return Conv2D{N: k.N, H: k.H, W: k.W, C: k.C, OC: k.OC, Win: k.Win, ZeroX: k.ZeroX, ZeroF: k.ZeroF, Out: Fixed{Mult: 1}}
}

// Size returns N·OH·OW·OC (0 if Win does not fit, saturating at MaxWork+1).
func (k Conv2DAcc) Size() int { return k.conv2D().Size() }

// Apply returns Y. Errors: *KernelError as Conv2D.Apply's, and for a
// carry-in whose length is neither OC nor Size().
func (k Conv2DAcc) Apply(x, f []int8, c []int32) ([]int32, error) {
	cv := k.conv2D()
	if err := cv.check(x, f, make([]int32, k.OC)); err != nil {
		var ke *KernelError
		if errors.As(err, &ke) {
			ke.Kernel = "Conv2DAcc"
		}
		return nil, err
	}
	if err := checkCarry("Conv2DAcc", len(c), k.OC, k.Size()); err != nil {
		return nil, err
	}
	y := make([]int32, k.Size())
	k.compute(y, x, f, c, 0, len(y))
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: the checks of Apply hold.
func (k Conv2DAcc) compute(y []int32, x, f []int8, c []int32, lo, hi int) {
	cv := k.conv2D()
	oh, ow, _ := k.Win.OutDims(k.H, k.W)
	for i := lo; i < hi; i++ {
		oc, t := i%k.OC, i/k.OC
		col, t := t%ow, t/ow
		r, n := t%oh, t/oh
		y[i] = cv.acc(x, f, c[carryIndex(len(c), len(y), i, oc)], n, r, col, oc)
	}
}

// Requant requantizes an int32 accumulator to int8 (requirement
// OPML-KERNEL-REQUANT). X is int32 with Len elements whose last axis has
// M; R is the int32 table [M, 3] of MatMul — per channel m the bias
// R[m,0], multiplier R[m,1] and shift R[m,2] — or one row [1, 3] for every
// channel:
//
//	Y[i] = Requantize(X[i] + R[m,0], ChannelFixed(R[m,1], R[m,2]), ZeroY)   (m = i mod M; the sum mod 2^32)
//
// with the row m read as row 0 when R has one row.
type Requant struct {
	Len, M int
	ZeroY  int32
}

// Size returns Len.
func (k Requant) Size() int { return k.Len }

// Apply returns Y. Errors: *KernelError if Len is outside [1,
// MaxElements], M is outside [1, Len] or does not divide it, ZeroY is
// outside [−128, 127], or r has neither 3 nor 3·M elements.
func (k Requant) Apply(x, r []int32) ([]int8, error) {
	if k.Len < 1 || k.Len > MaxElements || k.M < 1 || k.M > k.Len || k.Len%k.M != 0 {
		return nil, kernelErr("Requant", "length %d with %d channels", k.Len, k.M)
	}
	if err := checkZeros("Requant", 0, 0, k.ZeroY); err != nil {
		return nil, err
	}
	if len(r) != 3 && len(r) != 3*k.M {
		return nil, kernelErr("Requant", "table of %d values, want 3 or %d", len(r), 3*k.M)
	}
	if err := checkLens("Requant", []int{len(x)}, []int{k.Len}); err != nil {
		return nil, err
	}
	y := make([]int8, k.Len)
	k.compute(y, x, r, 0, k.Len)
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: the checks of Apply hold.
func (k Requant) compute(y []int8, x, r []int32, lo, hi int) {
	for i := lo; i < hi; i++ {
		row := 0
		if len(r) > 3 {
			row = 3 * (i % k.M)
		}
		y[i] = Requantize(x[i]+r[row], ChannelFixed(r[row+1], r[row+2]), k.ZeroY)
	}
}

// carryIndex returns the index of output element i's carry-in in a carry
// of n elements for an output of size elements: i when the carry has the
// output's shape, else i's channel ch (its index along the last output
// axis). When n is both, the two readings are the same element.
func carryIndex(n, size, i, ch int) int {
	if n == size {
		return i
	}
	return ch
}

// checkCarry fails unless a carry-in of n elements has one per channel
// (channels) or one per output element (size).
func checkCarry(kernel string, n, channels, size int) error {
	if n != channels && n != size {
		return kernelErr(kernel, "carry-in of %d values, want %d or %d", n, channels, size)
	}
	return nil
}
