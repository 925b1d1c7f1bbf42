package chunk

import (
	"fmt"

	"github.com/opcity-spec/opcity/opml"
)

// This file splits a piece along its inner dimension (docs/opml.md §7.8,
// "The inner dimension"): the piece becomes a chain of accumulating nodes
// (opml's MatMulAcc or Conv2DAcc, §3.20–§3.21) over slices of the inner
// dimension, each carrying the int32 sum so far to the next, and one
// Requantize (§3.22) that finishes it. All the additions wrap mod 2^32 as
// the unsplit kernel's do, so the chain's accumulator is the unsplit one
// (TestOPML_KERNEL_ACC_SplitLaw).
//
//	FullyConnected: MatMulAcc(x[.., K_j], w[.., K_j], transB) from the bias, Requantize by (0, mult, shift)
//	MatMul:         MatMulAcc(a[.., K_j], b[K_j ..]) from 0, Requantize by the node's table r (its bias added there)
//	Conv2D:         Conv2DAcc(x[.., C_j], f[.., C_j]) from the bias, Requantize by (0, mult, shift)

// accOp returns the accumulating op of nd and its params, given the
// params of nd's piece (a Conv2D piece's pads depend on its rows and
// columns).
func (nd node) accOp(params []int32) (opml.Op, []int32) {
	switch nd.op {
	case opml.OpFullyConnected:
		return opml.OpMatMulAcc, []int32{1} // w [M, K] is MatMul's transposed b
	case opml.OpMatMul:
		return opml.OpMatMulAcc, []int32{params[0]}
	}
	return opml.OpConv2DAcc, append([]int32(nil), params[2:8]...)
}

// requantizeModel returns the one-node model of the Requantize that
// finishes a chain whose piece has output declaration out and whose
// operand 2 (bias or table) is declared as third.
func (nd node) requantizeModel(out, third opml.Tensor) opml.Model {
	table := opml.Tensor{DType: opml.Int32, Shape: []int{1, 3}}
	if nd.op == opml.OpMatMul {
		table = decl(third)
	}
	acc := opml.Tensor{DType: opml.Int32, Shape: append([]int(nil), out.Shape...)}
	return opml.Model{Tensors: []opml.Tensor{acc, table, decl(out)},
		Nodes: []opml.Node{{Op: opml.OpRequantize, Inputs: []int{0, 1}, Output: 2}}}
}

// chain makes the piece of nd with operand spans spans, params params and
// output declaration out as p = ⌈innerLen/size⌉ accumulating nodes over
// the inner ranges [j·L/p, (j+1)·L/p) and a Requantize, and returns the
// ref of the Requantize's output.
func (g *graph) chain(nd node, operands []ref, spans [][]span, params []int32, out opml.Tensor, size int) ref {
	m := out.Shape[len(out.Shape)-1]
	var carry, table ref
	if nd.op == opml.OpMatMul {
		carry = g.memoConst(fmt.Sprint("zero", m), opml.Tensor{DType: opml.Int32, Shape: []int{m}, Data: make([]byte, 4*m)})
		table = g.slice(operands[2], spans[2], nd.k)
	} else {
		carry = g.slice(operands[2], spans[2], nd.k) // the bias of the piece's channels
		row := opml.Int32Bytes([]int32{0, params[0], params[1]})
		table = g.memoConst(fmt.Sprint("row", nd.k), opml.Tensor{DType: opml.Int32, Shape: []int{1, 3}, Data: row})
	}
	op, accParams := nd.accOp(params)
	l := nd.innerLen
	p := (l + size - 1) / size
	for j := range p {
		lo, hi := j*l/p, (j+1)*l/p
		in := make([]ref, 3)
		in[2] = carry
		for o := range 2 {
			s := append(append([]span(nil), spans[o]...), span{nd.inner[o].Axis, lo, hi})
			in[o] = g.slice(operands[o], s, nd.k)
		}
		acc := opml.Tensor{DType: opml.Int32, Shape: append([]int(nil), out.Shape...)}
		carry = g.add(newNode{op: op, inputs: in, params: accParams, out: acc, from: nd.k})
	}
	return g.add(newNode{op: opml.OpRequantize, inputs: []ref{carry, table}, out: out, from: nd.k})
}

// memoConst returns the new constant t, made once per key.
func (g *graph) memoConst(key string, t opml.Tensor) ref {
	key = "const:" + key
	if r, ok := g.memo[key]; ok {
		return r
	}
	r := g.constant(t)
	g.memo[key] = r
	return r
}
