package trace

import (
	"encoding/binary"
	"errors"
	"sync"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
)

// NodeVM builds real phase-3 traces: the node program (opml/nodevm/node)
// run in fpvm on the node's data with the claimed output commitment. It
// keeps a persistent state as a checkpoint every Every steps, at most
// MaxCheckpoints of them (16 if 0: when there would be more, every other
// one is dropped and the spacing doubles), and computes the hash at a
// trace index by running fpvm from the nearest checkpoint: a trace of N
// steps costs N steps once and at most max(Every, 2N/MaxCheckpoints) per
// query. The part of the run before the program reads the claim is shared
// by every claim on a node. A checkpoint of the MLP's first node holds
// about 725 pages (3 MB).
//
// Under Profile spec.ProfileOPcity, Program is the tensor node program
// (opml/nodevm/nodetensor) and every run's D also holds the node's
// operands in a tensor store (spec.NewTensors), which its tensor_map
// calls bind at their minimal sizes.
type NodeVM struct {
	Program        state.State
	Profile        spec.Profile
	Every          uint64
	MaxCheckpoints int
	Max            uint64

	mu       sync.Mutex
	prefixes map[dispute.Hash]*prefix
}

type prefix struct {
	checkpoints []state.State // at steps 0, every, 2·every, … up to the claim read
	every       uint64
	paused      state.State // at the claim read
	steps       uint64
}

// checkpoints is a list of states at steps 0, every, 2·every, …
type checkpoints struct {
	states []state.State
	every  uint64
	max    int
}

// add appends the state at step len·every, thinning the list to at most
// max states by keeping every other one and doubling the spacing.
func (c *checkpoints) add(s state.State) {
	c.states = append(c.states, s)
	if len(c.states) <= c.max {
		return
	}
	kept := c.states[:0]
	for i := 0; i < len(c.states); i += 2 {
		kept = append(kept, c.states[i])
	}
	c.states, c.every = kept, 2*c.every
}

// next returns the step of the next checkpoint after step s.
func (c *checkpoints) next(s uint64) uint64 { return (s/c.every + 1) * c.every }

// Factory returns the VMFactory of n.
func (n *NodeVM) Factory() VMFactory { return n.trace }

func (n *NodeVM) trace(g *GraphTrace, k uint64, out dispute.Hash) (VMTrace, error) {
	desc, ops, err := g.Descriptor(int(k))
	if err != nil {
		return nil, err
	}
	base := nodevm.NodeData(desc, ops)
	tensors := n.tensors(ops)
	p, err := n.prefix(desc.Encode(), base, tensors)
	if err != nil {
		return nil, err
	}
	data := spec.Data{Preimages: nodevm.WithClaim(base, out), Tensors: tensors}
	cp := checkpoints{states: append([]state.State(nil), p.checkpoints...), every: p.every, max: n.maxCheckpoints()}
	vm, err := fpvm.FromStateIn(n.Profile, p.paused)
	if err != nil {
		return nil, err
	}
	steps := p.steps
	for !vm.Exited {
		if steps >= n.Max {
			return nil, nodevm.ErrStepLimit
		}
		next := cp.next(steps)
		ran, err := vm.Run(data, next-steps)
		steps += ran
		if err != nil {
			return nil, err
		}
		if steps == next && !vm.Exited {
			cp.add(vm.State())
		}
	}
	return &nodeTrace{profile: n.Profile, every: cp.every, n: steps, data: data, checkpoints: cp.states, hashes: map[uint64]dispute.Hash{}}, nil
}

// tensors returns D's tensor store for a node's operands: nil under the
// base profile (no step reads it), the operands under the OPcity profile.
func (n *NodeVM) tensors(ops [][]byte) spec.TensorStore {
	if n.Profile != spec.ProfileOPcity {
		return nil
	}
	return spec.NewTensors(ops...)
}

func (n *NodeVM) maxCheckpoints() int {
	if n.MaxCheckpoints <= 0 {
		return 16
	}
	return max(n.MaxCheckpoints, 2)
}

