package dispute

import (
	"encoding/binary"
	"errors"
	"sync"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
)

// NodeVM builds real phase-3 traces: the node program (opml/nodevm/node)
// run in fpvm on the node's data with the claimed output commitment. It
// keeps a checkpoint every Every steps and computes the hash at a trace
// index by running fpvm from the nearest checkpoint, so a trace of N steps
// costs N steps once and at most Every steps per query. The part of the run
// before the program reads the claim is shared by every claim on a node.
type NodeVM struct {
	Program state.State
	Every   uint64
	Max     uint64

	mu       sync.Mutex
	prefixes map[Hash]*prefix
}

type prefix struct {
	checkpoints []state.State // at steps 0, Every, 2·Every, … up to the claim read
	paused      state.State   // at the claim read
	steps       uint64
}

// Factory returns the VMFactory of n.
func (n *NodeVM) Factory() VMFactory { return n.trace }

func (n *NodeVM) trace(g *GraphTrace, k uint64, out Hash) (VMTrace, error) {
	desc, ops, err := opml.NodeDescriptorOf(g.Model.Model, int(k), g.Tensors)
	if err != nil {
		return nil, err
	}
	base := nodevm.NodeData(desc, ops)
	p, err := n.prefix(desc.Encode(), base)
	if err != nil {
		return nil, err
	}
	data := spec.Data{Preimages: nodevm.WithClaim(base, out)}
	t := &nodeTrace{every: n.Every, data: data, checkpoints: append([]state.State(nil), p.checkpoints...), hashes: map[uint64]Hash{}}
	vm, err := fpvm.FromState(p.paused)
	if err != nil {
		return nil, err
	}
	steps := p.steps
	for !vm.Exited {
		if steps >= n.Max {
			return nil, nodevm.ErrStepLimit
		}
		next := (steps/n.Every + 1) * n.Every
		ran, err := vm.Run(data, next-steps)
		steps += ran
		if err != nil {
			return nil, err
		}
		if steps == next && !vm.Exited {
			t.checkpoints = append(t.checkpoints, vm.State())
		}
	}
	t.n = steps
	return t, nil
}

// prefix runs the claim-independent part of a node's run once.
func (n *NodeVM) prefix(desc []byte, base nodeOracle) (*prefix, error) {
	key := keccak(desc)
	n.mu.Lock()
	defer n.mu.Unlock()
	if p, ok := n.prefixes[key]; ok {
		return p, nil
	}
	vm, err := fpvm.FromState(n.Program)
	if err != nil {
		return nil, err
	}
	p := &prefix{checkpoints: []state.State{n.Program}}
	data := spec.Data{Preimages: base}
	for {
		ran, err := vm.Run(data, n.Every)
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
		p.checkpoints = append(p.checkpoints, vm.State())
	}
	p.paused = vm.State()
	if n.prefixes == nil {
		n.prefixes = map[Hash]*prefix{}
	}
	n.prefixes[key] = p
	return p, nil
}

type nodeOracle = interface{ Preimage([32]byte) ([]byte, bool) }

// nodeTrace is one claim's trace over the checkpoints.
type nodeTrace struct {
	every       uint64
	n           uint64
	data        spec.Data
	checkpoints []state.State
	mu          sync.Mutex
	hashes      map[uint64]Hash
}

func (t *nodeTrace) Steps() uint64 { return t.n }

// at returns a VM at the state after s steps (s <= n).
func (t *nodeTrace) at(s uint64) (*fpvm.VM, error) {
	cp := min(s/t.every, uint64(len(t.checkpoints)-1))
	vm, err := fpvm.FromState(t.checkpoints[cp])
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

func (t *nodeTrace) Hash(j uint64) (Hash, error) {
	s := min(j+1, t.n)
	t.mu.Lock()
	h, ok := t.hashes[s]
	t.mu.Unlock()
	if ok {
		return h, nil
	}
	vm, err := t.at(s)
	if err != nil {
		return Hash{}, err
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
	Steps func(m *Model, k uint64) uint64

	mu    sync.Mutex
	nodes map[Hash]syntheticNode // by descriptor hash
}

type syntheticNode struct {
	n       uint64
	correct Hash
}

var syntheticTag = [8]byte{'O', 'P', 'S', 'Y', 'N', 'V', 'M', 0}

// SyntheticRecord returns the synthetic state after s steps in context c.
func SyntheticRecord(c Hash, s uint64) []byte {
	b := make([]byte, 48)
	copy(b, syntheticTag[:])
	if s != 0 {
		copy(b[8:], c[:])
	}
	binary.BigEndian.PutUint64(b[40:], s)
	return b
}

// SyntheticHash returns the hash of a synthetic state with its status.
func SyntheticHash(c Hash, s, n uint64, valid bool) Hash {
	h := keccak(SyntheticRecord(c, s))
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
	return func(g *GraphTrace, k uint64, out Hash) (VMTrace, error) {
		desc, _, err := opml.NodeDescriptorOf(g.Model.Model, int(k), g.Tensors)
		if err != nil {
			return nil, err
		}
		dh := keccak(desc.Encode())
		correct := g.Commitments[uint64(g.Model.Model.FirstNodeTensor())+k]
		n := y.Steps(g.Model, k)
		y.mu.Lock()
		if y.nodes == nil {
			y.nodes = map[Hash]syntheticNode{}
		}
		y.nodes[dh] = syntheticNode{n, correct}
		y.mu.Unlock()
		return syntheticTrace{ctx: keccak(dh[:], out[:]), n: n, valid: out == correct}, nil
	}
}

type syntheticTrace struct {
	ctx   Hash
	n     uint64
	valid bool
}

func (t syntheticTrace) Steps() uint64 { return t.n }
func (t syntheticTrace) Hash(j uint64) (Hash, error) {
	return SyntheticHash(t.ctx, min(j+1, t.n), t.n, t.valid), nil
}
func (t syntheticTrace) StepData(pre int64) ([]byte, []byte, []byte, error) {
	return SyntheticRecord(t.ctx, min(uint64(pre+1), t.n)), nil, nil, nil
}

// SyntheticPrestate is the synthetic VM's absolute prestate.
func SyntheticPrestate() Hash { return SyntheticHash(Hash{}, 0, 1, false) }

// Verifier returns the synthetic VM's StepVerifier.
func (y *Synthetic) Verifier() StepVerifier {
	return func(stateData, _ []byte, _ [32]byte, d spec.Data) (Hash, error) {
		if len(stateData) != 48 || [8]byte(stateData[:8]) != syntheticTag {
			return Hash{}, errors.New("synthetic: not a synthetic state")
		}
		dh, ok1 := d.Preimages.Preimage(localKey(1))
		out, ok2 := d.Preimages.Preimage(localKey(2))
		if !ok1 || !ok2 || len(dh) != 32 || len(out) != 32 {
			return Hash{}, errors.New("synthetic: missing local data")
		}
		y.mu.Lock()
		node, ok := y.nodes[Hash(dh)]
		y.mu.Unlock()
		if !ok {
			return Hash{}, errors.New("synthetic: unknown node descriptor")
		}
		ctx, s := keccak(dh, out), binary.BigEndian.Uint64(stateData[40:])
		if s != 0 && Hash(stateData[8:40]) != ctx {
			return Hash{}, errors.New("synthetic: state of another context")
		}
		valid := Hash(out) == node.correct
		return SyntheticHash(ctx, min(s+1, node.n), node.n, valid), nil
	}
}
