package opml_test

import (
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// Each kernel against a reference written as plain loops over int64 with
// big.Int requantization (gen_test.go), on random shapes and values biased
// towards the edges: −128/127 operands, extreme zero points, biases that
// make the int32 accumulator wrap, multipliers that saturate and ties.

// refFC is the FC formula of docs/opml.md.
func refFC(k opml.FC, x, w []int8, b []int32) []int8 {
	y := make([]int8, k.N*k.M)
	for n := 0; n < k.N; n++ {
		for m := 0; m < k.M; m++ {
			acc := int64(b[m])
			for j := 0; j < k.K; j++ {
				acc += (int64(x[n*k.K+j]) - int64(k.ZeroX)) * (int64(w[m*k.K+j]) - int64(k.ZeroW))
			}
			y[n*k.M+m] = refRequant(wrap32(acc), k.Out, k.ZeroY)
		}
	}
	return y
}

func TestOPML_KERNEL_FC_MatMul(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.FC{N: rapid.IntRange(1, 4).Draw(t, "N"), K: rapid.IntRange(1, 40).Draw(t, "K"),
			M: rapid.IntRange(1, 6).Draw(t, "M"), ZeroX: genZero().Draw(t, "zx"), ZeroW: genZero().Draw(t, "zw"),
			ZeroY: genZero().Draw(t, "zy"), Out: genFixed().Draw(t, "out")}
		x, w := genInt8s(k.N*k.K).Draw(t, "x"), genInt8s(k.M*k.K).Draw(t, "w")
		b := rapid.SliceOfN(genBias(), k.M, k.M).Draw(t, "b")
		got, err := k.Apply(x, w, b)
		if err != nil {
			t.Fatal(err)
		}
		if want := refFC(k, x, w, b); !slices.Equal(got, want) {
			t.Fatalf("FC %+v\n got %v\nwant %v", k, got, want)
		}
	})
}

// refConv2D pads the input explicitly with ZeroX, then slides the filter.
func refConv2D(k opml.Conv2D, x, f []int8, b []int32) []int8 {
	var y []int8
	for i, s := range refConv2DSums(k, x, f) {
		y = append(y, refRequant(wrap32(int64(b[i%k.OC])+s), k.Out, k.ZeroY))
	}
	return y
}

// refConv2DSums returns, per output element, the exact sum of products of
// §3.2 (without the bias), over the explicitly padded input.
func refConv2DSums(k opml.Conv2D, x, f []int8) []int64 {
	w := k.Win
	ph, pw := k.H+w.PadTop+w.PadBottom, k.W+w.PadLeft+w.PadRight
	pad := make([]int64, k.N*ph*pw*k.C)
	for i := range pad {
		pad[i] = int64(k.ZeroX)
	}
	for n := 0; n < k.N; n++ {
		for h := 0; h < k.H; h++ {
			for c := 0; c < k.W; c++ {
				for ch := 0; ch < k.C; ch++ {
					pad[((n*ph+h+w.PadTop)*pw+c+w.PadLeft)*k.C+ch] = int64(x[((n*k.H+h)*k.W+c)*k.C+ch])
				}
			}
		}
	}
	oh, ow := (ph-w.KH)/w.StrideH+1, (pw-w.KW)/w.StrideW+1
	var y []int64
	for n := 0; n < k.N; n++ {
		for r := 0; r < oh; r++ {
			for c := 0; c < ow; c++ {
				for oc := 0; oc < k.OC; oc++ {
					var acc int64
					for kh := 0; kh < w.KH; kh++ {
						for kw := 0; kw < w.KW; kw++ {
							for ch := 0; ch < k.C; ch++ {
								xv := pad[((n*ph+r*w.StrideH+kh)*pw+c*w.StrideW+kw)*k.C+ch]
								fv := int64(f[((oc*w.KH+kh)*w.KW+kw)*k.C+ch])
								acc += (xv - int64(k.ZeroX)) * (fv - int64(k.ZeroF))
							}
						}
					}
					y = append(y, acc)
				}
			}
		}
	}
	return y
}