// prefix runs the claim-independent part of a node's run once.
func (n *NodeVM) prefix(desc []byte, base nodeOracle, tensors spec.TensorStore) (*prefix, error) {
	key := dispute.Keccak(desc)
	n.mu.Lock()
	defer n.mu.Unlock()
	if p, ok := n.prefixes[key]; ok {
		return p, nil
	}
	vm, err := fpvm.FromStateIn(n.Profile, n.Program)
	if err != nil {
		return nil, err
	}
	p := &prefix{}
	cp := checkpoints{states: []state.State{n.Program}, every: max(n.Every, 1), max: n.maxCheckpoints()}
	data := spec.Data{Preimages: base, Tensors: tensors}
	for {
		next := cp.next(p.steps)
		ran, err := vm.Run(data, next-p.steps)
		p.steps += ran
		if nodevm.MissingKey(err) {
			break
		}
		if err != nil {
			return nil, err
		}
		if vm.Exited {
			return nil, errors.New("dispute: the node program exited before reading the claim")
		}
		if p.steps >= n.Max {
			return nil, nodevm.ErrStepLimit
		}
		cp.add(vm.State())
	}
	p.checkpoints, p.every, p.paused = cp.states, cp.every, vm.State()
	if n.prefixes == nil {
		n.prefixes = map[dispute.Hash]*prefix{}
	}
	n.prefixes[key] = p
	return p, nil
}

type nodeOracle = interface{ Preimage([32]byte) ([]byte, bool) }

// nodeTrace is one claim's trace over the checkpoints.
type nodeTrace struct {
	profile     spec.Profile
	every       uint64
	n           uint64
	data        spec.Data
	checkpoints []state.State
	mu          sync.Mutex
	hashes      map[uint64]dispute.Hash
}

func (t *nodeTrace) Steps() uint64 { return t.n }

// at returns a VM at the state after s steps (s <= n).
func (t *nodeTrace) at(s uint64) (*fpvm.VM, error) {
	cp := min(s/t.every, uint64(len(t.checkpoints)-1))
	vm, err := fpvm.FromStateIn(t.profile, t.checkpoints[cp])
	if err != nil {
		return nil, err
	}
	if s > cp*t.every {
		if _, err := vm.Run(t.data, s-cp*t.every); err != nil {
			return nil, err
		}
	}
	return vm, nil
}

func (t *nodeTrace) Hash(j uint64) (dispute.Hash, error) {
	s := min(j+1, t.n)
	t.mu.Lock()
	h, ok := t.hashes[s]
	t.mu.Unlock()
	if ok {
		return h, nil
	}
	vm, err := t.at(s)
	if err != nil {
		return dispute.Hash{}, err
	}
	h = vm.Hash()
	t.mu.Lock()
	t.hashes[s] = h
	t.mu.Unlock()
	return h, nil
}

func (t *nodeTrace) StepData(pre int64) ([]byte, []byte, []byte, error) {
	s := min(uint64(pre+1), t.n)
	vm, err := t.at(s)
	if err != nil {
		return nil, nil, nil, err
	}
	w, err := vm.StepWitness(t.data)
	if err != nil && !vm.Exited {
		return nil, nil, nil, err
	}
	proof := w.Proof
	if proof == nil {
		proof = make([]byte, spec.ProofSize)
	}
	var img []byte
	if w.HasPreimage && w.PreimageKey[0] == spec.KeyTypeKeccak256 && len(w.PreimageValue) >= 8 {
		img = w.PreimageValue[8:]
	}
	return w.State[:], proof, img, nil
}

// Synthetic builds synthetic phase-3 traces for simulations too large for
// the real VM (docs/dispute.md §Synthetic VM): the state after s steps of a
// node run is the 48-byte record "OPSYNVM\0" ‖ c ‖ s (c the local context,
// zero in the initial state, so every run shares one absolute prestate), its
// hash is keccak256 of the record with the VM status byte: UNFINISHED
// before step N, then VALID if the claimed output is the node's true output
// commitment and INVALID otherwise. Its verifier knows each node's N and
// true output, which the natively computed graph trace supplies: it checks
// the game's rules, not the VM.
type Synthetic struct {
	// Steps returns N for node k of a model.
	Steps func(m *dispute.Model, k uint64) uint64

	mu    sync.Mutex
	nodes map[dispute.Hash]syntheticNode // by descriptor hash
}

