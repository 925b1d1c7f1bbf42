package opml_test

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/ibert"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// transformerBlock builds a small attention block that uses every
// transformer op: token ids → Gather (embedding) → LayerNorm → MatMul
// (Q, K, V projections, one with a transposed weight) → MatMul Q·Kᵀ →
// Softmax → MatMul P·V → Slice/Concat (swap the halves of D) → Transpose
// there and back → Mul → GELU; and beside it int32 Gathers added by a
// ResidualAdd and fed to an int32 Softmax. T tokens, width D, vocabulary V.
func transformerBlock(seed uint64) (opml.Model, error) {
	const T, D, V = 4, 8, 16
	r := rand.New(rand.NewPCG(seed, 18))
	i8s := func(n int) []int8 {
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(r.IntN(256) - 128)
		}
		return v
	}
	i32s := func(n int, span int) []int32 {
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(r.IntN(2*span+1) - span)
		}
		return v
	}
	requant := func(m int) []int32 {
		var v []int32
		for range m {
			f := ibert.Fixed(float64(1+r.IntN(8)) / 4096)
			v = append(v, int32(r.IntN(2001)-1000), f.Mult, f.Shift)
		}
		return v
	}
	s16 := opml.Quant{Scale: ibert.Fixed(1.0 / 16)}
	var b opml.Builder
	emb := b.Int8Const([]int{V, D}, s16, i8s(V*D))
	emb32 := b.Int32Const([]int{V, D}, opml.Fixed{}, i32s(V*D, 1<<30))
	gamma := b.Int32Const([]int{D}, opml.Fixed{}, i32s(D, 1<<12))
	beta := b.Int32Const([]int{D}, opml.Fixed{}, i32s(D, 1<<20))
	wq := b.Int8Const([]int{D, D}, opml.Quant{}, i8s(D*D))
	wk := b.Int8Const([]int{D, D}, opml.Quant{Zero: 3}, i8s(D*D))
	wv := b.Int8Const([]int{D, D}, opml.Quant{}, i8s(D*D))
	rq := b.Int32Const([]int{D, 3}, opml.Fixed{}, requant(D))
	rk := b.Int32Const([]int{D, 3}, opml.Fixed{}, requant(D))
	rv := b.Int32Const([]int{D, 3}, opml.Fixed{}, requant(D))
	rs := b.Int32Const([]int{T, 3}, opml.Fixed{}, requant(T))
	ro := b.Int32Const([]int{D, 3}, opml.Fixed{}, requant(D))
	tok := b.Input(opml.Int32, []int{1, T}, opml.Quant{})
	x := b.Gather(emb, tok)
	x = b.LayerNorm(x, gamma, beta, opml.LayerNorm{Eps: 1, Frac: 8, Shift: 14}, s16)
	q := b.MatMul(x, wq, rq, false, s16)
	k := b.MatMul(x, wk, rk, true, s16)
	v := b.MatMul(x, wv, rv, false, s16)
	sc := b.MatMul(q, k, rs, true, s16)
	p := b.Softmax(sc, ibert.Softmax(1.0/16, 8), opml.Quant{Zero: -128, Scale: ibert.Fixed(1.0 / 256)})
	a := b.MatMul(p, v, ro, false, s16)
	a = b.Concat(b.Slice(a, 2, D/2, D), b.Slice(a, 2, 0, D/2), 2)
	a = b.Transpose(b.Transpose(a, []int{0, 2, 1}), []int{0, 2, 1})
	a = b.Mul(a, x, ibert.Fixed(1.0/16), s16)
	g := b.GELU(a, ibert.GELU(1.0/16, 1.0/16), s16)
	res := b.ResidualAdd(b.Gather(emb32, tok), b.Gather(emb32, tok), opml.Quant{})
	sm := b.Softmax(res, ibert.Softmax(1.0/(1<<24), 7), opml.Quant{})
	return b.Build(g, sm)
}

// tokens returns T random token ids, some outside the vocabulary (Gather
// clamps them).
func tokens(seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	v := make([]int32, 4)
	for i := range v {
		v[i] = int32(r.IntN(24) - 4)
	}
	return opml.Int32Bytes(v)
}

