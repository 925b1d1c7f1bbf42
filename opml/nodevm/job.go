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

// NewJob runs m natively on input and prepares node k.
func NewJob(m *opml.Model, input []byte, k int) (Job, error) {
	if k < 0 || k >= len(m.Nodes) {
		return Job{}, fmt.Errorf("node %d: the model has nodes 0-%d", k, len(m.Nodes)-1)
	}
	e, err := opml.NewExecutor(*m, 1)
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