type syntheticNode struct {
	n       uint64
	correct dispute.Hash
}

var syntheticTag = [8]byte{'O', 'P', 'S', 'Y', 'N', 'V', 'M', 0}

// SyntheticRecord returns the synthetic state after s steps in context c.
func SyntheticRecord(c dispute.Hash, s uint64) []byte {
	b := make([]byte, 48)
	copy(b, syntheticTag[:])
	if s != 0 {
		copy(b[8:], c[:])
	}
	binary.BigEndian.PutUint64(b[40:], s)
	return b
}

// SyntheticHash returns the hash of a synthetic state with its status.
func SyntheticHash(c dispute.Hash, s, n uint64, valid bool) dispute.Hash {
	h := dispute.Keccak(SyntheticRecord(c, s))
	switch {
	case s < n:
		h[0] = 3
	case valid:
		h[0] = 0
	default:
		h[0] = 1
	}
	return h
}

// Factory returns the VMFactory of the synthetic VM.
func (y *Synthetic) Factory() VMFactory {
	return func(g *GraphTrace, k uint64, out dispute.Hash) (VMTrace, error) {
		desc, _, err := g.Descriptor(int(k))
		if err != nil {
			return nil, err
		}
		dh := dispute.Keccak(desc.Encode())
		correct := g.Commitments[uint64(g.Model.Model.FirstNodeTensor())+k]
		n := y.Steps(g.Model, k)
		y.mu.Lock()
		if y.nodes == nil {
			y.nodes = map[dispute.Hash]syntheticNode{}
		}
		y.nodes[dh] = syntheticNode{n, correct}
		y.mu.Unlock()
		return syntheticTrace{ctx: dispute.Keccak(dh[:], out[:]), n: n, valid: out == correct}, nil
	}
}

type syntheticTrace struct {
	ctx   dispute.Hash
	n     uint64
	valid bool
}

func (t syntheticTrace) Steps() uint64 { return t.n }
func (t syntheticTrace) Hash(j uint64) (dispute.Hash, error) {
	return SyntheticHash(t.ctx, min(j+1, t.n), t.n, t.valid), nil
}
func (t syntheticTrace) StepData(pre int64) ([]byte, []byte, []byte, error) {
	return SyntheticRecord(t.ctx, min(uint64(pre+1), t.n)), nil, nil, nil
}

// SyntheticPrestate is the synthetic VM's absolute prestate.
func SyntheticPrestate() dispute.Hash { return SyntheticHash(dispute.Hash{}, 0, 1, false) }

// Verifier returns the synthetic VM's StepVerifier.
func (y *Synthetic) Verifier() dispute.StepVerifier {
	return func(stateData, _ []byte, _ [32]byte, d spec.Data) (dispute.Hash, error) {
		if len(stateData) != 48 || [8]byte(stateData[:8]) != syntheticTag {
			return dispute.Hash{}, errors.New("synthetic: not a synthetic state")
		}
		dh, ok1 := d.Preimages.Preimage(guest.LocalKey(guest.LocalDescriptor))
		out, ok2 := d.Preimages.Preimage(guest.LocalKey(guest.LocalClaim))
		if !ok1 || !ok2 || len(dh) != 32 || len(out) != 32 {
			return dispute.Hash{}, errors.New("synthetic: missing local data")
		}
		y.mu.Lock()
		node, ok := y.nodes[dispute.Hash(dh)]
		y.mu.Unlock()
		if !ok {
			return dispute.Hash{}, errors.New("synthetic: unknown node descriptor")
		}
		ctx, s := dispute.Keccak(dh, out), binary.BigEndian.Uint64(stateData[40:])
		if s != 0 && dispute.Hash(stateData[8:40]) != ctx {
			return dispute.Hash{}, errors.New("synthetic: state of another context")
		}
		valid := dispute.Hash(out) == node.correct
		return SyntheticHash(ctx, min(s+1, node.n), node.n, valid), nil
	}
}
