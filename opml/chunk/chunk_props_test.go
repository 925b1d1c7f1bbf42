package chunk

import (
	"encoding/hex"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// Each property prints rapid's reproducer on failure (the seed, the
// shrunk draws and `go test ./opml/chunk -run TestNAME -rapid.seed=SEED`)
// and, from CheckSplit, the first tensor and byte that differ; the model's
// encoding is logged in hex.

// TestOPML_CHUNK_EXACT_OPML_CHUNK_BOUND: on random small models with
// FullyConnected, MatMul and Conv2D nodes, edge-value weights, biases,
// zero points, multipliers and inputs, and bounds from the fixed cost of a
// run to past the largest node, CheckSplit holds: the rewritten model
// computes the same bytes for every tensor of the model it keeps (the
// split nodes' outputs and the model outputs included), every node of it
// is within the bound, a model already within it is returned unchanged,
// and a refusal is a typed *Error with a step-bound cause.
func TestOPML_CHUNK_EXACT_OPML_CHUNK_BOUND(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCase(t)
		if err := CheckSplit(c.m, c.max, c.inputs...); err != nil {
			t.Logf("model %s", hex.EncodeToString(opml.Encode(c.m)))
			t.Fatalf("bound %d: %v", c.max, err)
		}
	})
}

// TestOPML_CHUNK_EXACT_Coverage: the cases the property draws exercise
// what it claims to: of 1,000 (rapid's examples 0..999), at least 40% split
// a node into more than two pieces, each of FullyConnected, MatMul and
// Conv2D is split, and each is split along its inner dimension at least 20
// times (a chain of MatMulAcc or Conv2DAcc and a Requantize), some cases
// fit as they are and some are refused.
func TestOPML_CHUNK_EXACT_Coverage(t *testing.T) {
	gen := rapid.Custom(genCase)
	var fit, many, refused int
	splitOps, innerOps := map[opml.Op]int{}, map[opml.Op]int{}
	for i := range 1000 {
		c := gen.Example(i)
		if c.splitNodes() == 0 {
			fit++
			continue
		}
		out, err := Split(c.m, c.max)
		if err != nil {
			refused++
			continue
		}
		if len(out.Nodes) > len(c.m.Nodes)+2 {
			many++
		}
		for k, n := range c.m.Nodes {
			if nodevm.EstimateSteps(c.m, k) > c.max {
				splitOps[n.Op]++
			}
		}
		for _, n := range out.Nodes {
			if n.Op == opml.OpRequantize {
				innerOps[c.m.Nodes[0].Op]++
				break
			}
		}
	}
	t.Logf("of 1000: %d fit, %d split into more than two pieces, %d refused; split nodes by op %v; cases split along an inner dimension, by the first node's op, %v",
		fit, many, refused, splitOps, innerOps)
	if many < 400 || fit == 0 || refused == 0 || splitOps[opml.OpFullyConnected] == 0 || splitOps[opml.OpMatMul] == 0 || splitOps[opml.OpConv2D] == 0 {
		t.Errorf("the generator does not cover the rewrite")
	}
	for _, op := range []opml.Op{opml.OpFullyConnected, opml.OpMatMul, opml.OpConv2D} {
		if innerOps[op] < 20 {
			t.Errorf("%s is split along its inner dimension in %d cases", op, innerOps[op])
		}
	}
}