// TestOPML_FMT_ENCODE_Transformer: a model using every transformer op
// encodes and decodes to itself (the format keeps version 1: new op codes
// only), runs with the same outputs and commitments on 1 and 3 workers,
// and its work count equals nodevm.NodeWork node by node
// (OPML-WORK-COST).
func TestOPML_FMT_ENCODE_Transformer(t *testing.T) {
	for seed := range uint64(8) {
		m, err := transformerBlock(seed)
		if err != nil {
			t.Fatal(err)
		}
		enc := opml.Encode(m)
		d, err := opml.Decode(enc)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(opml.Encode(d), enc) || enc[5] != 1 {
			t.Fatalf("seed %d: decode/encode changed the bytes or the version", seed)
		}
		for k := range m.Nodes {
			if got, want := nodevm.NodeWork(m, k), opml.ValidateWork(m, k); got != want {
				t.Fatalf("node %d (%s): nodevm.NodeWork %d, Validate %d", k, m.Nodes[k].Op, got, want)
			}
		}
		e1, _ := opml.NewExecutor(m, 1)
		e3, _ := opml.NewExecutor(m, 3)
		t1, err := e1.Trace(tokens(seed))
		if err != nil {
			t.Fatal(err)
		}
		t3, _ := e3.Trace(tokens(seed))
		for k := range t1.States {
			if t1.States[k] != t3.States[k] {
				t.Fatalf("seed %d node %d: 1 and 3 workers differ", seed, k)
			}
		}
	}
}

// TestOPML_FMT_REJECT_Transformer: each transformer op's validation
// refuses out-of-range parameters and mismatched operands with the code
// of §4.4.
func TestOPML_FMT_REJECT_Transformer(t *testing.T) {
	base, err := transformerBlock(0)
	if err != nil {
		t.Fatal(err)
	}
	find := func(m opml.Model, op opml.Op) int {
		for k, n := range m.Nodes {
			if n.Op == op {
				return k
			}
		}
		t.Fatalf("no %s node", op)
		return -1
	}
	cases := []struct {
		name string
		op   opml.Op
		edit func(n *opml.Node)
		code opml.FormatCode
	}{
		{"matmul transB 2", opml.OpMatMul, func(n *opml.Node) { n.Params[0] = 2 }, opml.CodeBadParam},
		{"matmul table", opml.OpMatMul, func(n *opml.Node) { n.Inputs[2] = 0 }, opml.CodeBadDType},
		{"transpose repeat", opml.OpTranspose, func(n *opml.Node) { n.Params[1] = 0 }, opml.CodeBadParam},
		{"transpose past rank", opml.OpTranspose, func(n *opml.Node) { n.Params[3] = 2 }, opml.CodeBadParam},
		{"slice empty", opml.OpSlice, func(n *opml.Node) { n.Params[2] = n.Params[1] }, opml.CodeBadParam},
		{"slice axis", opml.OpSlice, func(n *opml.Node) { n.Params[0] = 3 }, opml.CodeBadParam},
		{"concat axis", opml.OpConcat, func(n *opml.Node) { n.Params[0] = -1 }, opml.CodeBadParam},
		{"gather indices int8", opml.OpGather, func(n *opml.Node) { n.Inputs[1] = 0 }, opml.CodeBadDType},
		{"mul shift", opml.OpMul, func(n *opml.Node) { n.Params[1] = 32 }, opml.CodeBadParam},
		{"softmax qln2 0", opml.OpSoftmax, func(n *opml.Node) { n.Params[0] = 0 }, opml.CodeBadParam},
		{"softmax outShift 17", opml.OpSoftmax, func(n *opml.Node) { n.Params[3] = 17 }, opml.CodeBadParam},
		{"layernorm frac 17", opml.OpLayerNorm, func(n *opml.Node) { n.Params[1] = 17 }, opml.CodeBadParam},
		{"layernorm eps", opml.OpLayerNorm, func(n *opml.Node) { n.Params[0] = -1 }, opml.CodeBadParam},
		{"gelu clip 0", opml.OpGELU, func(n *opml.Node) { n.Params[0] = 0 }, opml.CodeBadParam},
		{"gelu one", opml.OpGELU, func(n *opml.Node) { n.Params[2] = opml.MaxGELUOne + 1 }, opml.CodeBadParam},
		{"residual int8", opml.OpResidualAdd, func(n *opml.Node) { n.Inputs[0] = 0 }, opml.CodeBadDType},
	}
	for _, c := range cases {
		m, _ := transformerBlock(0)
		k := find(m, c.op)
		c.edit(&m.Nodes[k])
		_, err := opml.Decode(opml.Encode(m))
		var fe *opml.FormatError
		if !errors.As(err, &fe) || fe.Code != c.code {
			t.Errorf("%s: %v, want code %s", c.name, err, c.code)
		}
	}
	// A constant requantization table must hold valid multipliers.
	m := base
	m.Tensors = append([]opml.Tensor(nil), base.Tensors...)
	rq := m.Nodes[find(m, opml.OpMatMul)].Inputs[2]
	data := append([]byte(nil), m.Tensors[rq].Data...)
	data[4], data[5], data[6], data[7] = 0xff, 0xff, 0xff, 0xff // row 0 multiplier −1
	m.Tensors[rq].Data = data
	var fe *opml.FormatError
	if _, err := opml.Decode(opml.Encode(m)); !errors.As(err, &fe) || fe.Code != opml.CodeBadParam {
		t.Errorf("negative constant multiplier: %v, want bad parameter", err)
	}
}
