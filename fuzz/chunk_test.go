package fuzz

import (
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/chunk"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// FuzzChunkSplit: for any model bytes that decode to a small model (at
// most 2^16 work and 2^14 activation bytes, so that each run is quick), a
// bound from the fixed cost of a run to its largest node's estimate and
// inputs filled from a seed byte, chunk.CheckSplit holds: the rewrite
// computes the same bytes for every tensor it keeps, every node of it is
// within the bound, and a refusal is a typed, justified *chunk.Error
// (OPML-CHUNK-EXACT, OPML-CHUNK-BOUND).
func FuzzChunkSplit(f *testing.F) {
	f.Add(opml.Encode(fuzzCNN()), uint16(0), byte(0x80))         // every op of codes 1–7: a Conv2D with padding and an FC to split
	f.Add(opml.Encode(fuzzMLP()), uint16(30000), byte(0x7f))     // two FCs, a bound halfway: some pieces, int8 extremes as inputs
	f.Add(opml.Encode(fuzzTransformer()), uint16(9000), byte(1)) // the transformer ops: MatMul nodes to split, the others refused or kept
	f.Add(opml.Encode(fuzzCNN()), uint16(65535), byte(0))        // the largest bound: the model comes back unchanged
	f.Fuzz(func(t *testing.T, b []byte, bound uint16, seed byte) {
		m, err := opml.Decode(b)
		if err != nil || !small(m) {
			return
		}
		var top uint64
		for k := range m.Nodes {
			top = max(top, nodevm.EstimateSteps(m, k))
		}
		max := nodevm.EstimateFixed + (top-nodevm.EstimateFixed)*uint64(bound)/65535
		var inputs [][]byte
		for id := m.Consts; id < m.FirstNodeTensor(); id++ {
			in := make([]byte, m.Tensors[id].ByteSize())
			for i := range in {
				in[i] = seed ^ byte(i*37)
			}
			inputs = append(inputs, in)
		}
		if err := chunk.CheckSplit(m, max, inputs...); err != nil {
			t.Fatalf("bound %d: %v", max, err)
		}
	})
}

// small reports whether m's nodes do at most 2^16 work and its inputs and
// node outputs hold at most 2^14 bytes.
func small(m opml.Model) bool {
	work, bytes := 0, 0
	for k := range m.Nodes {
		work += nodevm.NodeWork(m, k)
	}
	for _, t := range m.Tensors[m.Consts:] {
		bytes += t.ByteSize()
	}
	return work <= 1<<16 && bytes <= 1<<14
}
