package opml_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// The accumulating kernels (docs/opml.md §3.20–§3.22) against references
// that sum in int64 and wrap once at the end, with carries of both
// shapes, and the law the inner-dimension split rests on: a product cut
// anywhere along K and chained through the carry, then requantized, is the
// unsplit kernel's output, bit for bit.

// genCarry draws a carry-in: one per channel (m values) or one per output
// element (size values), edge-biased so the sums wrap.
func genCarry(t *rapid.T, m, size int) []int32 {
	n := m
	if rapid.Bool().Draw(t, "fullCarry") {
		n = size
	}
	return rapid.SliceOfN(genBias(), n, n).Draw(t, "carry")
}

// refCarry returns the carry-in of output element i of channel ch.
func refCarry(c []int32, size, i, ch int) int64 {
	if len(c) == size {
		return int64(c[i])
	}
	return int64(c[ch])
}

func genMatMul(t *rapid.T) opml.MatMul {
	return opml.MatMul{Batch: rapid.IntRange(1, 3).Draw(t, "B"), N: rapid.IntRange(1, 4).Draw(t, "N"),
		K: rapid.IntRange(1, 24).Draw(t, "K"), M: rapid.IntRange(1, 5).Draw(t, "M"),
		TransB: rapid.Bool().Draw(t, "transB"), SharedB: rapid.Bool().Draw(t, "sharedB"),
		ZeroA: genZero().Draw(t, "za"), ZeroB: genZero().Draw(t, "zb"), ZeroY: genZero().Draw(t, "zy")}
}

func accOf(k opml.MatMul) opml.MatMulAcc {
	return opml.MatMulAcc{Batch: k.Batch, N: k.N, K: k.K, M: k.M, TransB: k.TransB, SharedB: k.SharedB, ZeroA: k.ZeroA, ZeroB: k.ZeroB}
}

func bElems(k opml.MatMul) int {
	if k.SharedB {
		return k.K * k.M
	}
	return k.Batch * k.K * k.M
}

func TestOPML_KERNEL_MATMULACC(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mm := genMatMul(t)
		k := accOf(mm)
		a, b := genInt8s(k.Batch*k.N*k.K).Draw(t, "a"), genInt8s(bElems(mm)).Draw(t, "b")
		c := genCarry(t, k.M, k.Size())
		got, err := k.Apply(a, b, c)
		if err != nil {
			t.Fatal(err)
		}
		var want []int32
		for i, s := range refMatMulSums(mm, a, b) {
			want = append(want, int32(wrap32(refCarry(c, k.Size(), i, i%k.M)+s)))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("MatMulAcc %+v carry %v\n got %v\nwant %v", k, c, got, want)
		}
	})
}

func TestOPML_KERNEL_CONV2DACC(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		cv, x, f, _ := genConv2D(t, 6, 3)
		k := opml.Conv2DAcc{N: cv.N, H: cv.H, W: cv.W, C: cv.C, OC: cv.OC, Win: cv.Win, ZeroX: cv.ZeroX, ZeroF: cv.ZeroF}
		c := genCarry(t, k.OC, k.Size())
		got, err := k.Apply(x, f, c)
		if err != nil {
			t.Fatal(err)
		}
		var want []int32
		for i, s := range refConv2DSums(cv, x, f) {
			want = append(want, int32(wrap32(refCarry(c, k.Size(), i, i%k.OC)+s)))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Conv2DAcc %+v carry %v\n got %v\nwant %v", k, c, got, want)
		}
	})
}

// genTable draws a requantization table of m rows: valid multipliers, or
// (as data-borne tables may be) any int32 values, read through the
// per-channel rule.
func genTable(t *rapid.T, m int) []int32 {
	var r []int32
	for range m {
		f := genFixed().Draw(t, "f")
		r = append(r, genBias().Draw(t, "bias"), f.Mult, f.Shift)
		if rapid.IntRange(0, 4).Draw(t, "wild") == 0 {
			r[len(r)-2], r[len(r)-1] = genInt32().Draw(t, "mult"), genInt32().Draw(t, "shift")
		}
	}
	return r
}

func TestOPML_KERNEL_REQUANT(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m, rows := rapid.IntRange(1, 6).Draw(t, "M"), rapid.IntRange(1, 4).Draw(t, "rows")
		k := opml.Requant{Len: m * rows, M: m, ZeroY: genZero().Draw(t, "zy")}
		x := rapid.SliceOfN(genBias(), k.Len, k.Len).Draw(t, "x")
		tableRows := m
		if rapid.Bool().Draw(t, "oneRow") {
			tableRows = 1
		}
		r := genTable(t, tableRows)
		got, err := k.Apply(x, r)
		if err != nil {
			t.Fatal(err)
		}
		var want []int8
		for i, v := range x {
			row := 0
			if tableRows > 1 {
				row = 3 * (i % m)
			}
			want = append(want, refRequant(wrap32(int64(v)+int64(r[row])), refChannel(r[row+1], r[row+2]), k.ZeroY))
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Requant %+v table %v\n got %v\nwant %v", k, r, got, want)
		}
	})
}

