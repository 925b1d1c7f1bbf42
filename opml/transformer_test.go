package opml_test

import (
	"math"
	"math/big"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// References for the transformer kernels (docs/opml.md §3.9–§3.18),
// written from the formulas without the kernels' helpers: multi-index
// loops for the layout ops, math/big for every rounding, division and
// square root, and edge-biased inputs (−128/127 operands, extreme zero
// points, int32 extremes, rows of equal values, which make Softmax's
// division tie, and parameters at the ends of their ranges).

// bigRoundDiv is n/d rounded half away from zero (d > 0), in math/big.
func bigRoundDiv(n, d *big.Int) *big.Int {
	q, r := new(big.Int).QuoRem(n, d, new(big.Int))
	if new(big.Int).Lsh(new(big.Int).Abs(r), 1).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(int64(n.Sign())))
	}
	return q
}

// refSat32 clamps v to int32.
func refSat32(v *big.Int) int32 {
	if v.Cmp(big.NewInt(math.MinInt32)) < 0 {
		return math.MinInt32
	}
	if v.Cmp(big.NewInt(math.MaxInt32)) > 0 {
		return math.MaxInt32
	}
	return int32(v.Int64())
}

// genInt32 draws an int32, often an extreme.
func genInt32() *rapid.Generator[int32] {
	return rapid.OneOf(rapid.SampledFrom([]int32{math.MinInt32, math.MinInt32 + 1, -1, 0, 1, math.MaxInt32 - 1, math.MaxInt32}),
		rapid.Int32Range(-1000, 1000), rapid.Int32())
}

// genRow draws n int8 values: edge-biased, or all one value (ties), or
// two values.
func genRow(n int) *rapid.Generator[[]int8] {
	return rapid.Custom(func(t *rapid.T) []int8 {
		switch rapid.IntRange(0, 3).Draw(t, "rowKind") {
		case 0:
			v := genInt8().Draw(t, "same")
			return slices.Repeat([]int8{v}, n)
		case 1:
			a, b := genInt8().Draw(t, "a"), genInt8().Draw(t, "b")
			return rapid.SliceOfN(rapid.SampledFrom([]int8{a, b}), n, n).Draw(t, "two")
		}
		return genInt8s(n).Draw(t, "row")
	})
}

func genShape(rank int) *rapid.Generator[[]int] {
	return rapid.SliceOfN(rapid.IntRange(1, 4), rank, rank)
}

