package chunk

import (
	"fmt"
	"slices"

	"github.com/opcity-spec/opcity/opml"
)

// This file holds the rewritten graph while it is built: the tensors it
// refers to (refs), the new constants and nodes, the slices of operands
// and the Concat trees, and its emission as a canonical opml.Model.

// refKind says which table a ref indexes.
type refKind uint8

const (
	origRef  refKind = iota // a constant or input of m, by its id in m
	constRef                // a new constant, by its index in graph.consts
	nodeRef                 // a node of the rewritten graph, by its index in graph.nodes
)

// ref names a tensor of the rewritten graph before its id is known.
type ref struct {
	kind refKind
	i    int
}

// newNode is a node of the rewritten graph.
type newNode struct {
	op     opml.Op
	inputs []ref
	params []int32
	out    opml.Tensor // the output declaration
	from   int         // the node of m it computes (part of)
}

// span is a range [lo, hi) of one axis of a tensor.
type span struct{ axis, lo, hi int }

// graph is the rewritten graph of m under construction.
type graph struct {
	m      opml.Model
	consts []opml.Tensor // the new constants
	nodes  []newNode
	where  []ref          // per tensor id of m: where its bytes are in the rewritten graph
	split  []bool         // per constant of m: read by a split node
	memo   map[string]ref // slices made so far, by sliceKey
}

func newGraph(m opml.Model) *graph {
	g := &graph{m: m, where: make([]ref, len(m.Tensors)), split: make([]bool, m.Consts), memo: map[string]ref{}}
	for id := range m.FirstNodeTensor() {
		g.where[id] = ref{origRef, id}
	}
	return g
}

// keep copies node k of m into the graph as it is.
func (g *graph) keep(k int) {
	n := g.m.Nodes[k]
	in := make([]ref, len(n.Inputs))
	for i, id := range n.Inputs {
		in[i] = g.where[id]
	}
	g.where[n.Output] = g.add(newNode{op: n.Op, inputs: in, params: n.Params, out: decl(g.m.Tensors[n.Output]), from: k})
}

// add appends node n and returns its ref.
func (g *graph) add(n newNode) ref {
	g.nodes = append(g.nodes, n)
	return ref{nodeRef, len(g.nodes) - 1}
}

// constant appends a new constant and returns its ref.
func (g *graph) constant(t opml.Tensor) ref {
	g.consts = append(g.consts, t)
	return ref{constRef, len(g.consts) - 1}
}

// decl returns a copy of the declaration of r (a constant's without its data).
func (g *graph) decl(r ref) opml.Tensor {
	switch r.kind {
	case constRef:
		return decl(g.consts[r.i])
	case nodeRef:
		return decl(g.nodes[r.i].out)
	}
	return decl(g.m.Tensors[r.i])
}

// decl returns t's declaration: dtype, a copy of the shape, quantization.
func decl(t opml.Tensor) opml.Tensor {
	return opml.Tensor{DType: t.DType, Shape: slices.Clone(t.Shape), Quant: t.Quant}
}

// isConst reports whether r is a constant of m or a new constant.
func (g *graph) isConst(r ref) bool {
	return r.kind == constRef || (r.kind == origRef && r.i < g.m.Consts)
}

// slice returns the ref of r restricted to the spans (axes in any order,
// each at most once), for node k of m. A span that covers its whole axis
// is left out; with none left it returns r. A constant is sliced into a
// new constant; any other tensor by one Slice node per span, in the
// spans' order. Equal slices of one tensor are made once.
func (g *graph) slice(r ref, spans []span, k int) ref {
	t := g.decl(r)
	var cut []span
	for _, s := range spans {
		if s.lo != 0 || s.hi != t.Shape[s.axis] {
			cut = append(cut, s)
		}
	}
	if r.kind == origRef && r.i < g.m.Consts {
		g.split[r.i] = true
	}
	if len(cut) == 0 {
		return r
	}
	if g.isConst(r) {
		key := fmt.Sprint(r, cut)
		if _, ok := g.memo[key]; !ok {
			g.memo[key] = g.constant(sliceConst(g.constData(r), cut))
		}
		return g.memo[key]
	}
	cur := r
	for i, s := range cut {
		key := fmt.Sprint(r, cut[:i+1])
		next, ok := g.memo[key]
		if !ok {
			out := g.decl(cur)
			out.Shape[s.axis] = s.hi - s.lo
			next = g.add(newNode{op: opml.OpSlice, inputs: []ref{cur}, params: []int32{int32(s.axis), int32(s.lo), int32(s.hi)}, out: out, from: k})
			g.memo[key] = next
		}
		cur = next
	}
	return cur
}

