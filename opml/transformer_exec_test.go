package opml_test

import (
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// TestOPML_EXEC_Transformer: the executor's path for the layout ops, which
// moves int8 and int32 elements alike, equals the multi-index references
// on int32 tensors of edge values (the kernels' Apply covers int8), and a
// Softmax node on an int32 input equals Softmax.Apply32; a Gather from an
// int32 table with edge-value indices reads the clamped rows.
func TestOPML_EXEC_Transformer(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		shape := genShape(rapid.IntRange(2, 4).Draw(t, "rank")).Draw(t, "shape")
		n := prod(shape)
		x := rapid.SliceOfN(genInt32(), n, n).Draw(t, "x")
		var b opml.Builder
		in := b.Input(opml.Int32, shape, opml.Quant{})
		perm := rapid.Permutation([]int{0, 1, 2, 3}[:len(shape)]).Draw(t, "perm")
		axis := rapid.IntRange(0, len(shape)-1).Draw(t, "axis")
		tr := b.Transpose(in, perm)
		sl := b.Slice(in, axis, 0, 1)
		cc := b.Concat(in, sl, axis)
		sm := b.Softmax(in, opml.Softmax{QLn2: 11, QB: 21, QC: 245, OutShift: 8}, opml.Quant{Zero: -128})
		m, err := b.Build(tr, sl, cc, sm)
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := opml.Run(m, opml.Int32Bytes(x))
		if err != nil {
			t.Fatal(err)
		}
		// Transpose: scatter.
		ot := make([]int, len(shape))
		for d := range ot {
			ot[d] = shape[perm[d]]
		}
		wantT := make([]int32, n)
		for i, v := range x {
			j := unflat(i, shape)
			o := make([]int, len(shape))
			for d := range o {
				o[d] = j[perm[d]]
			}
			wantT[flat(o, ot)] = v
		}
		// Slice [0, 1) and Concat(x, slice).
		var wantS []int32
		for i, v := range x {
			if unflat(i, shape)[axis] == 0 {
				wantS = append(wantS, v)
			}
		}
		ss := slices.Clone(shape)
		ss[axis] = 1
		sc := slices.Clone(shape)
		sc[axis]++
		wantC := make([]int32, prod(sc))
		for i := range wantC {
			o := unflat(i, sc)
			if o[axis] < shape[axis] {
				wantC[i] = x[flat(o, shape)]
			} else {
				o[axis] = 0
				wantC[i] = wantS[flat(o, ss)]
			}
		}
		k := opml.Softmax{Rows: n / shape[len(shape)-1], K: shape[len(shape)-1], QLn2: 11, QB: 21, QC: 245, OutShift: 8, ZeroY: -128}
		wantSm, _ := k.Apply32(x)
		if !slices.Equal(out[0].Int32s(), wantT) || !slices.Equal(out[1].Int32s(), wantS) || !slices.Equal(out[2].Int32s(), wantC) || !slices.Equal(out[3].Int8s(), wantSm) {
			t.Fatalf("shape %v perm %v axis %d: executor differs from the references", shape, perm, axis)
		}
	})
}

func TestOPML_EXEC_Transformer_Gather32(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		v, d := rapid.IntRange(1, 5).Draw(t, "V"), rapid.IntRange(1, 4).Draw(t, "D")
		table := rapid.SliceOfN(genInt32(), v*d, v*d).Draw(t, "table")
		idx := rapid.SliceOfN(genInt32(), 1, 6).Draw(t, "idx")
		var b opml.Builder
		tb := b.Int32Const([]int{v, d}, opml.Fixed{}, table)
		ix := b.Input(opml.Int32, []int{len(idx)}, opml.Quant{})
		m, err := b.Build(b.Gather(tb, ix))
		if err != nil {
			t.Fatal(err)
		}
		out, _, err := opml.Run(m, opml.Int32Bytes(idx))
		if err != nil {
			t.Fatal(err)
		}
		var want []int32
		for _, j := range idx {
			row := max(0, min(int64(j), int64(v-1)))
			want = append(want, table[int(row)*d:int(row+1)*d]...)
		}
		if !slices.Equal(out[0].Int32s(), want) {
			t.Fatalf("Gather %v by %v: %v, want %v", table, idx, out[0].Int32s(), want)
		}
	})
}