func prod(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// unflat returns the multi-index of flat index i in shape s.
func unflat(i int, s []int) []int {
	idx := make([]int, len(s))
	for d := len(s) - 1; d >= 0; d-- {
		idx[d] = i % s[d]
		i /= s[d]
	}
	return idx
}

// flat returns the flat index of idx in shape s.
func flat(idx, s []int) int {
	f := 0
	for d := range s {
		f = f*s[d] + idx[d]
	}
	return f
}

// refChannel is the per-channel multiplier rule of §3.9, written out.
func refChannel(mult, shift int32) opml.Fixed {
	if mult < 0 {
		mult = 0
	}
	if shift < -31 {
		shift = -31
	}
	if shift > 31 {
		shift = 31
	}
	return opml.Fixed{Mult: mult, Shift: shift}
}

func refMatMul(k opml.MatMul, a, b []int8, r []int32) []int8 {
	var y []int8
	for i, s := range refMatMulSums(k, a, b) {
		m := i % k.M
		y = append(y, refRequant(wrap32(int64(r[3*m])+s), refChannel(r[3*m+1], r[3*m+2]), k.ZeroY))
	}
	return y
}

// refMatMulSums returns, per output element, the exact sum of products of
// §3.9 (without the bias), indexing B by its layout.
func refMatMulSums(k opml.MatMul, a, b []int8) []int64 {
	var y []int64
	for bt := 0; bt < k.Batch; bt++ {
		for n := 0; n < k.N; n++ {
			for m := 0; m < k.M; m++ {
				var acc int64
				for j := 0; j < k.K; j++ {
					bb := bt
					if k.SharedB {
						bb = 0
					}
					var bv int8
					if k.TransB {
						bv = b[(bb*k.M+m)*k.K+j] // B[bb, m, j]
					} else {
						bv = b[(bb*k.K+j)*k.M+m] // B[bb, j, m]
					}
					acc += (int64(a[(bt*k.N+n)*k.K+j]) - int64(k.ZeroA)) * (int64(bv) - int64(k.ZeroB))
				}
				y = append(y, acc)
			}
		}
	}
	return y
}

func TestOPML_KERNEL_MATMUL(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.MatMul{Batch: rapid.IntRange(1, 3).Draw(t, "B"), N: rapid.IntRange(1, 4).Draw(t, "N"),
			K: rapid.IntRange(1, 24).Draw(t, "K"), M: rapid.IntRange(1, 5).Draw(t, "M"),
			TransB: rapid.Bool().Draw(t, "transB"), SharedB: rapid.Bool().Draw(t, "sharedB"),
			ZeroA: genZero().Draw(t, "za"), ZeroB: genZero().Draw(t, "zb"), ZeroY: genZero().Draw(t, "zy")}
		nb := k.Batch
		if k.SharedB {
			nb = 1
		}
		a, b := genInt8s(k.Batch*k.N*k.K).Draw(t, "a"), genInt8s(nb*k.K*k.M).Draw(t, "b")
		var r []int32
		for m := 0; m < k.M; m++ {
			f := genFixed().Draw(t, "f")
			r = append(r, genBias().Draw(t, "bias"), f.Mult, f.Shift)
			if rapid.IntRange(0, 4).Draw(t, "wild") == 0 { // data-borne pairs out of range
				r[3*m+1], r[3*m+2] = genInt32().Draw(t, "mult"), genInt32().Draw(t, "shift")
			}
		}
		got, err := k.Apply(a, b, r)
		if err != nil {
			t.Fatal(err)
		}
		if want := refMatMul(k, a, b, r); !slices.Equal(got, want) {
			t.Fatalf("MatMul %+v\n got %v\nwant %v", k, got, want)
		}
	})
}

func TestOPML_KERNEL_TRANSPOSE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		rank := rapid.IntRange(1, 4).Draw(t, "rank")
		shape := genShape(rank).Draw(t, "shape")
		perm := rapid.Permutation(slices.Collect(func(yield func(int) bool) {
			for d := range rank {
				if !yield(d) {
					return
				}
			}
		})).Draw(t, "perm")
		x := genInt8s(prod(shape)).Draw(t, "x")
		got, err := opml.Transpose{Shape: shape, Perm: perm}.Apply(x)
		if err != nil {
			t.Fatal(err)
		}
		out := make([]int, rank)
		for d := range out {
			out[d] = shape[perm[d]]
		}
		want := make([]int8, len(x))
		for i, v := range x { // scatter each input element to its place
			j := unflat(i, shape)
			o := make([]int, rank)
			for d := range o {
				o[d] = j[perm[d]]
			}
			want[flat(o, out)] = v
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Transpose %v %v: got %v want %v", shape, perm, got, want)
		}
	})
}

func TestOPML_KERNEL_SLICE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		shape := genShape(rapid.IntRange(1, 4).Draw(t, "rank")).Draw(t, "shape")
		axis := rapid.IntRange(0, len(shape)-1).Draw(t, "axis")
		begin := rapid.IntRange(0, shape[axis]-1).Draw(t, "begin")
		end := rapid.IntRange(begin+1, shape[axis]).Draw(t, "end")
		x := genInt8s(prod(shape)).Draw(t, "x")
		got, err := opml.Slice{Shape: shape, Axis: axis, Begin: begin, End: end}.Apply(x)
		if err != nil {
			t.Fatal(err)
		}
		var want []int8
		for i, v := range x { // input order is output order for the kept ones
			if j := unflat(i, shape)[axis]; j >= begin && j < end {
				want = append(want, v)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Slice %v axis %d [%d,%d): got %v want %v", shape, axis, begin, end, got, want)
		}
	})
}

