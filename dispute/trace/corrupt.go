package trace

import (
	"encoding/binary"
	"fmt"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/opml"
)

// Corrupt is the view of a party that believes node Node of block Block
// outputs Leaf (its true output is something else): its graph states from
// that node on, its output roots from that block on, and its VM traces of
// that node for the true and the false claim differ from the truth. Its VM
// trace lies from trace index Diverge on (clamped to the last index), with
// the final status it believes; it has no witness for a lying state, so
// any step from one fails (a poisoned prestate).
type Corrupt struct {
	Truth       *Truth
	Block, Node uint64
	Leaf        dispute.Hash
	Diverge     uint64

	graph   *GraphTrace
	outputs []dispute.Hash
}

// NewCorrupt returns the corrupted view.
func NewCorrupt(t *Truth, block, node uint64, leaf dispute.Hash, diverge uint64) (*Corrupt, error) {
	c := &Corrupt{Truth: t, Block: block, Node: node, Leaf: leaf, Diverge: diverge}
	tg, err := t.Graph(block)
	if err != nil {
		return nil, err
	}
	if node >= uint64(len(tg.States)) {
		return nil, fmt.Errorf("dispute: no node %d", node)
	}
	g := *tg
	first := uint64(g.Model.Model.FirstNodeTensor())
	g.Commitments = append([]dispute.Hash(nil), tg.Commitments...)
	g.Commitments[first+node] = leaf
	g.States = append([]dispute.Hash(nil), tg.States...)
	for k := node; k < uint64(len(g.States)); k++ {
		g.States[k] = opml.ComputeGraphRoot(g.Commitments[:first+k+1], len(g.Model.Model.Tensors))
	}
	c.graph = g.freeze()
	prev := t.cfg.Anchor
	for b := range t.jobs {
		final := t.outputs[b]
		if uint64(b) >= block {
			gt, _ := c.Graph(uint64(b))
			final = dispute.OutputRoot(prev, t.jobs[b], gt.Final())
		}
		c.outputs = append(c.outputs, final)
		prev = final
	}
	return c, nil
}

// Output returns the corrupted output root after block i.
func (c *Corrupt) Output(i uint64) dispute.Hash { return c.outputs[i] }

// Graph returns the corrupted graph trace of block b.
func (c *Corrupt) Graph(b uint64) (*GraphTrace, error) {
	if b == c.Block {
		return c.graph, nil
	}
	return c.Truth.Graph(b)
}

// VM returns the truth's trace, except for the corrupted node under the
// true or the false claim, where it returns a lying trace.
func (c *Corrupt) VM(b, k uint64, out dispute.Hash) (VMTrace, error) {
	t, err := c.Truth.VM(b, k, out)
	if err != nil || b != c.Block || k != c.Node {
		return t, err
	}
	tg, _ := c.Truth.Graph(b)
	trueLeaf := tg.Commitments[uint64(tg.Model.Model.FirstNodeTensor())+k]
	if out != c.Leaf && out != trueLeaf {
		return t, nil
	}
	status := byte(1)
	if out == c.Leaf {
		status = 0
	}
	return &lie{VMTrace: t, from: min(c.Diverge, t.Steps()-1), status: status, salt: out}, nil
}

// lie is a VM trace that departs from the truth at trace index from.
type lie struct {
	VMTrace
	from   uint64
	status byte
	salt   dispute.Hash
}

func (l *lie) Hash(j uint64) (dispute.Hash, error) {
	if j < l.from {
		return l.VMTrace.Hash(j)
	}
	last := l.Steps() - 1
	j = min(j, last)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], j)
	h := dispute.Keccak([]byte("lie"), l.salt[:], b[:])
	h[0] = 3
	if j == last {
		h[0] = l.status
	}
	return h, nil
}

func (l *lie) StepData(pre int64) ([]byte, []byte, []byte, error) {
	if pre < int64(l.from) {
		return l.VMTrace.StepData(pre)
	}
	h, _ := l.Hash(uint64(pre))
	return h[:], nil, nil, nil // no witness: the step will be rejected
}
