package dispute

import (
	"math/bits"
	"sync"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Hash is a 32-byte commitment.
type Hash = memory.Hash

// StepVerifier checks one VM step: from the 188-byte pre-state and the proof
// it returns the post-state hash. spec.VerifyStep is the reference; the
// simulator may substitute the synthetic VM's (trace.Synthetic.Verifier).
type StepVerifier func(stateData, proof []byte, localContext [32]byte, d spec.Data) (Hash, error)

// Config is a game type: the tree geometry, clocks, bond curve, the model
// registry and the VM. Depths: phase 1 (output roots) occupies depths
// 0..Split1, phase 2 (graph states) Split1+1..Split2, phase 3 (VM states)
// Split2+1..MaxDepth; a step is a move to MaxDepth+1.
type Config struct {
	Split1, Split2, MaxDepth int

	// Clocks in seconds (OP mainnet: 302,400 / 10,800; the phase-3 step
	// extension adds the 86,400 s preimage challenge period).
	MaxClock       uint64
	ClockExtension uint64
	// PhaseExtension is the extension before a phase root (the
	// grandchild is a phase root, so the mover must build a whole trace).
	PhaseExtension uint64
	// StepExtension is the extension before a step.
	StepExtension uint64

	// The bond curve: Bond(d) = BaseFee · BaseGas · (HighGas/BaseGas)^(d/MaxDepth)
	// gwei, computed as OP's getRequiredBond computes it (bond.go; OP:
	// 200 gwei, 400,000 and 300,000,000 gas).
	BaseFee, BaseGas, HighGas uint64

	// Anchor is the output root before block 0 of the chain.
	Anchor Hash
	// Models is the registry of models jobs may name, by Model.Hash.
	Models map[Hash]*Model
	// Inbox is the chain's job record the game type reads (NewGame).
	Inbox *Inbox
	// AbsolutePrestate is the node program's initial state hash.
	AbsolutePrestate Hash
	// Verifier checks steps (spec.VerifyStepIn(Profile, …) when nil).
	Verifier StepVerifier
	// Profile is the VM profile of phase 3 (docs/dispute.md §13): under
	// spec.ProfileBase (the zero value) the node program runs on Cannon's
	// syscalls; under spec.ProfileOPcity the tensor node program binds its
	// operands with tensor_map, and a step's D also serves, by commitment
	// and size, every uploaded tensor and the registered model's constants.
	Profile spec.Profile

	bonds []uint64
	// legacyTransitionRule restores the unsound transition step that
	// treated a well-formed node transition as proven correct; only the
	// exhaustive checker's regression test sets it, to show the checker
	// finds the break by itself.
	legacyTransitionRule bool
}

// Model is a registered model: the decoded model and the commitments of
// its constants, from which the graph state before node 0 of any job follows.
type Model struct {
	Model  opml.Model
	Hash   Hash
	Consts []Hash
	// StepBound, indexed by spec.Profile, is the registered bound of the
	// node program's trace under that profile: the most steps from the
	// absolute prestate to exit, over every node and every input. Zero
	// means no bound is registered, and Validate refuses the model.
	StepBound [2]uint64

	constOnce  sync.Once
	constStore *spec.Tensors
	updates    sync.Map // isUpdate's memo
}

// ConstTensors returns a tensor store (spec.NewTensors) over the model's
// constants, built once.
func (r *Model) ConstTensors() *spec.Tensors {
	r.constOnce.Do(func() {
		var ts [][]byte
		for i := 0; i < r.Model.Consts; i++ {
			ts = append(ts, r.Model.Tensors[i].Data)
		}
		r.constStore = spec.NewTensors(ts...)
	})
	return r.constStore
}

// RegisterModel returns the registry entry of m.
func RegisterModel(m opml.Model) *Model {
	r := &Model{Model: m, Hash: m.Hash()}
	for i := 0; i < m.Consts; i++ {
		r.Consts = append(r.Consts, opml.ComputeTensorRoot(m.Tensors[i].Data))
	}
	return r
}

// InitialRoot returns the graph state before node 0 for the given input
// commitments: ComputeGraphRoot over the constants' then the inputs'
// commitments (requirement DISPUTE-BIND, docs/opml.md §6.2).
func (r *Model) InitialRoot(inputs []Hash) Hash {
	return opml.ComputeGraphRoot(append(append([]Hash{}, r.Consts...), inputs...), len(r.Model.Tensors))
}

// TableDepth returns the height of the graph-state table's Merkle tree.
func (r *Model) TableDepth() int {
	return int(opml.GraphTableLog2Size(len(r.Model.Tensors))) - memory.LeafLog2
}

// Phase returns the phase (1, 2 or 3) of a claim at depth d.
func (c *Config) Phase(d int) int {
	switch {
	case d <= c.Split1:
		return 1
	case d <= c.Split2:
		return 2
	}
	return 3
}

// PhaseLeafDepth returns the leaf depth of phase p.
func (c *Config) PhaseLeafDepth(p int) int {
	return [...]int{0, c.Split1, c.Split2, c.MaxDepth}[p]
}

// Validate checks the geometry and the clocks (OP's constructor checks, per
// phase) and precomputes the bond table. Errors: *Error CodeBadConfig.
func (c *Config) Validate() error {
	switch {
	case c.Split1 < 1 || c.Split2 < c.Split1+1 || c.MaxDepth < c.Split2+2 || c.MaxDepth > 61:
		return errorf(CodeBadConfig, "depths %d/%d/%d: need 1 <= split1 < split2 < max-1 <= 60", c.Split1, c.Split2, c.MaxDepth)
	case c.MaxClock == 0 || 2*max(c.ClockExtension, c.PhaseExtension, c.StepExtension) > c.MaxClock:
		return errorf(CodeBadConfig, "clock %d with extensions %d/%d/%d", c.MaxClock, c.ClockExtension, c.PhaseExtension, c.StepExtension)
	case c.BaseGas == 0 || c.HighGas < c.BaseGas:
		return errorf(CodeBadConfig, "bond gas %d..%d", c.BaseGas, c.HighGas)
	case c.Profile != spec.ProfileBase && c.Profile != spec.ProfileOPcity:
		return errorf(CodeBadConfig, "profile %d", c.Profile)
	}
	if err := c.checkStepBounds(); err != nil {
		return err
	}
	c.bonds = bondTable(c.BaseFee, c.BaseGas, c.HighGas, c.MaxDepth)
	return nil
}

// VMDepth returns the least phase-3 depth w (MaxDepth − Split2 − 1) whose
// 2^w trace indices hold r's registered step bound under profile p.
func (r *Model) VMDepth(p spec.Profile) int { return bits.Len64(max(r.StepBound[p], 1) - 1) }

// VMSteps returns the number of steps phase 3's trace holds: 2^w trace
// indices, w = MaxDepth − Split2 − 1, index j committing to the state
// after min(j+1, N) steps of an N-step run.
func (c *Config) VMSteps() uint64 { return 1 << uint(c.MaxDepth-c.Split2-1) }

// checkStepBounds checks that phase 3 holds the longest node trace of
// every registered model under the game's profile (requirement
// DISPUTE-VMDEPTH): a run longer than VMSteps would be unfinished at the
// last trace index, and no VM root could then be bound on it.
func (c *Config) checkStepBounds() error {
	for h, r := range c.Models {
		b := r.StepBound[c.Profile]
		switch {
		case b == 0:
			return errorf(CodeBadConfig, "model %s has no registered step bound under profile %d", h, c.Profile)
		case b > c.VMSteps():
			return errorf(CodeBadConfig, "model %s: node traces of up to %d steps, phase 3 holds %d (VM depth %d)", h, b, c.VMSteps(), c.MaxDepth-c.Split2-1)
		}
	}
	return nil
}

// Bond returns the required bond in gwei of a claim at depth d
// (requirement DISPUTE-BOND). Precondition: Validate succeeded.
func (c *Config) Bond(d int) uint64 {
	if d < 0 || d >= len(c.bonds) {
		return 0
	}
	return c.bonds[d]
}

// bondTable returns the bond in gwei at every depth 0..maxDepth+1: fee
// gwei per gas of getRequiredBond's requiredGas (bondGas, in the chain's
// 256-bit arithmetic), which with OP's constants is RequiredBond / 10^9
// exactly. Depth maxDepth+1, where the contract reverts, is priced by the
// same formula for the illegal moves the simulator tries.
func bondTable(fee, base, high uint64, maxDepth int) []uint64 {
	out := make([]uint64, maxDepth+2)
	for d := range out {
		out[d] = bondGas(base, high, uint64(d), uint64(maxDepth)).Uint64() * fee
	}
	return out
}

// DefaultClocks sets OP mainnet's clocks on c: 3.5 days per team, 3 h
// extension, 6 h before a phase root, 3 h + the 24 h preimage challenge
// period before a step; and OP's bond curve.
func DefaultClocks(c *Config) {
	c.MaxClock, c.ClockExtension, c.PhaseExtension, c.StepExtension = 302400, 10800, 21600, 97200
	c.BaseFee, c.BaseGas, c.HighGas = 200, 400000, 300000000
}
