package chunk

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// Planted wrong rewrites, to show that CheckSplit's property fails when the
// rewrite is not exact: each is the rewrite with one thing done wrong, and
// the property must find a case it breaks among the cases it draws.

// requantizeEachPartial splits a FullyConnected node over the bound along
// its inner dimension K, the wrong way: each half x[:, half]·w[:, half]ᵀ
// is a FullyConnected node of its own, requantized with the node's
// multiplier and output zero point (the bias in the first), and the two
// int8 results are added by an Add node with both multipliers 1. Rounding
// twice and saturating each half is not the node's one requantization of
// the whole sum. Other nodes are split as Split splits them.
func requantizeEachPartial(g *graph, k int, maxSteps uint64) error {
	n := g.m.Nodes[k]
	x, w := g.m.Tensors[n.Inputs[0]], g.m.Tensors[n.Inputs[1]]
	if n.Op != opml.OpFullyConnected || x.Shape[1] < 2 {
		return g.splitOutputs(k, maxSteps)
	}
	kk, h, out := x.Shape[1], x.Shape[1]/2, decl(g.m.Tensors[n.Output])
	zero := g.constant(opml.Tensor{DType: opml.Int32, Shape: []int{w.Shape[0]}, Data: make([]byte, 4*w.Shape[0])})
	var parts []ref
	for i, s := range []span{{1, 0, h}, {1, h, kk}} {
		bias := zero
		if i == 0 {
			bias = g.slice(g.where[n.Inputs[2]], nil, k)
		}
		xs, ws := g.slice(g.where[n.Inputs[0]], []span{s}, k), g.slice(g.where[n.Inputs[1]], []span{s}, k)
		parts = append(parts, g.add(newNode{op: opml.OpFullyConnected, inputs: []ref{xs, ws, bias}, params: n.Params, out: decl(out), from: k}))
	}
	g.where[n.Output] = g.add(newNode{op: opml.OpAdd, inputs: parts, params: []int32{1 << 30, 1 << 30, -1}, out: out, from: k})
	return nil
}

// swappedJoin is Split with the two parts of the last Concat of every
// split node swapped: the output's halves in the wrong order.
func swappedJoin(g *graph, k int, maxSteps uint64) error {
	if err := g.splitOutputs(k, maxSteps); err != nil {
		return err
	}
	r := g.where[g.m.Nodes[k].Output]
	if r.kind == nodeRef && g.nodes[r.i].op == opml.OpConcat {
		in := g.nodes[r.i].inputs
		in[0], in[1] = in[1], in[0]
	}
	return nil
}

// brokenCarry is Split with every accumulating node after the first of a
// chain reading the chain's first carry-in instead of the sum before it:
// the partial sums of all but the last piece are lost.
func brokenCarry(g *graph, k int, maxSteps uint64) error {
	start := len(g.nodes)
	if err := g.splitOutputs(k, maxSteps); err != nil {
		return err
	}
	isAcc := func(op opml.Op) bool { return op == opml.OpMatMulAcc || op == opml.OpConv2DAcc }
	var first ref
	for i := start; i < len(g.nodes); i++ {
		n := &g.nodes[i]
		if !isAcc(n.op) {
			continue
		}
		if c := n.inputs[2]; c.kind == nodeRef && isAcc(g.nodes[c.i].op) {
			n.inputs[2] = first
		} else {
			first = c
		}
	}
	return nil
}

// TestOPML_CHUNK_EXACT_PlantedFaults: the property of
// TestOPML_CHUNK_EXACT_OPML_CHUNK_BOUND fails for each planted wrong
// rewrite on some of the first 2,000 cases it draws, and the failure names
// the first tensor and byte that differ; Split itself passes on the same
// cases.
func TestOPML_CHUNK_EXACT_PlantedFaults(t *testing.T) {
	gen := rapid.Custom(genCase)
	faults := map[string]func(*graph, int, uint64) error{"requantize each partial": requantizeEachPartial, "swapped join": swappedJoin, "broken carry": brokenCarry}
	for name, fault := range faults {
		planted := func(m opml.Model, maxSteps uint64) (opml.Model, []int, error) { return splitWith(m, maxSteps, fault) }
		caught, first := 0, ""
		for i := range 2000 {
			c := gen.Example(i)
			if err := checkRewrite(planted, c.m, c.max, c.inputs); err != nil {
				if caught++; first == "" {
					first = err.Error()
				}
			}
			if err := CheckSplit(c.m, c.max, c.inputs...); err != nil {
				t.Fatalf("example %d: Split: %v", i, err)
			}
		}
		if caught == 0 {
			t.Errorf("%s: the property holds on all 2,000 cases", name)
			continue
		}
		t.Logf("%s: caught on %d of 2,000 cases; the first: %s", name, caught, first)
	}
}