func TestOPML_KERNEL_CONCAT(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		sa := genShape(rapid.IntRange(1, 4).Draw(t, "rank")).Draw(t, "shapeA")
		axis := rapid.IntRange(0, len(sa)-1).Draw(t, "axis")
		sb := slices.Clone(sa)
		sb[axis] = rapid.IntRange(1, 4).Draw(t, "nb")
		a, b := genInt8s(prod(sa)).Draw(t, "a"), genInt8s(prod(sb)).Draw(t, "b")
		got, err := opml.Concat{ShapeA: sa, ShapeB: sb, Axis: axis}.Apply(a, b)
		if err != nil {
			t.Fatal(err)
		}
		so := slices.Clone(sa)
		so[axis] += sb[axis]
		want := make([]int8, prod(so))
		for i := range want {
			o := unflat(i, so)
			if o[axis] < sa[axis] {
				want[i] = a[flat(o, sa)]
			} else {
				o[axis] -= sa[axis]
				want[i] = b[flat(o, sb)]
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Concat %v %v axis %d: got %v want %v", sa, sb, axis, got, want)
		}
	})
}

func TestOPML_KERNEL_GATHER(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.Gather{V: rapid.IntRange(1, 6).Draw(t, "V"), D: rapid.IntRange(1, 5).Draw(t, "D")}
		table := genInt8s(k.V*k.D).Draw(t, "table")
		idx := rapid.SliceOfN(rapid.OneOf(rapid.Int32Range(-2, int32(k.V)+1), genInt32()), 1, 8).Draw(t, "idx")
		got, err := k.Apply(table, idx)
		if err != nil {
			t.Fatal(err)
		}
		var want []int8
		for _, j := range idx {
			row := int64(j)
			row = max(0, min(row, int64(k.V-1)))
			want = append(want, table[int(row)*k.D:int(row+1)*k.D]...)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Gather %+v idx %v: got %v want %v", k, idx, got, want)
		}
	})
}

func TestOPML_KERNEL_MUL(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.Mul{Len: rapid.IntRange(1, 30).Draw(t, "len"), ZeroA: genZero().Draw(t, "za"),
			ZeroB: genZero().Draw(t, "zb"), ZeroY: genZero().Draw(t, "zy"), Out: genFixed().Draw(t, "out")}
		a, b := genInt8s(k.Len).Draw(t, "a"), genInt8s(k.Len).Draw(t, "b")
		got, err := k.Apply(a, b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			p := (int64(a[i]) - int64(k.ZeroA)) * (int64(b[i]) - int64(k.ZeroB))
			if want := refRequant(p, k.Out, k.ZeroY); got[i] != want {
				t.Fatalf("Mul %+v a=%d b=%d: got %d want %d", k, a[i], b[i], got[i], want)
			}
		}
	})
}

func TestOPML_KERNEL_RESIDUAL(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(1, 30).Draw(t, "len")
		a, b := rapid.SliceOfN(genInt32(), n, n).Draw(t, "a"), rapid.SliceOfN(genInt32(), n, n).Draw(t, "b")
		got, err := opml.ResidualAdd{Len: n}.Apply(a, b)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if want := refSat32(new(big.Int).Add(big.NewInt(int64(a[i])), big.NewInt(int64(b[i])))); got[i] != want {
				t.Fatalf("ResidualAdd %d+%d: got %d want %d", a[i], b[i], got[i], want)
			}
		}
	})
}

