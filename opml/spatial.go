package opml

// This file holds the kernels over NHWC images: Conv2D and MaxPool2D. An
// image tensor is [N, H, W, C] (batch, rows, columns, channels), row-major,
// so element (n, h, w, c) is at flat index ((n·H + h)·W + w)·C + c.

// Window is the sliding window of Conv2D and MaxPool2D: a KH×KW kernel moved
// by StrideH rows and StrideW columns over the input padded with PadTop rows
// above, PadBottom below, PadLeft columns left and PadRight right. Output
// position (oh, ow) covers input rows oh·StrideH − PadTop + [0, KH) and
// columns ow·StrideW − PadLeft + [0, KW). Valid windows have KH, KW, StrideH,
// StrideW in [1, MaxDim] and every pad in [0, kernel size − 1], so each
// window holds at least one real (unpadded) element.
type Window struct {
	KH, KW                               int
	StrideH, StrideW                     int
	PadTop, PadLeft, PadBottom, PadRight int
}

// IsValid reports whether w satisfies the ranges above.
func (w Window) IsValid() bool {
	for _, v := range []int{w.KH, w.KW, w.StrideH, w.StrideW} {
		if v < 1 || v > MaxDim {
			return false
		}
	}
	return inRange(w.PadTop, 0, w.KH-1) && inRange(w.PadBottom, 0, w.KH-1) &&
		inRange(w.PadLeft, 0, w.KW-1) && inRange(w.PadRight, 0, w.KW-1)
}

// OutDims returns the output size for an h×wd input:
//
//	OH = ⌊(h + PadTop + PadBottom − KH) / StrideH⌋ + 1
//	OW = ⌊(wd + PadLeft + PadRight − KW) / StrideW⌋ + 1
//
// ok is false when w is not valid, h or wd is outside [1, MaxDim], or the
// padded input is smaller than the kernel.
func (w Window) OutDims(h, wd int) (oh, ow int, ok bool) {
	if !w.IsValid() || !inRange(h, 1, MaxDim) || !inRange(wd, 1, MaxDim) {
		return 0, 0, false
	}
	ph, pw := h+w.PadTop+w.PadBottom, wd+w.PadLeft+w.PadRight
	if ph < w.KH || pw < w.KW {
		return 0, 0, false
	}
	return (ph-w.KH)/w.StrideH + 1, (pw-w.KW)/w.StrideW + 1, true
}

// inRange reports whether lo <= v <= hi.
func inRange(v, lo, hi int) bool { return lo <= v && v <= hi }

// Conv2D is the 2-D convolution (requirement OPML-KERNEL-CONV2D). X is [N, H,
// W, C] int8, the filter F is [OC, KH, KW, C] int8 (Win.KH, Win.KW), B is
// [OC] int32 and Y is [N, OH, OW, OC] int8 (OH, OW from Win.OutDims):
//
//	acc(n,oh,ow,oc) = B[oc] + Σ_{kh<KH, kw<KW, c<C} (Xp[n, oh·SH−PT+kh, ow·SW−PL+kw, c] − ZeroX)·(F[oc,kh,kw,c] − ZeroF)
//	Y[n,oh,ow,oc]   = Requantize(acc, Out, ZeroY)
//
// with the int32 sum taken mod 2^32, where Xp is X padded with the value
// ZeroX (real 0): padded positions contribute nothing.
type Conv2D struct {
	N, H, W, C, OC      int
	Win                 Window
	ZeroX, ZeroF, ZeroY int32
	Out                 Fixed
}

// Size returns N·OH·OW·OC, the number of output elements (0 if Win does not
// fit, saturating at MaxWork+1).
func (k Conv2D) Size() int {
	oh, ow, _ := k.Win.OutDims(k.H, k.W)
	return sizeOf(k.N, oh, ow, k.OC)
}

// sizeOf returns the product of non-negative dims, saturating at MaxWork+1
// (0 if any is negative).
func sizeOf(dims ...int) int {
	n := 1
	for _, d := range dims {
		n = satMul(n, max(d, 0), MaxWork+1)
	}
	return n
}

// Apply returns Y for x, f and b. Errors: *KernelError if Win is not valid or
// does not fit the input, a dimension is outside [1, MaxDim], the work
// N·OH·OW·OC·KH·KW·C exceeds MaxWork, a tensor would exceed MaxElements, a
// zero point is outside [−128, 127], Out is not valid, or a slice length
// differs from its shape.
func (k Conv2D) Apply(x, f []int8, b []int32) ([]int8, error) {
	if err := k.check(x, f, b); err != nil {
		return nil, err
	}
	y := make([]int8, k.Size())
	k.compute(y, x, f, b, 0, len(y))
	return y, nil
}

// check returns the *KernelError Apply documents, or nil.
func (k Conv2D) check(x, f []int8, b []int32) error {
	if !k.Win.IsValid() {
		return kernelErr("Conv2D", "invalid window %+v", k.Win)
	}
	if err := checkDims("Conv2D", k.N, k.H, k.W, k.C, k.OC, k.Win.KH, k.Win.KW); err != nil {
		return err
	}
	if _, _, ok := k.Win.OutDims(k.H, k.W); !ok {
		return kernelErr("Conv2D", "window %+v larger than the padded %dx%d input", k.Win, k.H, k.W)
	}
	if err := checkWork("Conv2D", k.Size(), k.Win.KH, k.Win.KW, k.C); err != nil {
		return err
	}
	if err := checkZeros("Conv2D", k.ZeroX, k.ZeroF, k.ZeroY); err != nil {
		return err
	}
	if !k.Out.IsValid() {
		return kernelErr("Conv2D", "invalid multiplier %+v", k.Out)
	}
	want := []int{sizeOf(k.N, k.H, k.W, k.C), sizeOf(k.OC, k.Win.KH, k.Win.KW, k.C), k.OC, k.Size()}
	return checkLens("Conv2D", []int{len(x), len(f), len(b), k.Size()}, want)
}

