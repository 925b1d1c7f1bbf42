package opml

// This file holds the kernels that see tensors as flat vectors or matrices:
// FC, Add, ReLU and ArgMax. Each has a checked entry point Apply and an
// unchecked compute(…, lo, hi) that writes the flat output elements [lo, hi)
// and nothing else; the executor splits [0, Size()) across goroutines, and
// since every element is computed by the same code from the same operands,
// the result does not depend on the split (requirement OPML-EXEC-DETERMINISM).

// FC is the fully connected (matrix multiply) kernel (requirement
// OPML-KERNEL-FC). X is [N, K] int8, W is [M, K] int8 (one row per output
// feature), B is [M] int32 and Y is [N, M] int8:
//
//	acc(n, m) = B[m] + Σ_{k<K} (X[n,k] − ZeroX)·(W[m,k] − ZeroW)   (int32, mod 2^32)
//	Y[n, m]   = Requantize(acc(n, m), Out, ZeroY)
type FC struct {
	N, K, M             int
	ZeroX, ZeroW, ZeroY int32
	Out                 Fixed
}

// Size returns N·M, the number of output elements (saturating at MaxWork+1).
func (k FC) Size() int { return satMul(max(k.N, 0), max(k.M, 0), MaxWork+1) }

// Apply returns Y for x, w and b. Errors: *KernelError if a dimension is
// outside [1, MaxDim], N·K·M exceeds MaxWork, a tensor would exceed
// MaxElements, a zero point is
// outside [−128, 127], Out is not valid, or a slice length differs from its
// shape.
func (k FC) Apply(x, w []int8, b []int32) ([]int8, error) {
	if err := k.check(x, w, b); err != nil {
		return nil, err
	}
	y := make([]int8, k.Size())
	k.compute(y, x, w, b, 0, len(y))
	return y, nil
}

// check returns the *KernelError Apply documents, or nil.
func (k FC) check(x, w []int8, b []int32) error {
	if err := checkDims("FC", k.N, k.K, k.M); err != nil {
		return err
	}
	if err := checkWork("FC", k.N, k.K, k.M); err != nil {
		return err
	}
	if err := checkZeros("FC", k.ZeroX, k.ZeroW, k.ZeroY); err != nil {
		return err
	}
	if !k.Out.IsValid() {
		return kernelErr("FC", "invalid multiplier %+v", k.Out)
	}
	return checkLens("FC", []int{len(x), len(w), len(b), k.Size()}, []int{k.N * k.K, k.M * k.K, k.M, k.Size()})
}

// compute writes y[lo:hi]. Preconditions: k and the slices passed check.
func (k FC) compute(y, x, w []int8, b []int32, lo, hi int) {
	for i := lo; i < hi; i++ {
		n, m := i/k.M, i%k.M
		acc := k.dot(x[n*k.K:(n+1)*k.K], w[m*k.K:(m+1)*k.K], b[m])
		y[i] = Requantize(acc, k.Out, k.ZeroY)
	}
}

// dot returns bias + Σ (xr[j] − ZeroX)·(wr[j] − ZeroW), wrapping mod 2^32.
// Each product is at most 255·255 in magnitude, so only the sum can wrap.
func (k FC) dot(xr, wr []int8, bias int32) int32 {
	acc := bias
	wr = wr[:len(xr)]
	for j, xv := range xr {
		acc += (int32(xv) - k.ZeroX) * (int32(wr[j]) - k.ZeroW)
	}
	return acc
}

// Add is the elementwise sum of two int8 tensors of Len elements, each
// rescaled by its own multiplier over a shared shift (requirement
// OPML-KERNEL-ADD):
//
//	Y[i] = SaturateInt8(ZeroY + RoundShift((A[i]−ZeroA)·MultA + (B[i]−ZeroB)·MultB, 31+Shift))
//
// The sum is exact in int64 and rounded once. MultA/2^(31+Shift) and
// MultB/2^(31+Shift) approximate scaleA/scaleY and scaleB/scaleY.
type Add struct {
	Len                 int
	ZeroA, ZeroB, ZeroY int32
	MultA, MultB, Shift int32
}

// Size returns Len.
func (k Add) Size() int { return k.Len }

// Apply returns Y for a and b. Errors: *KernelError if Len is outside [1,
// MaxElements], a zero point is outside [−128, 127], a multiplier is
// negative, Shift is outside [MinShift, MaxShift], or a slice length is not Len.
func (k Add) Apply(a, b []int8) ([]int8, error) {
	if err := k.check(a, b); err != nil {
		return nil, err
	}
	y := make([]int8, k.Len)
	k.compute(y, a, b, 0, k.Len)
	return y, nil
}

// check returns the *KernelError Apply documents, or nil.
func (k Add) check(a, b []int8) error {
	if k.Len < 1 || k.Len > MaxElements {
		return kernelErr("Add", "length %d outside [1, %d]", k.Len, MaxElements)
	}
	if err := checkZeros("Add", k.ZeroA, k.ZeroB, k.ZeroY); err != nil {
		return err
	}
	if !(Fixed{k.MultA, k.Shift}).IsValid() || !(Fixed{k.MultB, k.Shift}).IsValid() {
		return kernelErr("Add", "invalid multipliers %d, %d or shift %d", k.MultA, k.MultB, k.Shift)
	}
	return checkLens("Add", []int{len(a), len(b)}, []int{k.Len, k.Len})
}