// refSoftmax is §3.15 in math/big.
func refSoftmax(k opml.Softmax, x []int32) []int8 {
	var y []int8
	for r := 0; r < k.Rows; r++ {
		row := x[r*k.K : (r+1)*k.K]
		top := slices.Max(row)
		e := make([]*big.Int, k.K)
		sum := new(big.Int)
		for j, v := range row {
			q := big.NewInt(int64(v) - int64(top))
			z := new(big.Int).Div(new(big.Int).Neg(q), big.NewInt(int64(k.QLn2))) // Euclidean = floor for q <= 0
			p := new(big.Int).Add(q, new(big.Int).Mul(z, big.NewInt(int64(k.QLn2))))
			p.Add(p, big.NewInt(int64(k.QB)))
			v := new(big.Int).Add(new(big.Int).Mul(p, p), big.NewInt(int64(k.QC)))
			e[j] = new(big.Int).Rsh(v, uint(z.Uint64())) // floor division by 2^z, 0 when large
			sum.Add(sum, e[j])
		}
		for j := range row {
			num := new(big.Int).Lsh(e[j], uint(k.OutShift))
			y = append(y, refSat(new(big.Int).Add(bigRoundDiv(num, sum), big.NewInt(int64(k.ZeroY)))))
		}
	}
	return y
}

func genSoftmax(t *rapid.T) opml.Softmax {
	pick := func(lo, hi int32, name string) int32 {
		return rapid.OneOf(rapid.SampledFrom([]int32{lo, hi}), rapid.Int32Range(lo, min(hi, lo+64)), rapid.Int32Range(lo, hi)).Draw(t, name)
	}
	// K a power of two and a small OutShift often, so that rows of equal
	// values make RoundDiv(2^OutShift, K) an exact tie.
	return opml.Softmax{Rows: rapid.IntRange(1, 4).Draw(t, "rows"), K: rapid.OneOf(rapid.SampledFrom([]int{2, 4, 8}), rapid.IntRange(1, 12)).Draw(t, "K"),
		QLn2: pick(1, opml.MaxSoftmaxConst, "qln2"), QB: pick(1, opml.MaxSoftmaxConst, "qb"),
		QC:       rapid.OneOf(rapid.SampledFrom([]int32{0, 1, math.MaxInt32}), rapid.Int32Range(0, 1000), rapid.Int32Range(0, math.MaxInt32)).Draw(t, "qc"),
		OutShift: rapid.OneOf(rapid.Int32Range(0, 2), rapid.Int32Range(0, opml.MaxSoftmaxShift)).Draw(t, "outShift"), ZeroY: genZero().Draw(t, "zy")}
}

func TestOPML_KERNEL_SOFTMAX(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := genSoftmax(t)
		if rapid.Bool().Draw(t, "int32") {
			x := rapid.SliceOfN(genInt32(), k.Rows*k.K, k.Rows*k.K).Draw(t, "x")
			got, err := k.Apply32(x)
			if err != nil {
				t.Fatal(err)
			}
			if want := refSoftmax(k, x); !slices.Equal(got, want) {
				t.Fatalf("Softmax %+v x %v\n got %v\nwant %v", k, x, got, want)
			}
			return
		}
		var x8 []int8
		for range k.Rows {
			x8 = append(x8, genRow(k.K).Draw(t, "row")...)
		}
		got, err := k.Apply(x8)
		if err != nil {
			t.Fatal(err)
		}
		x := make([]int32, len(x8))
		for i, v := range x8 {
			x[i] = int32(v)
		}
		if want := refSoftmax(k, x); !slices.Equal(got, want) {
			t.Fatalf("Softmax %+v x %v\n got %v\nwant %v", k, x8, got, want)
		}
	})
}

// TestOPML_KERNEL_SOFTMAX_Ties: a row of K equal values gives each element
// RoundDiv(2^OutShift, K): with OutShift 0 and K = 2 that is the tie 1/2,
// rounded away from zero to 1.
func TestOPML_KERNEL_SOFTMAX_Ties(t *testing.T) {
	k := opml.Softmax{Rows: 1, K: 2, QLn2: 11, QB: 21, QC: 245}
	got, err := k.Apply([]int8{-128, -128})
	if err != nil || !slices.Equal(got, []int8{1, 1}) {
		t.Fatalf("got %v %v, want [1 1]", got, err)
	}
}