// compute writes y[lo:hi]. Preconditions: k and the slices passed check.
func (k Conv2D) compute(y, x, f []int8, b []int32, lo, hi int) {
	oh, ow, _ := k.Win.OutDims(k.H, k.W)
	for i := lo; i < hi; i++ {
		oc, t := i%k.OC, i/k.OC
		c, t := t%ow, t/ow
		r, n := t%oh, t/oh
		y[i] = Requantize(k.acc(x, f, b[oc], n, r, c, oc), k.Out, k.ZeroY)
	}
}

// acc returns acc(n, r, c, oc) of the formula above: output row r, column c.
func (k Conv2D) acc(x, f []int8, bias int32, n, r, c, oc int) int32 {
	acc := bias
	for kh := 0; kh < k.Win.KH; kh++ {
		ih := r*k.Win.StrideH - k.Win.PadTop + kh
		if ih < 0 || ih >= k.H {
			continue
		}
		for kw := 0; kw < k.Win.KW; kw++ {
			iw := c*k.Win.StrideW - k.Win.PadLeft + kw
			if iw < 0 || iw >= k.W {
				continue
			}
			xs := x[((n*k.H+ih)*k.W+iw)*k.C:][:k.C]
			fs := f[((oc*k.Win.KH+kh)*k.Win.KW+kw)*k.C:][:k.C]
			for ch, xv := range xs {
				acc += (int32(xv) - k.ZeroX) * (int32(fs[ch]) - k.ZeroF)
			}
		}
	}
	return acc
}

// MaxPool2D is the 2-D max pooling (requirement OPML-KERNEL-MAXPOOL2D). X is
// [N, H, W, C] int8 and Y is [N, OH, OW, C] int8 with the input's
// quantization:
//
//	Y[n,oh,ow,c] = max{ X[n,ih,iw,c] : ih = oh·SH−PT+kh, iw = ow·SW−PL+kw,
//	                    kh < KH, kw < KW, 0 <= ih < H, 0 <= iw < W }
//
// Padded positions are skipped (they never win); a valid Window guarantees
// every window holds at least one real element.
type MaxPool2D struct {
	N, H, W, C int
	Win        Window
}

// Size returns N·OH·OW·C (0 if Win does not fit, saturating at MaxWork+1).
func (k MaxPool2D) Size() int {
	oh, ow, _ := k.Win.OutDims(k.H, k.W)
	return sizeOf(k.N, oh, ow, k.C)
}

// Apply returns Y for x. Errors: *KernelError if Win is not valid or does not
// fit the input, a dimension is outside [1, MaxDim], the work N·OH·OW·C·KH·KW
// exceeds MaxWork, or len(x) != N·H·W·C or a tensor would exceed MaxElements.
func (k MaxPool2D) Apply(x []int8) ([]int8, error) {
	if !k.Win.IsValid() {
		return nil, kernelErr("MaxPool2D", "invalid window %+v", k.Win)
	}
	if err := checkDims("MaxPool2D", k.N, k.H, k.W, k.C, k.Win.KH, k.Win.KW); err != nil {
		return nil, err
	}
	if _, _, ok := k.Win.OutDims(k.H, k.W); !ok {
		return nil, kernelErr("MaxPool2D", "window %+v larger than the padded %dx%d input", k.Win, k.H, k.W)
	}
	if err := checkWork("MaxPool2D", k.Size(), k.Win.KH, k.Win.KW); err != nil {
		return nil, err
	}
	if err := checkLens("MaxPool2D", []int{len(x), k.Size()}, []int{sizeOf(k.N, k.H, k.W, k.C), k.Size()}); err != nil {
		return nil, err
	}
	y := make([]int8, k.Size())
	k.compute(y, x, 0, len(y))
	return y, nil
}

// compute writes y[lo:hi]. Preconditions: k and x passed the checks of Apply.
func (k MaxPool2D) compute(y, x []int8, lo, hi int) {
	oh, ow, _ := k.Win.OutDims(k.H, k.W)
	for i := lo; i < hi; i++ {
		ch, t := i%k.C, i/k.C
		c, t := t%ow, t/ow
		r, n := t%oh, t/oh
		y[i] = k.max(x, n, r, c, ch)
	}
}

// max returns the largest real element of window (r, c) of channel ch of
// image n. Starting from −128 is exact because the window is never empty.
func (k MaxPool2D) max(x []int8, n, r, c, ch int) int8 {
	best := int8(-128)
	for kh := 0; kh < k.Win.KH; kh++ {
		ih := r*k.Win.StrideH - k.Win.PadTop + kh
		if ih < 0 || ih >= k.H {
			continue
		}
		for kw := 0; kw < k.Win.KW; kw++ {
			iw := c*k.Win.StrideW - k.Win.PadLeft + kw
			if iw >= 0 && iw < k.W {
				best = max(best, x[((n*k.H+ih)*k.W+iw)*k.C+ch])
			}
		}
	}
	return best
}