// TestOPML_KERNEL_REQUANT_Refusals: the checked entry points refuse what
// they document, with a *KernelError naming the kernel.
func TestOPML_KERNEL_REQUANT_Refusals(t *testing.T) {
	mm := opml.MatMulAcc{Batch: 1, N: 2, K: 3, M: 4}
	cv := opml.Conv2DAcc{N: 1, H: 3, W: 3, C: 2, OC: 2, Win: opml.Window{KH: 2, KW: 2, StrideH: 1, StrideW: 1}}
	rq := opml.Requant{Len: 8, M: 4}
	cases := []struct {
		name, kernel string
		err          error
	}{
		{"matmul carry 3", "MatMulAcc", second(mm.Apply(make([]int8, 6), make([]int8, 12), make([]int32, 3)))},
		{"matmul zero 128", "MatMulAcc", second(opml.MatMulAcc{Batch: 1, N: 1, K: 1, M: 1, ZeroA: 128}.Apply([]int8{0}, []int8{0}, []int32{0}))},
		{"matmul b short", "MatMulAcc", second(mm.Apply(make([]int8, 6), make([]int8, 11), make([]int32, 4)))},
		{"conv carry 3", "Conv2DAcc", second(cv.Apply(make([]int8, 18), make([]int8, 16), make([]int32, 3)))},
		{"conv window", "Conv2DAcc", second(opml.Conv2DAcc{N: 1, H: 1, W: 1, C: 1, OC: 1, Win: opml.Window{KH: 2, KW: 1, StrideH: 1, StrideW: 1}}.Apply([]int8{0}, []int8{0, 0}, []int32{0}))},
		{"requant table 6", "Requant", second(rq.Apply(make([]int32, 8), make([]int32, 6)))},
		{"requant M 3", "Requant", second(opml.Requant{Len: 8, M: 3}.Apply(make([]int32, 8), make([]int32, 3)))},
		{"requant x short", "Requant", second(rq.Apply(make([]int32, 7), make([]int32, 3)))},
	}
	for _, c := range cases {
		ke, ok := c.err.(*opml.KernelError)
		if !ok || ke.Kernel != c.kernel {
			t.Errorf("%s: %v, want a *KernelError of %s", c.name, c.err, c.kernel)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestOPML_KERNEL_ACC_SplitLaw: MatMul equals MatMulAcc over any cut of K
// chained through the carry (the first piece's carry 0 per channel) and
// Requantize with MatMul's table; Conv2D equals Conv2DAcc over any cut of
// its input channels (the first piece's carry the bias) and Requantize with
// the one row (0, mult, shift). Operands are edge values, so accumulators
// wrap and outputs saturate.
func TestOPML_KERNEL_ACC_SplitLaw(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		mm := genMatMul(t)
		a, b := genInt8s(mm.Batch*mm.N*mm.K).Draw(t, "a"), genInt8s(bElems(mm)).Draw(t, "b")
		r := genTable(t, mm.M)
		want, err := mm.Apply(a, b, r)
		if err != nil {
			t.Fatal(err)
		}
		cuts := cutsOf(t, mm.K)
		carry := make([]int32, mm.M)
		for p := range len(cuts) - 1 {
			lo, hi := cuts[p], cuts[p+1]
			piece := mm
			piece.K = hi - lo
			pa, pb := sliceK(mm, a, b, lo, hi)
			carry, err = accOf(piece).Apply(pa, pb, carry)
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := opml.Requant{Len: mm.Size(), M: mm.M, ZeroY: mm.ZeroY}.Apply(carry, r)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("MatMul %+v cut at %v\n got %v\nwant %v", mm, cuts, got, want)
		}
	})
	rapid.Check(t, func(t *rapid.T) {
		cv, x, f, bias := genConv2D(t, 5, 5)
		want, err := cv.Apply(x, f, bias)
		if err != nil {
			t.Fatal(err)
		}
		cuts := cutsOf(t, cv.C)
		carry := bias
		for p := range len(cuts) - 1 {
			lo, hi := cuts[p], cuts[p+1]
			k := opml.Conv2DAcc{N: cv.N, H: cv.H, W: cv.W, C: hi - lo, OC: cv.OC, Win: cv.Win, ZeroX: cv.ZeroX, ZeroF: cv.ZeroF}
			carry, err = k.Apply(lastAxis(x, cv.C, lo, hi), lastAxis(f, cv.C, lo, hi), carry)
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := opml.Requant{Len: cv.Size(), M: cv.OC, ZeroY: cv.ZeroY}.Apply(carry, []int32{0, cv.Out.Mult, cv.Out.Shift})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Conv2D %+v cut at %v\n got %v\nwant %v", cv, cuts, got, want)
		}
	})
}

// cutsOf draws 0 = c₀ < c₁ < … < cₚ = n.
func cutsOf(t *rapid.T, n int) []int {
	cuts := []int{0}
	for cuts[len(cuts)-1] < n {
		cuts = append(cuts, rapid.IntRange(cuts[len(cuts)-1]+1, n).Draw(t, "cut"))
	}
	return cuts
}

// sliceK returns a[.., lo:hi] and b's rows (or, transposed, columns)
// lo:hi along K.
func sliceK(k opml.MatMul, a, b []int8, lo, hi int) (pa, pb []int8) {
	pa = lastAxis(a, k.K, lo, hi)
	nb := k.Batch
	if k.SharedB {
		nb = 1
	}
	if k.TransB {
		return pa, lastAxis(b, k.K, lo, hi)
	}
	for bt := range nb {
		pb = append(pb, b[(bt*k.K+lo)*k.M:(bt*k.K+hi)*k.M]...)
	}
	return pa, pb
}

// lastAxis returns x's elements lo:hi of every run of d along its last
// axis.
func lastAxis(x []int8, d, lo, hi int) []int8 {
	var out []int8
	for i := 0; i < len(x); i += d {
		out = append(out, x[i+lo:i+hi]...)
	}
	return out
}