// TestOPML_KERNEL_LAYERNORM_Ties: both roundings of §3.16 tie away from
// zero. Row [1, 0, 0, 0] with eps 1: s = 1, c = [3, −1, −1, −1], Q = 12,
// r = ISqrt(3 + 1) = 2, so n = RoundDiv(c, 2) = [2, −1, −1, −1] (1.5 and
// −0.5); with gamma 1, beta 1 and shift 1, RoundShift(n + 1, 1) =
// [2, 0, 0, 0] (1.5 → 2, 0/2 = 0).
func TestOPML_KERNEL_LAYERNORM_Ties(t *testing.T) {
	k := opml.LayerNorm{Rows: 1, D: 4, Eps: 1}
	got, err := k.Apply([]int8{1, 0, 0, 0}, []int32{1, 1, 1, 1}, []int32{0, 0, 0, 0})
	if err != nil || !slices.Equal(got, []int8{2, -1, -1, -1}) {
		t.Fatalf("RoundDiv ties: got %v %v, want [2 -1 -1 -1]", got, err)
	}
	k.Shift = 1
	got, _ = k.Apply([]int8{1, 0, 0, 0}, []int32{1, 1, 1, 1}, []int32{1, 1, 1, 1})
	if !slices.Equal(got, []int8{2, 0, 0, 0}) {
		t.Fatalf("RoundShift ties: got %v, want [2 0 0 0]", got)
	}
}

func TestOPML_ARITH_ISQRT(t *testing.T) {
	for _, n := range []int64{0, 1, 2, 3, 4, 15, 16, 17, 1<<62 - 1, 1 << 52, (1 << 26) * (1 << 26), (1<<26)*(1<<26) - 1} {
		if got, want := opml.ISqrt(n), new(big.Int).Sqrt(big.NewInt(n)).Int64(); got != want {
			t.Fatalf("ISqrt(%d) = %d, want %d", n, got, want)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.OneOf(rapid.Int64Range(0, 1<<62-1), rapid.Int64Range(0, 1000)).Draw(t, "n")
		if got, want := opml.ISqrt(n), new(big.Int).Sqrt(big.NewInt(n)).Int64(); got != want {
			t.Fatalf("ISqrt(%d) = %d, want %d", n, got, want)
		}
		s := rapid.Int64Range(1, 1<<31-1).Draw(t, "s") // perfect squares and their neighbours
		for _, m := range []int64{s*s - 1, s * s, s*s + 1} {
			if got, want := opml.ISqrt(m), new(big.Int).Sqrt(big.NewInt(m)).Int64(); got != want {
				t.Fatalf("ISqrt(%d) = %d, want %d", m, got, want)
			}
		}
	})
}

// refLayerNorm is §3.16 in math/big, with big.Int.Sqrt for the root.
func refLayerNorm(k opml.LayerNorm, x []int8, gamma, beta []int32) []int8 {
	var y []int8
	d := big.NewInt(int64(k.D))
	for r := 0; r < k.Rows; r++ {
		row := x[r*k.D : (r+1)*k.D]
		s := new(big.Int)
		for _, v := range row {
			s.Add(s, big.NewInt(int64(v)))
		}
		c := make([]*big.Int, k.D)
		q := new(big.Int)
		for i, v := range row {
			c[i] = new(big.Int).Sub(new(big.Int).Mul(d, big.NewInt(int64(v))), s)
			q.Add(q, new(big.Int).Mul(c[i], c[i]))
		}
		v := new(big.Int).Div(q, d)
		root := new(big.Int).Sqrt(v.Add(v, big.NewInt(int64(k.Eps))))
		for i := range row {
			n := new(big.Int)
			if root.Sign() > 0 {
				n = bigRoundDiv(new(big.Int).Lsh(c[i], uint(k.Frac)), root)
			}
			acc := new(big.Int).Add(new(big.Int).Mul(n, big.NewInt(int64(gamma[i]))), big.NewInt(int64(beta[i])))
			rs := refRoundShift(acc, uint(k.Shift))
			y = append(y, refSat(rs.Add(rs, big.NewInt(int64(k.ZeroY)))))
		}
	}
	return y
}

