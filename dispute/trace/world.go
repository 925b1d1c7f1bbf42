package trace

import (
	"fmt"
	"sync"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/opml"
)

// View is one party's belief about every trace of the game: the output
// roots of phase 1, the graph traces of phase 2 and the VM traces of
// phase 3. The honest view is Truth; adversaries corrupt it.
type View interface {
	// Output returns the output root after block i.
	Output(i uint64) dispute.Hash
	// Graph returns the graph trace of block b's job.
	Graph(b uint64) (*GraphTrace, error)
	// VM returns the node program's trace for node k of block b's job when
	// the claimed output commitment is out.
	VM(b, k uint64, out dispute.Hash) (VMTrace, error)
}

// VMTrace is phase 3's trace provider: trace index j commits to the state
// after min(j+1, N) steps, N the steps to exit (OP pads past the exit by
// repeating the final state).
type VMTrace interface {
	// Hash returns the state hash at trace index j.
	Hash(j uint64) (dispute.Hash, error)
	// StepData returns what a step from the state at trace index pre needs
	// (pre = −1 is the absolute prestate): the 188-byte state, the proof,
	// and the keccak256 preimage the step reads (nil if none).
	StepData(pre int64) (stateData, proof, preimage []byte, err error)
	// Steps returns N.
	Steps() uint64
}

// GraphTrace is the honest phase-2 trace of one job: every tensor's bytes
// and commitment, and the graph-state root after each node.
type GraphTrace struct {
	Model       *dispute.Model
	Tensors     [][]byte
	Commitments []dispute.Hash
	Initial     dispute.Hash
	States      []dispute.Hash

	// openings and operands are Opening's and Operands' results per node,
	// filled by freeze once the trace is complete (nil: computed per call).
	openings []dispute.Opening
	operands []nodeOperands
}

type nodeOperands struct {
	openings []dispute.Opening
	data     [][]byte
}

// freeze precomputes every node's opening and operands; t must not change
// afterwards. It returns t.
func (t *GraphTrace) freeze() *GraphTrace {
	t.openings, t.operands = nil, nil
	n := uint64(len(t.Model.Model.Nodes))
	openings := make([]dispute.Opening, n)
	operands := make([]nodeOperands, n)
	for k := range n {
		openings[k] = t.Opening(k)
		operands[k].openings, operands[k].data = t.Operands(k)
	}
	t.openings, t.operands = openings, operands
	return t
}

// State returns the graph state at phase-2 trace index k: after node
// min(k, n−1) (the final state repeats past the last node).
func (t *GraphTrace) State(k uint64) dispute.Hash { return t.States[min(k, uint64(len(t.States)-1))] }

// Final returns the graph state after the last node.
func (t *GraphTrace) Final() dispute.Hash { return t.States[len(t.States)-1] }

// Opening returns the opening that the claim at trace index k carries:
// node min(k, n−1)'s output leaf in the state after it.
func (t *GraphTrace) Opening(k uint64) dispute.Opening {
	if t.openings != nil {
		return t.openings[min(k, uint64(len(t.openings)-1))]
	}
	e := t.Model.Entry(k)
	return dispute.Opening{Leaf: t.Commitments[e], Siblings: dispute.TablePath(t.Commitments[:e+1], t.Model.TableDepth(), e)}
}

// Operands returns the openings of node k's operands in the state before
// node k, and the operand bytes that are not constants (to upload).
func (t *GraphTrace) Operands(k uint64) ([]dispute.Opening, [][]byte) {
	if t.operands != nil && k < uint64(len(t.operands)) {
		return t.operands[k].openings, t.operands[k].data
	}
	m := t.Model.Model
	entries := t.Commitments[:uint64(m.FirstNodeTensor())+k]
	var ops []dispute.Opening
	var data [][]byte
	for _, id := range m.Nodes[k].Inputs {
		ops = append(ops, dispute.Opening{Leaf: t.Commitments[id], Siblings: dispute.TablePath(entries, t.Model.TableDepth(), uint64(id))})
		if id >= m.Consts {
			data = append(data, t.Tensors[id])
		}
	}
	return ops, data
}

// VMFactory builds the VM trace of node k of a job whose tensors are given,
// for a claimed output commitment.
type VMFactory func(g *GraphTrace, k uint64, out dispute.Hash) (VMTrace, error)

// Truth is the honest view: it runs every job with the opML executor and
// every disputed node with vm. Safe for concurrent use.
type Truth struct {
	cfg    *dispute.Config
	jobs   []dispute.Job
	inputs [][][]byte
	vm     VMFactory

	mu      sync.Mutex
	graphs  map[uint64]*GraphTrace
	vms     map[vmKey]VMTrace
	outputs []dispute.Hash
}