// genWindow draws a valid window for an h×w image.
func genWindow(t *rapid.T, h, w int) opml.Window {
	kh, kw := rapid.IntRange(1, min(h+1, 4)).Draw(t, "KH"), rapid.IntRange(1, min(w+1, 4)).Draw(t, "KW")
	win := opml.Window{KH: kh, KW: kw, StrideH: rapid.IntRange(1, 3).Draw(t, "SH"), StrideW: rapid.IntRange(1, 3).Draw(t, "SW"),
		PadTop: rapid.IntRange(0, kh-1).Draw(t, "PT"), PadLeft: rapid.IntRange(0, kw-1).Draw(t, "PL"),
		PadBottom: rapid.IntRange(0, kh-1).Draw(t, "PB"), PadRight: rapid.IntRange(0, kw-1).Draw(t, "PR")}
	if _, _, ok := win.OutDims(h, w); !ok {
		t.Skip("window larger than the padded image")
	}
	return win
}

// genConv2D draws a Conv2D of images up to hw×hw with up to c channels,
// its input, filter and bias, edge-biased.
func genConv2D(t *rapid.T, hw, c int) (k opml.Conv2D, x, f []int8, b []int32) {
	k = opml.Conv2D{N: rapid.IntRange(1, 2).Draw(t, "N"), H: rapid.IntRange(1, hw).Draw(t, "H"),
		W: rapid.IntRange(1, hw).Draw(t, "W"), C: rapid.IntRange(1, c).Draw(t, "C"), OC: rapid.IntRange(1, 3).Draw(t, "OC"),
		ZeroX: genZero().Draw(t, "zx"), ZeroF: genZero().Draw(t, "zf"), ZeroY: genZero().Draw(t, "zy"),
		Out: genFixed().Draw(t, "out")}
	k.Win = genWindow(t, k.H, k.W)
	x = genInt8s(k.N*k.H*k.W*k.C).Draw(t, "x")
	f = genInt8s(k.OC*k.Win.KH*k.Win.KW*k.C).Draw(t, "f")
	b = rapid.SliceOfN(genBias(), k.OC, k.OC).Draw(t, "b")
	return k, x, f, b
}

func TestOPML_KERNEL_CONV2D(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k, x, f, b := genConv2D(t, 6, 3)
		got, err := k.Apply(x, f, b)
		if err != nil {
			t.Fatal(err)
		}
		if want := refConv2D(k, x, f, b); !slices.Equal(got, want) {
			t.Fatalf("Conv2D %+v\n got %v\nwant %v", k, got, want)
		}
	})
}

// refAdd is the Add formula with big.Int rounding.
func refAdd(k opml.Add, a, b []int8) []int8 {
	y := make([]int8, k.Len)
	for i := range y {
		s := (int64(a[i])-int64(k.ZeroA))*int64(k.MultA) + (int64(b[i])-int64(k.ZeroB))*int64(k.MultB)
		y[i] = refAddOne(s, k)
	}
	return y
}

// refAddOne rounds one Add sum s (already multiplied) by 2^(31+Shift) and
// adds the zero point: refRequant with multiplier 1.
func refAddOne(s int64, k opml.Add) int8 {
	return refRequant(s, opml.Fixed{Mult: 1, Shift: k.Shift}, k.ZeroY)
}

func TestOPML_KERNEL_ADD(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		fa, fb := genFixed().Draw(t, "a"), genFixed().Draw(t, "b")
		k := opml.Add{Len: rapid.IntRange(1, 40).Draw(t, "len"), ZeroA: genZero().Draw(t, "za"),
			ZeroB: genZero().Draw(t, "zb"), ZeroY: genZero().Draw(t, "zy"), MultA: fa.Mult, MultB: fb.Mult, Shift: fa.Shift}
		a, b := genInt8s(k.Len).Draw(t, "A"), genInt8s(k.Len).Draw(t, "B")
		got, err := k.Apply(a, b)
		if err != nil {
			t.Fatal(err)
		}
		if want := refAdd(k, a, b); !slices.Equal(got, want) {
			t.Fatalf("Add %+v\n got %v\nwant %v", k, got, want)
		}
	})
}