func TestOPML_KERNEL_LAYERNORM(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.LayerNorm{Rows: rapid.IntRange(1, 3).Draw(t, "rows"),
			D:     rapid.OneOf(rapid.IntRange(1, 16), rapid.Just(opml.MaxLayerNormDim)).Draw(t, "D"),
			Eps:   rapid.OneOf(rapid.SampledFrom([]int32{0, 1, opml.MaxLayerNormEps}), rapid.Int32Range(0, 1000)).Draw(t, "eps"),
			Frac:  rapid.Int32Range(0, opml.MaxLayerNormFrac).Draw(t, "frac"),
			Shift: rapid.OneOf(rapid.SampledFrom([]int32{0, 62}), rapid.Int32Range(0, 40)).Draw(t, "shift"),
			ZeroX: genZero().Draw(t, "zx"), ZeroY: genZero().Draw(t, "zy")}
		var x []int8
		for range k.Rows {
			x = append(x, genRow(k.D).Draw(t, "row")...)
		}
		gamma := rapid.SliceOfN(genInt32(), k.D, k.D).Draw(t, "gamma")
		beta := rapid.SliceOfN(genInt32(), k.D, k.D).Draw(t, "beta")
		got, err := k.Apply(x, gamma, beta)
		if err != nil {
			t.Fatal(err)
		}
		if want := refLayerNorm(k, x, gamma, beta); !slices.Equal(got, want) {
			t.Fatalf("LayerNorm %+v\n got %v\nwant %v", k, got, want)
		}
	})
}

// refGELU is §3.17 in math/big.
func refGELU(k opml.GELU, x int8) int8 {
	q := int64(x) - int64(k.ZeroX)
	a := q
	if a < 0 {
		a = -a
	}
	a = min(a, int64(k.B))
	d := big.NewInt(a - int64(k.B))
	l := new(big.Int).Sub(big.NewInt(int64(k.C)), new(big.Int).Mul(d, d))
	l.Mul(l, big.NewInt(int64(cmpSign(q))))
	e := new(big.Int).Mul(big.NewInt(q), l.Add(l, big.NewInt(int64(k.One))))
	r := refRoundShift(e.Mul(e, big.NewInt(int64(k.Out.Mult))), uint(31+k.Out.Shift))
	return refSat(r.Add(r, big.NewInt(int64(k.ZeroY))))
}

func cmpSign(v int64) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}

func genGELU(t *rapid.T, n int) opml.GELU {
	pick := func(hi int32, name string) int32 {
		return rapid.OneOf(rapid.SampledFrom([]int32{1, hi}), rapid.Int32Range(1, hi)).Draw(t, name)
	}
	return opml.GELU{Len: n, B: pick(opml.MaxGELUClip, "b"), C: pick(opml.MaxGELUConst, "c"), One: pick(opml.MaxGELUOne, "one"),
		Out: genFixed().Draw(t, "out"), ZeroX: genZero().Draw(t, "zx"), ZeroY: genZero().Draw(t, "zy")}
}

func TestOPML_KERNEL_GELU(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		x := genInt8s(rapid.IntRange(1, 40).Draw(t, "len")).Draw(t, "x")
		k := genGELU(t, len(x))
		got, err := k.Apply(x)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			if want := refGELU(k, v); got[i] != want {
				t.Fatalf("GELU %+v x=%d: got %d want %d", k, v, got[i], want)
			}
		}
	})
}