// maxCachedVMs bounds the VM traces a Truth keeps.
const maxCachedVMs = 64

type vmKey struct {
	b, k uint64
	out  dispute.Hash
}

// NewTruth returns the honest view of a chain whose block b runs the
// registered model model[b] on inputs[b] (canonical bytes per input
// tensor), and the chain's jobs. It runs every job once to compute the
// output roots. Errors: a length mismatch, an unregistered model, and the
// executor's errors for bad inputs.
func NewTruth(cfg *dispute.Config, inputs [][][]byte, model []dispute.Hash, vm VMFactory) (*Truth, []dispute.Job, error) {
	if len(model) != len(inputs) {
		return nil, nil, fmt.Errorf("dispute: %d blocks of inputs, %d models", len(inputs), len(model))
	}
	for b, m := range model {
		if cfg.Models[m] == nil {
			return nil, nil, fmt.Errorf("dispute: block %d names unregistered model %s", b, m)
		}
	}
	t := &Truth{cfg: cfg, inputs: inputs, vm: vm, graphs: map[uint64]*GraphTrace{}, vms: map[vmKey]VMTrace{}}
	for b := range inputs {
		j := dispute.Job{Model: model[b]}
		for _, in := range inputs[b] {
			j.Inputs = append(j.Inputs, opml.ComputeTensorRoot(in))
		}
		t.jobs = append(t.jobs, j)
	}
	prev := cfg.Anchor
	for b := range t.jobs {
		g, err := t.Graph(uint64(b))
		if err != nil {
			return nil, nil, err
		}
		prev = dispute.OutputRoot(prev, t.jobs[b], g.Final())
		t.outputs = append(t.outputs, prev)
	}
	return t, t.jobs, nil
}

// Output returns the output root after block i.
func (t *Truth) Output(i uint64) dispute.Hash { return t.outputs[i] }

// VMFactory returns the factory t builds its VM traces with, so that another
// view of the same game type (another job list) can share its VM.
func (t *Truth) VMFactory() VMFactory { return t.vm }

// Graph runs block b's job (once) and returns its trace.
func (t *Truth) Graph(b uint64) (*GraphTrace, error) {
	if b >= uint64(len(t.jobs)) {
		return nil, fmt.Errorf("dispute: no block %d", b)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if g, ok := t.graphs[b]; ok {
		return g, nil
	}
	r := t.cfg.Models[t.jobs[b].Model]
	e, err := opml.NewExecutor(r.Model, 1)
	if err != nil {
		return nil, err
	}
	tensors, err := e.Tensors(t.inputs[b]...)
	if err != nil {
		return nil, err
	}
	tr, err := e.Trace(t.inputs[b]...)
	if err != nil {
		return nil, err
	}
	g := &GraphTrace{Model: r, Tensors: tensors, Commitments: tr.Commitments, Initial: tr.Initial}
	for _, s := range tr.States {
		g.States = append(g.States, s.Root)
	}
	t.graphs[b] = g.freeze()
	return g, nil
}

// VM returns (and caches) the VM trace of node k of block b for claim out.
func (t *Truth) VM(b, k uint64, out dispute.Hash) (VMTrace, error) {
	g, err := t.Graph(b)
	if err != nil {
		return nil, err
	}
	if k >= uint64(len(g.States)) {
		return nil, fmt.Errorf("dispute: no node %d", k)
	}
	key := vmKey{b, k, out}
	t.mu.Lock()
	v, ok := t.vms[key]
	t.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err = t.vm(g, k, out)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if len(t.vms) >= maxCachedVMs {
		clear(t.vms) // traces are recomputed on demand; this bounds memory
	}
	t.vms[key] = v
	t.mu.Unlock()
	return v, nil
}

// Descriptor returns node k's canonical descriptor and its operand bytes,
// as the game derives them at a phase-3 root (opml.NodeDescriptorOf).
func (t *GraphTrace) Descriptor(k int) (opml.NodeDescriptor, [][]byte, error) {
	return opml.NodeDescriptorOf(t.Model.Model, k, t.Tensors)
}

// World is the chain and the game type a scenario is played on.
type World struct {
	Cfg   *dispute.Config
	Truth *Truth
	Jobs  []dispute.Job
	// Blocks and nodes are the chain's size (for choosing faults).
	Blocks, Nodes uint64
	// Steps returns the VM steps of node k of block b (for choosing a
	// divergence step).
	Steps func(b, k uint64) uint64
}