func TestOPML_KERNEL_RELU(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.ReLU{Len: rapid.IntRange(1, 64).Draw(t, "len"), Zero: genZero().Draw(t, "zero")}
		x := genInt8s(k.Len).Draw(t, "x")
		got, err := k.Apply(x)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range x {
			want := v
			if int32(v) < k.Zero {
				want = int8(k.Zero)
			}
			if got[i] != want {
				t.Fatalf("ReLU zero %d: x[%d] = %d gives %d, want %d", k.Zero, i, v, got[i], want)
			}
		}
	})
}

// refMaxPool2D takes the maximum over the real elements of each window,
// starting from the first one found.
func refMaxPool2D(k opml.MaxPool2D, x []int8) []int8 {
	w := k.Win
	oh, ow := (k.H+w.PadTop+w.PadBottom-w.KH)/w.StrideH+1, (k.W+w.PadLeft+w.PadRight-w.KW)/w.StrideW+1
	var y []int8
	for n := 0; n < k.N; n++ {
		for r := 0; r < oh; r++ {
			for c := 0; c < ow; c++ {
				for ch := 0; ch < k.C; ch++ {
					found, best := false, int64(0)
					for ih := r*w.StrideH - w.PadTop; ih < r*w.StrideH-w.PadTop+w.KH; ih++ {
						for iw := c*w.StrideW - w.PadLeft; iw < c*w.StrideW-w.PadLeft+w.KW; iw++ {
							if ih < 0 || iw < 0 || ih >= k.H || iw >= k.W {
								continue
							}
							v := int64(x[((n*k.H+ih)*k.W+iw)*k.C+ch])
							if !found || v > best {
								found, best = true, v
							}
						}
					}
					if !found {
						panic("empty window in a valid MaxPool2D")
					}
					y = append(y, int8(best))
				}
			}
		}
	}
	return y
}

func TestOPML_KERNEL_MAXPOOL2D(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.MaxPool2D{N: rapid.IntRange(1, 2).Draw(t, "N"), H: rapid.IntRange(1, 7).Draw(t, "H"),
			W: rapid.IntRange(1, 7).Draw(t, "W"), C: rapid.IntRange(1, 3).Draw(t, "C")}
		k.Win = genWindow(t, k.H, k.W)
		x := genInt8s(k.N*k.H*k.W*k.C).Draw(t, "x")
		got, err := k.Apply(x)
		if err != nil {
			t.Fatal(err)
		}
		if want := refMaxPool2D(k, x); !slices.Equal(got, want) {
			t.Fatalf("MaxPool2D %+v\n got %v\nwant %v", k, got, want)
		}
	})
}

func TestOPML_KERNEL_ARGMAX(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := opml.ArgMax{Rows: rapid.IntRange(1, 5).Draw(t, "rows"), K: rapid.IntRange(1, 12).Draw(t, "K")}
		// A small value range makes ties common.
		x := rapid.SliceOfN(rapid.OneOf(rapid.Int8Range(-2, 2), genInt8()), k.Rows*k.K, k.Rows*k.K).Draw(t, "x")
		got, err := k.Apply(x)
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < k.Rows; r++ {
			row, want := x[r*k.K:(r+1)*k.K], 0
			for j := 1; j < k.K; j++ {
				if row[j] > row[want] {
					want = j
				}
			}
			if got[r] != int32(want) {
				t.Fatalf("ArgMax row %v = %d, want %d (first maximum)", row, got[r], want)
			}
		}
	})
}