// constData returns the constant r with its data.
func (g *graph) constData(r ref) opml.Tensor {
	if r.kind == constRef {
		return g.consts[r.i]
	}
	return g.m.Tensors[r.i]
}

// sliceConst returns constant t restricted to the spans.
func sliceConst(t opml.Tensor, spans []span) opml.Tensor {
	for _, s := range spans {
		size := t.DType.Size()
		outer, inner := 1, size
		for d, n := range t.Shape {
			if d < s.axis {
				outer *= n
			} else if d > s.axis {
				inner *= n
			}
		}
		dim := t.Shape[s.axis]
		var data []byte
		for o := range outer {
			data = append(data, t.Data[(o*dim+s.lo)*inner:(o*dim+s.hi)*inner]...)
		}
		shape := slices.Clone(t.Shape)
		shape[s.axis] = s.hi - s.lo
		t = opml.Tensor{DType: t.DType, Shape: shape, Quant: t.Quant, Data: data}
	}
	return t
}

// join returns the ref of the parts joined along axis by a balanced tree
// of Concat nodes, for node k of m (the part itself when there is one).
func (g *graph) join(parts []ref, axis, k int) ref {
	if len(parts) == 1 {
		return parts[0]
	}
	a, b := g.join(parts[:len(parts)/2], axis, k), g.join(parts[len(parts)/2:], axis, k)
	out := g.decl(a)
	out.Shape[axis] += g.decl(b).Shape[axis]
	return g.add(newNode{op: opml.OpConcat, inputs: []ref{a, b}, params: []int32{int32(axis)}, out: out, from: k})
}

// emit returns the rewritten model in canonical order and the new id of
// every tensor id of m (−1 for a dropped constant). A constant of m is
// kept unless split nodes read it and no node of the graph or model
// output does.
func (g *graph) emit() (opml.Model, []int) {
	m := g.m
	keep := g.keptConsts()
	var out opml.Model
	ids := make([]int, len(m.Tensors))
	for c := range m.Consts {
		ids[c] = -1
		if keep[c] {
			ids[c] = len(out.Tensors)
			out.Tensors = append(out.Tensors, cloneTensor(m.Tensors[c]))
		}
	}
	constIDs := make([]int, len(g.consts))
	for i, t := range g.consts {
		constIDs[i] = len(out.Tensors)
		out.Tensors = append(out.Tensors, t)
	}
	out.Consts = len(out.Tensors)
	for id := m.Consts; id < m.FirstNodeTensor(); id++ {
		ids[id] = len(out.Tensors)
		out.Tensors = append(out.Tensors, decl(m.Tensors[id]))
	}
	out.Inputs = m.Inputs
	resolve := func(r ref) int {
		switch r.kind {
		case constRef:
			return constIDs[r.i]
		case nodeRef:
			return out.FirstNodeTensor() + r.i
		}
		return ids[r.i]
	}
	for j, n := range g.nodes {
		in := make([]int, len(n.inputs))
		for i, r := range n.inputs {
			in[i] = resolve(r)
		}
		out.Nodes = append(out.Nodes, opml.Node{Op: n.op, Inputs: in, Output: out.FirstNodeTensor() + j, Params: slices.Clone(n.params)})
		out.Tensors = append(out.Tensors, n.out)
	}
	for id := m.FirstNodeTensor(); id < len(m.Tensors); id++ {
		ids[id] = resolve(g.where[id])
	}
	for _, id := range m.Outputs {
		out.Outputs = append(out.Outputs, ids[id])
	}
	return out, ids
}

// keptConsts reports for each constant of m whether the rewritten model
// keeps it: a node of the graph or a model output reads it, or no split
// node did.
func (g *graph) keptConsts() []bool {
	keep := make([]bool, g.m.Consts)
	for c := range keep {
		keep[c] = !g.split[c]
	}
	for _, n := range g.nodes {
		for _, r := range n.inputs {
			if r.kind == origRef && r.i < g.m.Consts {
				keep[r.i] = true
			}
		}
	}
	for _, id := range g.m.Outputs {
		if id < g.m.Consts {
			keep[id] = true
		}
	}
	return keep
}

// cloneTensor returns a copy of t that shares nothing with it.
func cloneTensor(t opml.Tensor) opml.Tensor {
	t.Shape, t.Data = slices.Clone(t.Shape), slices.Clone(t.Data)
	return t
}
