package chunk

import (
	"fmt"
	"slices"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// This file splits one node along its output axes: which operand axes
// follow each output axis (nodeOf), the operands, parameters and output of
// one piece (piece), the piece sizes (sizes) and the pieces with their
// Concat tree (splitOutputs).

// cut says that axis Axis of operand Operand follows an output axis: a
// piece over output range [b, e) reads range [b, e) of it or, for a
// Conv2D spatial axis (Window), the input rows or columns its windows
// cover.
type cut struct {
	Operand, Axis int
	Window        bool
}

// axis is an output axis along which a node splits exactly, and the
// operand axes that follow it.
type axis struct {
	Out  int
	Cuts []cut
}

// node is a node of m being split: its op, operand declarations, params,
// output declaration and split axes, in the order sizes prefers them.
type node struct {
	k  int
	op opml.Op
	in []opml.Tensor
	// isConst[i] reports whether operand i is a constant, which the
	// rewrite slices into new constants rather than by Slice nodes.
	isConst []bool
	params  []int32
	out     opml.Tensor
	axes    []axis
	// inner are the operand axes along the inner dimension, of length
	// innerLen: the terms every output element sums (inner.go).
	inner    []cut
	innerLen int
}

// nodeOf returns node k of m with its split axes, and false for an op that
// is not split. The axes, in order of preference:
//
//	FullyConnected x [N,K], w [M,K], b [M] → [N,M]:   M (w, b axis 0), N (x axis 0)
//	MatMul a [(B,)N,K], b, r [M,3] → [(B,)N,M]:      M (b's M axis, r axis 0), N (a), B (a and a batched b)
//	Conv2D x [N,H,W,C], f [OC,KH,KW,C], b [OC] → [N,OH,OW,OC]:
//	                                                 OC (f, b axis 0), OH, OW (x's windows), N (x axis 0)
func nodeOf(m opml.Model, k int) (node, bool) {
	n := m.Nodes[k]
	nd := node{k: k, op: n.Op, params: n.Params, out: decl(m.Tensors[n.Output])}
	for _, id := range n.Inputs {
		nd.in = append(nd.in, decl(m.Tensors[id]))
		nd.isConst = append(nd.isConst, id < m.Consts)
	}
	switch n.Op {
	case opml.OpFullyConnected:
		nd.axes = []axis{{1, []cut{{1, 0, false}, {2, 0, false}}}, {0, []cut{{0, 0, false}}}}
		nd.inner, nd.innerLen = []cut{{0, 1, false}, {1, 1, false}}, nd.in[0].Shape[1]
	case opml.OpMatMul:
		ra, rb := len(nd.in[0].Shape), len(nd.in[1].Shape)
		mAxis := rb - 1 - int(n.Params[0]) // b [.., K, M], or [.., M, K] with transB
		nd.axes = []axis{{ra - 1, []cut{{1, mAxis, false}, {2, 0, false}}}, {ra - 2, []cut{{0, ra - 2, false}}}}
		nd.inner, nd.innerLen = []cut{{0, ra - 1, false}, {1, rb - 2 + int(n.Params[0]), false}}, nd.in[0].Shape[ra-1]
		if ra == 3 {
			batch := axis{0, []cut{{0, 0, false}}}
			if rb == 3 {
				batch.Cuts = append(batch.Cuts, cut{1, 0, false})
			}
			nd.axes = append(nd.axes, batch)
		}
	case opml.OpConv2D:
		nd.axes = []axis{{3, []cut{{1, 0, false}, {2, 0, false}}}, {1, []cut{{0, 1, true}}}, {2, []cut{{0, 2, true}}}, {0, []cut{{0, 0, false}}}}
		nd.inner, nd.innerLen = []cut{{0, 3, false}, {1, 3, false}}, nd.in[0].Shape[3]
	default:
		return nd, false
	}
	return nd, true
}

// window returns, for the Conv2D spatial axis d (1 height, 2 width) and
// output range [b, e), the input range [lo, hi) its windows cover and the
// pads before and after it: the windows of outputs b..e−1 span input
// positions b·stride − padBefore to (e−1)·stride − padBefore + KD − 1, of
// which those outside [0, input size) are padding (docs/opml.md §7.8).
func (nd node) window(d, b, e int) (lo, hi, padBefore, padAfter int) {
	size, kd := nd.in[0].Shape[d], nd.in[1].Shape[d]
	stride, pad := int(nd.params[2+d-1]), int(nd.params[4+d-1])
	start, end := b*stride-pad, (e-1)*stride-pad+kd
	lo, hi = max(start, 0), min(end, size)
	return lo, hi, lo - start, end - hi
}

// piece returns the piece of nd over the output ranges r (r[i] = [b, e)
// along nd.axes[i]): the spans each operand is read over, the params and
// the output declaration.
func (nd node) piece(r [][2]int) (spans [][]span, params []int32, out opml.Tensor) {
	spans = make([][]span, len(nd.in))
	params = slices.Clone(nd.params)
	out = decl(nd.out)
	for i, a := range nd.axes {
		b, e := r[i][0], r[i][1]
		if b == 0 && e == nd.out.Shape[a.Out] {
			continue // not split along a: every operand whole, the pads as they are
		}
		out.Shape[a.Out] = e - b
		for _, c := range a.Cuts {
			lo, hi := b, e
			if c.Window {
				var before, after int
				lo, hi, before, after = nd.window(c.Axis, b, e)
				params[4+c.Axis-1], params[6+c.Axis-1] = int32(before), int32(after)
			}
			spans[c.Operand] = append(spans[c.Operand], span{c.Axis, lo, hi})
		}
	}
	return spans, params, out
}

// estimate returns the most nodevm.EstimateSteps of any node that a piece
// of nd whose size along nd.axes[i] is at most size[i], and along its
// inner dimension at most size[len(nd.axes)], needs: the piece and the
// Slice nodes that cut its operands that are not constants and, when the
// inner dimension is split, the piece as its accumulating op (with a
// carry-in of the piece's output shape) and the Requantize that finishes
// its chain (inner.go). The estimates grow with every dimension, so these
// are the estimates of a piece with each operand axis at its largest
// extent (size[i], or for a Conv2D spatial axis min(input size,
// (size[i]−1)·stride + KD)), and of a Slice to that extent along every
// axis that is split at all (for a Conv2D spatial axis the largest extent
// may be the whole axis while the pieces at its ends are cut). An axis of
// full size is not split (piece): its operands are whole. It also returns
// that node as a one-node model.
func (nd node) estimate(size []int) (uint64, opml.Model) {
	piece := opml.Model{Nodes: []opml.Node{{Op: nd.op, Params: nd.params, Output: len(nd.in)}}}
	for i, t := range nd.in {
		piece.Tensors = append(piece.Tensors, decl(t))
		piece.Nodes[0].Inputs = append(piece.Nodes[0].Inputs, i)
	}
	out := decl(nd.out)
	var slices []opml.Model
	cutTo := func(c cut, ext int) {
		from := piece.Tensors[c.Operand]
		if !nd.isConst[c.Operand] {
			slices = append(slices, sliceModel(from, c.Axis, ext))
		}
		piece.Tensors[c.Operand] = decl(from)
		piece.Tensors[c.Operand].Shape[c.Axis] = ext
	}
	for i, a := range nd.axes {
		if size[i] == nd.out.Shape[a.Out] {
			continue // not split along a (piece)
		}
		out.Shape[a.Out] = size[i]
		for _, c := range a.Cuts {
			ext := size[i]
			if c.Window {
				stride := int(nd.params[2+c.Axis-1])
				ext = min(nd.in[0].Shape[c.Axis], (size[i]-1)*stride+nd.in[1].Shape[c.Axis])
			}
			cutTo(c, ext)
		}
	}
	if k := size[len(nd.axes)]; k < nd.innerLen {
		for _, c := range nd.inner {
			cutTo(c, k)
		}
		slices = append(slices, nd.requantizeModel(out, piece.Tensors[2]))
		piece.Nodes[0].Op, piece.Nodes[0].Params = nd.accOp(nd.params)
		piece.Tensors[2] = opml.Tensor{DType: opml.Int32, Shape: append([]int(nil), out.Shape...)}
		out = opml.Tensor{DType: opml.Int32, Shape: out.Shape}
	}
	piece.Tensors = append(piece.Tensors, out)
	worst, est := piece, nodevm.EstimateSteps(piece, 0)
	for _, g := range slices {
		if e := nodevm.EstimateSteps(g, 0); e > est {
			worst, est = g, e
		}
	}
	return est, worst
}

// sliceModel returns the one-node model of a Slice of [0, ext) along axis
// of a tensor declared as t.
func sliceModel(t opml.Tensor, axis, ext int) opml.Model {
	out := decl(t)
	out.Shape[axis] = ext
	return opml.Model{Tensors: []opml.Tensor{decl(t), out}, Nodes: []opml.Node{{Op: opml.OpSlice, Inputs: []int{0}, Output: 1, Params: []int32{int32(axis), 0, int32(ext)}}}}
}

// joinModel returns the one-node model of the Concat at the root of a
// split of a node whose output is declared as out: two parts along the
// first axis with more than one element, which are together the output.
// Every Concat of a split is at most as large; all have this estimate when
// the root joins along any other axis. ok is false when out has one element.
func joinModel(out opml.Tensor) (g opml.Model, ok bool) {
	for d, n := range out.Shape {
		if n > 1 {
			a, b := decl(out), decl(out)
			a.Shape[d], b.Shape[d] = n/2, n-n/2
			return opml.Model{Tensors: []opml.Tensor{a, b, decl(out)}, Nodes: []opml.Node{{Op: opml.OpConcat, Inputs: []int{0, 1}, Output: 2, Params: []int32{int32(d)}}}}, true
		}
	}
	return opml.Model{}, false
}

// sizes returns the piece size along each of nd.axes and then along its
// inner dimension. The inner dimension is cut only when the output axes
// alone cannot bring a piece within maxSteps: first with it whole, then,
// if the smallest piece is still over, with it free too. Either way the
// sizes are found by halving, while the largest piece is over maxSteps,
// the free axis whose halving lowers its estimate most (the first such
// axis on a tie), then growing each axis in turn to the largest size that
// stays within maxSteps. Errors: the *nodevm.StepBoundError of the piece
// of size 1 along every axis and one term of the inner dimension, when
// even that is over maxSteps.
func (nd node) sizes(maxSteps uint64) ([]int, error) {
	size, err := nd.sizesWith(maxSteps, false)
	if err != nil {
		size, err = nd.sizesWith(maxSteps, true)
	}
	return size, err
}

// sizesWith is sizes with the inner dimension whole (inner false) or
// free.
func (nd node) sizesWith(maxSteps uint64, inner bool) ([]int, error) {
	full := make([]int, len(nd.axes)+1)
	for i, a := range nd.axes {
		full[i] = nd.out.Shape[a.Out]
	}
	full[len(nd.axes)] = nd.innerLen
	free := len(full)
	if !inner {
		free--
	}
	size := slices.Clone(full)
	for {
		est, g := nd.estimate(size)
		if est <= maxSteps {
			break
		}
		best, bestEst := -1, uint64(0)
		for i := range size[:free] {
			if size[i] == 1 {
				continue
			}
			c := slices.Clone(size)
			c[i] = (c[i] + 1) / 2
			if e, _ := nd.estimate(c); best < 0 || e < bestEst {
				best, bestEst = i, e
			}
		}
		if best < 0 {
			return nil, scratchBoundError(g, maxSteps)
		}
		size[best] = (size[best] + 1) / 2
	}
	for i := range size {
		lo, hi := size[i], full[i]
		for lo < hi {
			c := slices.Clone(size)
			c[i] = (lo + hi + 1) / 2
			if e, _ := nd.estimate(c); e <= maxSteps {
				lo = c[i]
			} else {
				hi = c[i] - 1
			}
		}
		size[i] = lo
	}
	return size, nil
}

// splitOutputs replaces node k of m, which is over maxSteps, by its pieces
// along its output axes (sizes) and a Concat tree per axis: the pieces are
// made in row-major order of their ranges over nd.axes, and the pieces
// that differ only along the last axis are joined first. Errors: *Error
// for an op that is not split and for a node whose smallest piece is over
// maxSteps.
func (g *graph) splitOutputs(k int, maxSteps uint64) error {
	nd, ok := nodeOf(g.m, k)
	if !ok {
		return &Error{Node: k, Op: nd.op, Reason: "only FullyConnected, MatMul and Conv2D nodes are split", Err: nodevm.CheckNodeSteps(g.m, k, maxSteps)}
	}
	if g, ok := joinModel(nd.out); ok && nodevm.EstimateSteps(g, 0) > maxSteps {
		return &Error{Node: k, Op: nd.op, Reason: "the Concat that would join its pieces into its output is over the bound", Err: scratchBoundError(g, maxSteps)}
	}
	size, err := nd.sizes(maxSteps)
	if err != nil {
		return &Error{Node: k, Op: nd.op, Reason: fmt.Sprintf("even its pieces of one element along every output axis and one term of its inner dimension (%s), with the Slice nodes that cut their operands, are over the bound", nd.innerText()), Err: err}
	}
	operands := make([]ref, len(nd.in))
	for i, id := range g.m.Nodes[k].Inputs {
		operands[i] = g.where[id]
	}
	g.where[g.m.Nodes[k].Output] = g.pieces(nd, operands, size, nil)
	return nil
}

// pieces makes the pieces of nd whose ranges along nd.axes begin with
// prefix, joined along the axes after it, and returns the ref of their
// join. Along an axis of length D and piece size at most size, the
// p = ⌈D/size⌉ pieces are the ranges [j·D/p, (j+1)·D/p) (floor division):
// their sizes differ by at most one and none is over size.
func (g *graph) pieces(nd node, operands []ref, size []int, prefix [][2]int) ref {
	i := len(prefix)
	if i == len(nd.axes) {
		spans, params, out := nd.piece(prefix)
		if size[i] < nd.innerLen {
			return g.chain(nd, operands, spans, params, out, size[i])
		}
		in := make([]ref, len(operands))
		for j, r := range operands {
			in[j] = g.slice(r, spans[j], nd.k)
		}
		return g.add(newNode{op: nd.op, inputs: in, params: params, out: out, from: nd.k})
	}
	full := nd.out.Shape[nd.axes[i].Out]
	p := (full + size[i] - 1) / size[i]
	var parts []ref
	for j := range p {
		parts = append(parts, g.pieces(nd, operands, size, append(slices.Clone(prefix), [2]int{j * full / p, (j + 1) * full / p})))
	}
	return g.join(parts, nd.axes[i].Out, nd.k)
}

// innerText describes nd's inner dimension: the terms each output
// element sums (Conv2D's are split along C only).
func (nd node) innerText() string {
	switch nd.op {
	case opml.OpConv2D:
		f := nd.in[1].Shape
		return fmt.Sprintf("C = %d of KH·KW·C = %d·%d·%d", f[3], f[1], f[2], f[3])
	case opml.OpMatMul:
		a := nd.in[0].Shape
		return fmt.Sprintf("K = %d", a[len(a)-1])
	}
	return fmt.Sprintf("K = %d", nd.in[0].Shape[1])
}

// scratchBoundError returns the *nodevm.StepBoundError of the one node of
// g, a node the rewrite would make, with Node −1: it is not yet a node of
// any model. Precondition: its estimate is over maxSteps.
func scratchBoundError(g opml.Model, maxSteps uint64) error {
	err := nodevm.CheckNodeSteps(g, 0, maxSteps)
	err.(*nodevm.StepBoundError).Node = -1
	return err
}