// TestOPML_KERNEL_Errors: Apply rejects arguments that do not fit together
// with *KernelError instead of panicking.
func TestOPML_KERNEL_Errors(t *testing.T) {
	okWin := opml.Window{KH: 2, KW: 2, StrideH: 1, StrideW: 1}
	cases := map[string]func() error{
		"FC short x": func() error {
			_, err := (opml.FC{N: 2, K: 2, M: 1}).Apply(make([]int8, 3), make([]int8, 2), make([]int32, 1))
			return err
		},
		"FC zero dim": func() error {
			_, err := (opml.FC{N: 0, K: 2, M: 1}).Apply(nil, make([]int8, 2), make([]int32, 1))
			return err
		},
		"FC negative dim": func() error { _, err := (opml.FC{N: -1, K: -2, M: 1}).Apply(nil, nil, make([]int32, 1)); return err },
		"FC bad zero": func() error {
			_, err := (opml.FC{N: 1, K: 1, M: 1, ZeroX: 128}).Apply(make([]int8, 1), make([]int8, 1), make([]int32, 1))
			return err
		},
		"FC bad shift": func() error {
			_, err := (opml.FC{N: 1, K: 1, M: 1, Out: opml.Fixed{Shift: 32}}).Apply(make([]int8, 1), make([]int8, 1), make([]int32, 1))
			return err
		},
		"FC huge work": func() error { _, err := (opml.FC{N: 1 << 20, K: 1 << 20, M: 1 << 20}).Apply(nil, nil, nil); return err },
		"Add negative mult": func() error {
			_, err := (opml.Add{Len: 1, MultA: -1}).Apply(make([]int8, 1), make([]int8, 1))
			return err
		},
		"Add length":    func() error { _, err := (opml.Add{Len: 2}).Apply(make([]int8, 2), make([]int8, 1)); return err },
		"ReLU length":   func() error { _, err := (opml.ReLU{Len: 2}).Apply(make([]int8, 1)); return err },
		"ArgMax length": func() error { _, err := (opml.ArgMax{Rows: 2, K: 2}).Apply(make([]int8, 3)); return err },
		"Conv zero stride": func() error {
			_, err := (opml.Conv2D{N: 1, H: 2, W: 2, C: 1, OC: 1, Win: opml.Window{KH: 1, KW: 1}}).Apply(make([]int8, 4), make([]int8, 1), make([]int32, 1))
			return err
		},
		"Conv pad = kernel": func() error {
			w := okWin
			w.PadTop = 2
			_, err := (opml.Conv2D{N: 1, H: 2, W: 2, C: 1, OC: 1, Win: w}).Apply(make([]int8, 4), make([]int8, 4), make([]int32, 1))
			return err
		},
		"Conv window too big": func() error {
			w := opml.Window{KH: 3, KW: 1, StrideH: 1, StrideW: 1}
			_, err := (opml.Conv2D{N: 1, H: 1, W: 1, C: 1, OC: 1, Win: w}).Apply(make([]int8, 1), make([]int8, 3), make([]int32, 1))
			return err
		},
		"Conv huge": func() error {
			_, err := (opml.Conv2D{N: 1 << 24, H: 1 << 24, W: 1 << 24, C: 1 << 24, OC: 1 << 24, Win: okWin}).Apply(nil, nil, nil)
			return err
		},
		"MaxPool filter length": func() error {
			_, err := (opml.MaxPool2D{N: 1, H: 2, W: 2, C: 1, Win: okWin}).Apply(make([]int8, 3))
			return err
		},
		"MaxPool huge": func() error {
			_, err := (opml.MaxPool2D{N: 1 << 24, H: 1 << 24, W: 1 << 24, C: 1 << 24, Win: okWin}).Apply(nil)
			return err
		},
	}
	for name, f := range cases {
		var ke *opml.KernelError
		if err := f(); !errors.As(err, &ke) {
			t.Errorf("%s: got %v, want a *KernelError", name, err)
		}
	}
}
