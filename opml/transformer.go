package opml

// This file holds the transformer kernels (docs/opml.md §3.9–§3.18):
// MatMul, the layout ops Transpose, Slice, Concat and Gather, the
// elementwise Mul and ResidualAdd, and I-BERT's integer-only Softmax,
// LayerNorm and GELU (Kim et al. 2021). Every constant they use is an
// integer node parameter; the builder derives them from the real scales
// once, when the model is made, and nothing here computes with floats.

// MatMul is the batched matrix multiply with per-output-channel
// requantization (requirement OPML-KERNEL-MATMUL). A is [Batch, N, K] int8,
// B is [Batch, K, M] int8 — or [Batch, M, K] when TransB — or, when
// SharedB, one such matrix for every batch; R is [M, 3] int32, per output
// column m the bias R[m,0], multiplier R[m,1] and shift R[m,2]. Y is
// [Batch, N, M] int8:
//
//	acc(b,n,m) = R[m,0] + Σ_{k<K} (A[b,n,k] − ZeroA)·(B[b,k,m] − ZeroB)   (int32, mod 2^32)
//	Y[b,n,m]   = Requantize(acc, ChannelFixed(R[m,1], R[m,2]), ZeroY)
type MatMul struct {
	Batch, N, K, M      int
	TransB, SharedB     bool
	ZeroA, ZeroB, ZeroY int32
}

// ChannelFixed returns the multiplier of a per-channel (mult, shift) pair
// read from tensor data: a negative mult counts as 0 and the shift is
// clamped to [MinShift, MaxShift], so every pair of int32 values has one
// defined multiplier (a validated model's constant pairs are already in
// range, and then ChannelFixed returns them unchanged).
func ChannelFixed(mult, shift int32) Fixed {
	return Fixed{Mult: max(mult, 0), Shift: min(max(shift, MinShift), MaxShift)}
}

// Size returns Batch·N·M (saturating at MaxWork+1).
func (k MatMul) Size() int { return sizeOf(k.Batch, k.N, k.M) }