// refTransformer computes a transformer node of m with the references
// above from the canonical bytes of its operands (for TestOPML_EXEC's
// refRun); ok is false for the other ops. Layout ops are computed on int8
// operands (genModel draws only those; TestOPML_EXEC_Transformer covers
// int32).
func refTransformer(m opml.Model, n opml.Node, vals [][]byte) ([]byte, bool) {
	ts, x, y := m.Tensors, m.Tensors[n.Inputs[0]], m.Tensors[n.Output]
	i8 := func(i int) []int8 { return opml.Tensor{Data: vals[n.Inputs[i]]}.Int8s() }
	i32 := func(i int) []int32 { return opml.Tensor{Data: vals[n.Inputs[i]]}.Int32s() }
	p := n.Params
	switch n.Op {
	case opml.OpMatMul:
		w := ts[n.Inputs[1]]
		k := opml.MatMul{Batch: 1, N: x.Shape[0], K: x.Shape[1], M: y.Shape[1], TransB: p[0] == 1, SharedB: true,
			ZeroA: x.Quant.Zero, ZeroB: w.Quant.Zero, ZeroY: y.Quant.Zero}
		return opml.Int8Bytes(refMatMul(k, i8(0), i8(1), i32(2))), true
	case opml.OpTranspose:
		in := i8(0)
		out := make([]int8, len(in))
		for i, v := range in {
			j := unflat(i, x.Shape)
			o := make([]int, len(j))
			for d := range o {
				o[d] = j[p[d]]
			}
			out[flat(o, y.Shape)] = v
		}
		return opml.Int8Bytes(out), true
	case opml.OpSlice:
		var out []int8
		for i, v := range i8(0) {
			if j := unflat(i, x.Shape)[p[0]]; j >= int(p[1]) && j < int(p[2]) {
				out = append(out, v)
			}
		}
		return opml.Int8Bytes(out), true
	case opml.OpConcat:
		a, b, bs, axis := i8(0), i8(1), ts[n.Inputs[1]].Shape, int(p[0])
		out := make([]int8, len(a)+len(b))
		for i := range out {
			o := unflat(i, y.Shape)
			if o[axis] < x.Shape[axis] {
				out[i] = a[flat(o, x.Shape)]
			} else {
				o[axis] -= x.Shape[axis]
				out[i] = b[flat(o, bs)]
			}
		}
		return opml.Int8Bytes(out), true
	case opml.OpMul:
		a, b, zb := i8(0), i8(1), ts[n.Inputs[1]].Quant.Zero
		out := make([]int8, len(a))
		for i := range a {
			out[i] = refRequant((int64(a[i])-int64(x.Quant.Zero))*(int64(b[i])-int64(zb)), opml.Fixed{Mult: p[0], Shift: p[1]}, y.Quant.Zero)
		}
		return opml.Int8Bytes(out), true
	case opml.OpSoftmax:
		d := x.Shape[len(x.Shape)-1]
		k := opml.Softmax{Rows: x.Elements() / d, K: d, QLn2: p[0], QB: p[1], QC: p[2], OutShift: p[3], ZeroY: y.Quant.Zero}
		var in []int32
		for _, v := range i8(0) {
			in = append(in, int32(v))
		}
		return opml.Int8Bytes(refSoftmax(k, in)), true
	case opml.OpLayerNorm:
		d := x.Shape[len(x.Shape)-1]
		k := opml.LayerNorm{Rows: x.Elements() / d, D: d, Eps: p[0], Frac: p[1], Shift: p[2], ZeroX: x.Quant.Zero, ZeroY: y.Quant.Zero}
		return opml.Int8Bytes(refLayerNorm(k, i8(0), i32(1), i32(2))), true
	case opml.OpGELU:
		k := opml.GELU{Len: x.Elements(), B: p[0], C: p[1], One: p[2], Out: opml.Fixed{Mult: p[3], Shift: p[4]}, ZeroX: x.Quant.Zero, ZeroY: y.Quant.Zero}
		var out []int8
		for _, v := range i8(0) {
			out = append(out, refGELU(k, v))
		}
		return opml.Int8Bytes(out), true
	}
	return nil, false
}
