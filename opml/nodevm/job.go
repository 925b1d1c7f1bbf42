package nodevm

import (
	"fmt"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// Job is one node of a model on one input, ready to be recomputed in the
// VM: the node's descriptor and operands and the native executor's output
// commitment, which a run's claim is checked against.
type Job struct {
	Model      *opml.Model
	Node       int
	Descriptor opml.NodeDescriptor
	Operands   [][]byte
	Native     memory.Hash
}

// NewJob runs nodes 0..k of m natively on input and prepares node k. The
// nodes after k are never computed: node k reads only tensors with smaller
// ids, so their work (up to opml.MaxWork, seconds natively) is not paid for
// a node that does not need it (requirement CLI-NODE-BOUND; issue 15 item
// 3's 404-byte model asks node 0 of a model whose last three nodes hold
// 99% of the work). Errors: k out of range, the *opml.FormatError of
// m.Validate, *opml.InputError.
func NewJob(m *opml.Model, input []byte, k int) (Job, error) {
	if k < 0 || k >= len(m.Nodes) {
		return Job{}, fmt.Errorf("node %d: the model has nodes 0-%d", k, len(m.Nodes)-1)
	}
	if err := m.Validate(); err != nil {
		return Job{}, err
	}
	e, err := opml.NewExecutor(Prefix(*m, k), 1)
	if err != nil {
		return Job{}, err
	}
	tensors, err := e.Tensors(input)
	if err != nil {
		return Job{}, err
	}
	d, ops, err := opml.NodeDescriptorOf(*m, k, tensors)
	if err != nil {
		return Job{}, err
	}
	return Job{Model: m, Node: k, Descriptor: d, Operands: ops, Native: opml.ComputeTensorRoot(tensors[m.Nodes[k].Output])}, nil
}

// Prefix returns the model made of m's constants, inputs and nodes 0..k,
// with node k's output as its only output: the same tensor ids, and the
// same bytes for every tensor it has on every input. Precondition: m is
// valid and 0 <= k < len(m.Nodes); the result is then valid (a subset of
// m's nodes, each reading only smaller ids). It shares m's tensors and
// nodes.
func Prefix(m opml.Model, k int) opml.Model {
	out := m.Consts + m.Inputs + k
	return opml.Model{Consts: m.Consts, Inputs: m.Inputs, Tensors: m.Tensors[:out+1], Nodes: m.Nodes[:k+1], Outputs: []int{out}}
}

// Program is the node program's import path under profile p: NodeProgram
// (operands through the preimage oracle) or TensorNodeProgram (tensor_map
// and tensor_root).
func Program(p spec.Profile) string {
	if p == spec.ProfileOPcity {
		return TensorNodeProgram
	}
	return NodeProgram
}

// Machine returns a machine that recomputes j from prog, the initial state
// of Program(p), under profile p (with j's operands as D's tensor store
// under the OPcity profile).
func (j Job) Machine(prog state.State, p spec.Profile) *Machine {
	m := &Machine{State: prog, Profile: p}
	if p == spec.ProfileOPcity {
		m.Tensors = spec.NewTensors(j.Operands...)
	}
	return m
}

// Data is the oracle a run of j reads, with claim as its claim.
func (j Job) Data(claim memory.Hash) spec.PreimageMap {
	return WithClaim(NodeData(j.Descriptor, j.Operands), claim)
}

// Verdict is what a finished run of the node program says of its claim.
type Verdict int

// The verdicts, by the program's exit code (docs/opml.md §7).
const (
	NoVerdict  Verdict = iota // the run stopped or the program reported bad input
	ClaimRight                // exit 0
	ClaimWrong                // exit 1
)

// VerdictOf is m's verdict after Run returned runErr.
func VerdictOf(m *Machine, runErr error) Verdict {
	switch {
	case runErr != nil || !m.State.Exited:
		return NoVerdict
	case m.State.ExitCode == 0:
		return ClaimRight
	case m.State.ExitCode == 1:
		return ClaimWrong
	}
	return NoVerdict
}