// Apply returns Y. Errors: *KernelError for a dimension outside [1,
// MaxDim], work Batch·N·M·K over MaxWork, a zero point outside [−128, 127]
// or a slice of the wrong length.
func (k MatMul) Apply(a, b []int8, r []int32) ([]int8, error) {
	if err := checkDims("MatMul", k.Batch, k.N, k.K, k.M); err != nil {
		return nil, err
	}
	if err := checkWork("MatMul", k.Batch, k.N, k.M, k.K); err != nil {
		return nil, err
	}
	if err := checkZeros("MatMul", k.ZeroA, k.ZeroB, k.ZeroY); err != nil {
		return nil, err
	}
	if err := checkLens("MatMul", []int{len(a), len(b), len(r), k.Size()}, []int{sizeOf(k.Batch, k.N, k.K), k.bSize(), sizeOf(k.M, 3), k.Size()}); err != nil {
		return nil, err
	}
	y := make([]int8, k.Size())
	k.compute(y, a, b, r, 0, len(y))
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: the checks of Apply hold.
func (k MatMul) compute(y, a, b []int8, r []int32, lo, hi int) {
	for i := lo; i < hi; i++ {
		m, t := i%k.M, i/k.M
		acc := k.dot(a, b, r[3*m], t/k.N, t%k.N, m)
		y[i] = Requantize(acc, ChannelFixed(r[3*m+1], r[3*m+2]), k.ZeroY)
	}
}

// dot returns acc + Σ_{j<K} (A[bt,n,j] − ZeroA)·(B[bt,j,m] − ZeroB), the
// sum wrapping mod 2^32.
func (k MatMul) dot(a, b []int8, acc int32, bt, n, m int) int32 {
	ar := a[(bt*k.N+n)*k.K:][:k.K]
	base, stride := k.bIndex(bt, m)
	for j, av := range ar {
		acc += (int32(av) - k.ZeroA) * (int32(b[base+j*stride]) - k.ZeroB)
	}
	return acc
}

// bSize returns the elements of B: [Batch, K, M], or [K, M] when SharedB.
func (k MatMul) bSize() int {
	if k.SharedB {
		return sizeOf(k.K, k.M)
	}
	return sizeOf(k.Batch, k.K, k.M)
}

// bIndex returns the flat index of B[bt, 0, m] (B[bt, m, 0] when
// transposed) and the step from one k to the next.
func (k MatMul) bIndex(bt, m int) (base, stride int) {
	if k.SharedB {
		bt = 0
	}
	if k.TransB {
		return (bt*k.M + m) * k.K, 1
	}
	return bt*k.K*k.M + m, k.M
}

// indexMap is the index map of Transpose and Slice: output element i
// (flat, row-major over Out) is input element transposeSource(i) or
// sliceSource(i) of a tensor of shape In. The layout ops copy elements and
// change neither dtype nor quantization.
type indexMap struct {
	In, Out []int
	Perm    []int // Transpose: Out[d] = In[Perm[d]]; nil otherwise
	Axis    int   // Slice and Concat
	Begin   int   // Slice: the first index kept along Axis
}

// transposeSource returns the flat input index of flat output index i for
// the permutation l.Perm: output index (i_0, …) reads input index j with
// j[Perm[d]] = i_d.
func (l indexMap) transposeSource(i int) int {
	var idx [MaxRank]int
	for d := len(l.Out) - 1; d >= 0; d-- {
		idx[l.Perm[d]] = i % l.Out[d]
		i /= l.Out[d]
	}
	src := 0
	for d, n := range l.In {
		src = src*n + idx[d]
	}
	return src
}

// sliceSource returns the flat input index of flat output index i for a
// slice of In along Axis starting at Begin.
func (l indexMap) sliceSource(i int) int {
	inner := 1
	for _, d := range l.In[l.Axis+1:] {
		inner *= d
	}
	outer, rest := i/(l.Out[l.Axis]*inner), i%(l.Out[l.Axis]*inner)
	return outer*l.In[l.Axis]*inner + l.Begin*inner + rest
}

// Transpose permutes the axes of X (requirement OPML-KERNEL-TRANSPOSE):
// Y[i_0, …, i_{r−1}] = X[j] with j[Perm[d]] = i_d, so Y's shape is
// Shape[Perm[d]]. Perm is a permutation of 0..r−1.
type Transpose struct {
	Shape []int
	Perm  []int
}

// layout returns the index map of k. Precondition: k is valid.
func (k Transpose) layout() indexMap {
	out := make([]int, len(k.Shape))
	for d, p := range k.Perm {
		out[d] = k.Shape[p]
	}
	return indexMap{In: k.Shape, Out: out, Perm: k.Perm}
}

// Apply returns Y for int8 x. Errors: *KernelError for a rank outside
// [1, MaxRank], a Perm that is not a permutation, or len(x) not the
// shape's size.
func (k Transpose) Apply(x []int8) ([]int8, error) {
	if err := checkShape("Transpose", k.Shape, len(x)); err != nil {
		return nil, err
	}
	if !isPerm(k.Perm, len(k.Shape)) {
		return nil, kernelErr("Transpose", "%v is not a permutation of %d axes", k.Perm, len(k.Shape))
	}
	l := k.layout()
	y := make([]int8, len(x))
	for i := range y {
		y[i] = x[l.transposeSource(i)]
	}
	return y, nil
}

// Slice keeps indexes [Begin, End) of X along Axis (requirement
// OPML-KERNEL-SLICE): Y[…, i, …] = X[…, Begin+i, …].
type Slice struct {
	Shape            []int
	Axis, Begin, End int
}

// layout returns the index map of k. Precondition: k is valid.
func (k Slice) layout() indexMap {
	out := append([]int(nil), k.Shape...)
	out[k.Axis] = k.End - k.Begin
	return indexMap{In: k.Shape, Out: out, Axis: k.Axis, Begin: k.Begin}
}

// Apply returns Y for int8 x. Errors: *KernelError for a bad shape, an
// Axis outside the rank, 0 <= Begin < End <= Shape[Axis] not holding, or
// len(x) not the shape's size.
func (k Slice) Apply(x []int8) ([]int8, error) {
	if err := checkShape("Slice", k.Shape, len(x)); err != nil {
		return nil, err
	}
	if k.Axis < 0 || k.Axis >= len(k.Shape) || k.Begin < 0 || k.Begin >= k.End || k.End > k.Shape[k.Axis] {
		return nil, kernelErr("Slice", "axis %d [%d, %d) outside %v", k.Axis, k.Begin, k.End, k.Shape)
	}
	l := k.layout()
	y := make([]int8, sizeOf(l.Out...))
	for i := range y {
		y[i] = x[l.sliceSource(i)]
	}
	return y, nil
}

// Concat joins A and B along Axis (requirement OPML-KERNEL-CONCAT): the
// shapes agree except along Axis, where Y has ShapeA[Axis]+ShapeB[Axis];
// Y[…, i, …] is A[…, i, …] for i < ShapeA[Axis], else B[…, i−ShapeA[Axis], …].
type Concat struct {
	ShapeA, ShapeB []int
	Axis           int
}

// split returns, for flat output index i, whether it reads B and the flat
// index it reads. Precondition: k is valid.
func (k Concat) split(i int) (fromB bool, src int) {
	inner := 1
	for _, d := range k.ShapeA[k.Axis+1:] {
		inner *= d
	}
	na, nb := k.ShapeA[k.Axis]*inner, k.ShapeB[k.Axis]*inner
	outer, rest := i/(na+nb), i%(na+nb)
	if rest < na {
		return false, outer*na + rest
	}
	return true, outer*nb + rest - na
}

// Apply returns Y for int8 a and b. Errors: *KernelError for bad shapes,
// shapes that differ other than along Axis, or wrong lengths.
func (k Concat) Apply(a, b []int8) ([]int8, error) {
	if err := checkShape("Concat", k.ShapeA, len(a)); err != nil {
		return nil, err
	}
	if err := checkShape("Concat", k.ShapeB, len(b)); err != nil {
		return nil, err
	}
	if !concatFits(k.ShapeA, k.ShapeB, k.Axis) {
		return nil, kernelErr("Concat", "%v and %v do not join along axis %d", k.ShapeA, k.ShapeB, k.Axis)
	}
	y := make([]int8, len(a)+len(b))
	for i := range y {
		if fromB, src := k.split(i); fromB {
			y[i] = b[src]
		} else {
			y[i] = a[src]
		}
	}
	return y, nil
}

// concatFits reports whether a and b have one rank, agree on every axis but
// axis, and axis is one of their axes.
func concatFits(a, b []int, axis int) bool {
	if len(a) != len(b) || axis < 0 || axis >= len(a) {
		return false
	}
	for d := range a {
		if d != axis && a[d] != b[d] {
			return false
		}
	}
	return true
}

// Gather is the embedding lookup (requirement OPML-KERNEL-GATHER): the
// table is [V, D], Idx holds int32 row numbers, and Y[i, :] = Table[c(Idx[i]),
// :] with c(j) = min(max(j, 0), V−1): an index outside the table reads its
// nearest row, so every int32 index has one defined result.
type Gather struct {
	V, D int
}

// Row returns the table row index j selects: j clamped to [0, V−1].
func (k Gather) Row(j int32) int { return int(min(max(j, 0), int32(k.V-1))) }

// Apply returns Y for an int8 table and indexes idx. Errors: *KernelError
// for V or D outside [1, MaxDim], a table of the wrong length, or an output
// over MaxElements.
func (k Gather) Apply(table []int8, idx []int32) ([]int8, error) {
	if err := checkDims("Gather", k.V, k.D); err != nil {
		return nil, err
	}
	if err := checkLens("Gather", []int{len(table)}, []int{sizeOf(k.V, k.D)}); err != nil {
		return nil, err
	}
	if sizeOf(len(idx), k.D) > MaxElements {
		return nil, kernelErr("Gather", "output of %d rows of %d exceeds %d elements", len(idx), k.D, MaxElements)
	}
	y := make([]int8, len(idx)*k.D)
	for i := range y {
		y[i] = table[k.Row(idx[i/k.D])*k.D+i%k.D]
	}
	return y, nil
}

// Mul is the elementwise product of two int8 tensors of Len elements
// (requirement OPML-KERNEL-MUL):
//
//	Y[i] = SaturateInt8(ZeroY + RoundShift((A[i]−ZeroA)·(B[i]−ZeroB)·Out.Mult, 31+Out.Shift))
//
// The product is exact in int64 (|…| < 2^16·2^31) and rounded once.
type Mul struct {
	Len                 int
	ZeroA, ZeroB, ZeroY int32
	Out                 Fixed
}

// Size returns Len.
func (k Mul) Size() int { return k.Len }

// Apply returns Y. Errors: *KernelError for Len outside [1, MaxElements],
// a zero point outside [−128, 127], an invalid Out or wrong lengths.
func (k Mul) Apply(a, b []int8) ([]int8, error) {
	if k.Len < 1 || k.Len > MaxElements {
		return nil, kernelErr("Mul", "length %d outside [1, %d]", k.Len, MaxElements)
	}
	if err := checkZeros("Mul", k.ZeroA, k.ZeroB, k.ZeroY); err != nil {
		return nil, err
	}
	if !k.Out.IsValid() {
		return nil, kernelErr("Mul", "invalid multiplier %+v", k.Out)
	}
	if err := checkLens("Mul", []int{len(a), len(b)}, []int{k.Len, k.Len}); err != nil {
		return nil, err
	}
	y := make([]int8, k.Len)
	k.compute(y, a, b, 0, k.Len)
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: the checks of Apply hold.
func (k Mul) compute(y, a, b []int8, lo, hi int) {
	for i := lo; i < hi; i++ {
		p := int64(int32(a[i])-k.ZeroA) * int64(int32(b[i])-k.ZeroB)
		y[i] = SaturateInt8(int64(k.ZeroY) + k.Out.Scale(p))
	}
}

// ResidualAdd is the saturating sum of two int32 tensors (requirement
// OPML-KERNEL-RESIDUAL): Y[i] = SaturateInt32(A[i] + B[i]), the sum taken
// in int64. It is the residual connection of a transformer block, where
// both operands share one scale.
type ResidualAdd struct{ Len int }

// Apply returns Y. Errors: *KernelError for Len outside [1, MaxElements]
// or wrong lengths.
func (k ResidualAdd) Apply(a, b []int32) ([]int32, error) {
	if k.Len < 1 || k.Len > MaxElements {
		return nil, kernelErr("ResidualAdd", "length %d outside [1, %d]", k.Len, MaxElements)
	}
	if err := checkLens("ResidualAdd", []int{len(a), len(b)}, []int{k.Len, k.Len}); err != nil {
		return nil, err
	}
	y := make([]int32, k.Len)
	k.compute(y, a, b, 0, k.Len)
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: len(a), len(b) >= hi.
func (k ResidualAdd) compute(y, a, b []int32, lo, hi int) {
	for i := lo; i < hi; i++ {
		y[i] = SaturateInt32(int64(a[i]) + int64(b[i]))
	}
}

// SaturateInt32 returns v clamped to [−2^31, 2^31−1].
func SaturateInt32(v int64) int32 {
	return int32(min(max(v, -1<<31), 1<<31-1))
}

// checkShape fails unless shape has rank 1..MaxRank, dims in [1, MaxDim],
// at most MaxElements elements, and n elements.
func checkShape(kernel string, shape []int, n int) error {
	if len(shape) < 1 || len(shape) > MaxRank {
		return kernelErr(kernel, "rank %d outside [1, %d]", len(shape), MaxRank)
	}
	if err := checkDims(kernel, shape...); err != nil {
		return err
	}
	return checkLens(kernel, []int{n}, []int{sizeOf(shape...)})
}

// isPerm reports whether p is a permutation of 0..r−1.
func isPerm(p []int, r int) bool {
	if len(p) != r {
		return false
	}
	seen := make([]bool, r)
	for _, v := range p {
		if v < 0 || v >= r || seen[v] {
			return false
		}
		seen[v] = true
	}
	return true
}