// compute writes y[lo:hi]. Preconditions: k and the slices passed check.
func (k Add) compute(y, a, b []int8, lo, hi int) {
	n := uint(31 + k.Shift)
	for i := lo; i < hi; i++ {
		s := int64(int32(a[i])-k.ZeroA)*int64(k.MultA) + int64(int32(b[i])-k.ZeroB)*int64(k.MultB)
		y[i] = SaturateInt8(int64(k.ZeroY) + RoundShift(s, n))
	}
}

// ReLU is the rectifier on Len quantized int8 elements (requirement
// OPML-KERNEL-RELU): the real value 0 is the zero point, so
//
//	Y[i] = max(X[i], Zero)
//
// and the output has the input's quantization.
type ReLU struct {
	Len  int
	Zero int32
}

// Size returns Len.
func (k ReLU) Size() int { return k.Len }

// Apply returns Y for x. Errors: *KernelError if Len is outside [1,
// MaxElements], Zero is outside [−128, 127], or len(x) != Len.
func (k ReLU) Apply(x []int8) ([]int8, error) {
	if k.Len < 1 || k.Len > MaxElements {
		return nil, kernelErr("ReLU", "length %d outside [1, %d]", k.Len, MaxElements)
	}
	if err := checkZeros("ReLU", k.Zero); err != nil {
		return nil, err
	}
	if err := checkLens("ReLU", []int{len(x)}, []int{k.Len}); err != nil {
		return nil, err
	}
	y := make([]int8, k.Len)
	k.compute(y, x, 0, k.Len)
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: Zero in [−128, 127], len(x) = len(y) = Len.
func (k ReLU) compute(y, x []int8, lo, hi int) {
	z := int8(k.Zero)
	for i := lo; i < hi; i++ {
		y[i] = max(x[i], z)
	}
}

// ArgMax returns, for each of Rows rows of K int8 elements (the last axis of
// the input), the index of its largest element, the lowest index on a tie
// (requirement OPML-KERNEL-ARGMAX): Y[r] = min{ j : X[r,j] = max_i X[r,i] }.
// Y is int32; the comparison is on the stored integers, which order like the
// real values for any positive scale.
type ArgMax struct {
	Rows, K int
}

// Size returns Rows.
func (k ArgMax) Size() int { return k.Rows }

// Apply returns Y for x. Errors: *KernelError if Rows or K is outside [1,
// MaxDim], or len(x) != Rows·K or Rows·K exceeds MaxElements.
func (k ArgMax) Apply(x []int8) ([]int32, error) {
	if err := checkDims("ArgMax", k.Rows, k.K); err != nil {
		return nil, err
	}
	if err := checkLens("ArgMax", []int{len(x)}, []int{k.Rows * k.K}); err != nil {
		return nil, err
	}
	y := make([]int32, k.Rows)
	k.compute(y, x, 0, k.Rows)
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: len(x) = Rows·K, len(y) = Rows.
func (k ArgMax) compute(y []int32, x []int8, lo, hi int) {
	for r := lo; r < hi; r++ {
		row := x[r*k.K : (r+1)*k.K]
		best := 0
		for j, v := range row {
			if v > row[best] {
				best = j
			}
		}
		y[r] = int32(best)
	}
}

// checkDims fails unless every dimension is in [1, MaxDim].
func checkDims(kernel string, dims ...int) error {
	for i, d := range dims {
		if d < 1 || d > MaxDim {
			return kernelErr(kernel, "dimension %d is %d, outside [1, %d]", i, d, MaxDim)
		}
	}
	return nil
}

// checkWork fails unless the product of factors (a kernel's work, as counted
// by Validate) is at most MaxWork. Preconditions: factors >= 0.
func checkWork(kernel string, factors ...int) error {
	w := 1
	for _, f := range factors {
		w = satMul(w, f, MaxWork+1)
	}
	if w > MaxWork {
		return kernelErr(kernel, "work %v exceeds %d", factors, MaxWork)
	}
	return nil
}

// checkZeros fails unless every zero point is in [−128, 127].
func checkZeros(kernel string, zeros ...int32) error {
	for i, z := range zeros {
		if z < -128 || z > 127 {
			return kernelErr(kernel, "zero point %d is %d, outside [-128, 127]", i, z)
		}
	}
	return nil
}

// checkLens fails unless got[i] = want[i] and want[i] <= MaxElements for every i.
func checkLens(kernel string, got, want []int) error {
	for i := range got {
		if want[i] > MaxElements {
			return kernelErr(kernel, "operand %d would have %d elements, more than %d", i, want[i], MaxElements)
		}
		if got[i] != want[i] {
			return kernelErr(kernel, "operand %d has %d elements, want %d", i, got[i], want[i])
		}
	}
	return nil
}
