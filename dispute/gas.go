package dispute

import "github.com/opcity-spec/opcity/spec/state"

// GasModel prices every action as a transaction of the OPcity game on
// chain (docs/dispute.md §12, Gas model). The execution figures are
// measured: TestEVM_DISPUTE_GAS (conformance/cannon/evm) replays the
// simulator's library against OPcityDisputeGame in go-ethereum's EVM and
// `make gas-dispute` writes them to gas_measured.go (MeasuredGas) and
// docs/report/dispute-gas.json, with the model's error against every
// replayed action. A transaction costs
//
//	Tx + max(calldata + execution, FloorToken · tokens)
//
// (EIP-2028 calldata, 4 gas per zero byte and 16 per other byte; EIP-7623's
// floor, 10 gas per token, a nonzero byte counting 4 tokens), with the
// execution net of its storage refund. Only the large-preimage figures
// (LargeBase, LargeBlock) are assumed: no game of the library uploads a
// preimage over LargeMin bytes.
type GasModel struct {
	Tx          uint64 // per transaction (21,000)
	ZeroByte    uint64 // per zero calldata byte (4)
	NonzeroByte uint64 // per other calldata byte (16)
	FloorToken  uint64 // EIP-7623's floor per token (10)

	// Move is a move's execution in phase 1, 2 and 3; PhaseRoot a move
	// that makes a phase-2 root (the job binding) or a phase-3 root (the
	// node binding and the operand openings).
	Move      [3]uint64
	PhaseRoot [2]uint64
	// FirstChild is a move's extra execution when its parent has no child
	// yet (the parent's list of children leaves zero: a fresh slot).
	FirstChild uint64
	// LocalData is one addLocalData transaction, whole; a VM step sends two
	// (the descriptor and the claim, docs/dispute.md §17). LocalDataAgain
	// is the same when a step in the same phase-3 context already loaded
	// them (the oracle's slots keep their values).
	LocalData, LocalDataAgain uint64
	// Step is the game's step execution besides its call into the VM
	// (measured with SyntheticStepper as the VM, the call's own gas
	// taken out); VMStep the VM's step execution by profile (MIPS64.sol,
	// MIPS64OPcity): the median over the steps of make gas-opcity.
	Step   uint64
	VMStep [2]uint64
	// StepGraph is stepTransition's execution.
	StepGraph uint64
	// ResolveClaim is resolveClaim's execution in one call: a base, a
	// slope per child scanned, NewCredit when it credits an address that
	// had none (a fresh storage slot), and Counter when it counters the
	// claim (a child's claimant recorded).
	ResolveClaim, ResolveChild, NewCredit, Counter uint64
	Resolve                                        uint64 // resolve()'s execution
	// ClaimCredit is a party's whole cost of being paid: claimCredit to
	// unlock its credit in the vault, then again to withdraw it.
	ClaimCredit uint64
	// Small preimages: PreimageOracle.loadKeccak256PreimagePart, a base
	// and a slope per 32-byte word of the preimage.
	PreimageBase, PreimageWord uint64
	// Large preimages (≥ LargeMin bytes, OP's MinProposalSizeBytes,
	// 126,000): assumed LPP init + squeeze and a cost per 136-byte block.
	LargeMin, LargeBase, LargeBlock uint64
	// Tensors: the game's uploadTensor, a base and a slope per 32-byte word.
	TensorBase, TensorWord uint64
}

// DefaultGas is the gas model of the figures in docs/dispute.md and the
// reports: the measured figures of gas_measured.go.
var DefaultGas = MeasuredGas

// calldata counts a transaction's calldata bytes.
type calldata struct{ zero, nonzero uint64 }

// words adds n ABI words, counted as nonzero bytes (hashes, most of them).
func (d calldata) words(n int) calldata {
	d.nonzero += 32 * uint64(n)
	return d
}

// bytes adds b as ABI-encoded bytes: a length word and b padded to words.
func (d calldata) bytes(b []byte) calldata {
	d = d.words(2) // offset and length
	for _, x := range b {
		if x == 0 {
			d.zero++
		} else {
			d.nonzero++
		}
	}
	d.zero += uint64(-len(b) & 31)
	return d
}

// tx returns a transaction's gas: execution exec plus calldata d plus the
// 4-byte selector, at least the EIP-7623 floor.
func (m GasModel) tx(exec uint64, d calldata) uint64 {
	d.nonzero += 4
	cd := m.ZeroByte*d.zero + m.NonzeroByte*d.nonzero
	return m.Tx + max(cd+exec, m.FloorToken*(d.zero+4*d.nonzero))
}

// Cost returns the gas of action a, taken on game g and giving game next
// (next is consulted only for the credits a resolution creates).
func (m GasModel) Cost(g, next Game, a Action) uint64 {
	switch a.Kind {
	case ActMove:
		return m.tx(m.moveExec(g, a.Move.Parent), moveCalldata(a.Move))
	case ActStep:
		vm := m.VMStep[0]
		if g.Config().Profile != 0 {
			vm = m.VMStep[1]
		}
		return m.stepLoads(g, a) + m.tx(m.Step+vm, calldata{}.words(2).bytes(a.StateData).bytes(a.Proof))
	case ActStepTransition:
		return m.tx(m.StepGraph, calldata{}.words(2).words(2+g.Config().Split2-g.Config().Split1))
	case ActResolveClaim:
		n := 0
		if a.Claim >= 0 && a.Claim < g.Len() {
			n = len(g.claims[a.Claim].Children)
		}
		exec := m.ResolveClaim + m.ResolveChild*uint64(n)
		if NewCredits(g, next) > 0 {
			exec += m.NewCredit
		}
		if CounteredAtResolution(g, next, a.Claim) {
			exec += m.Counter
		}
		return m.tx(exec, calldata{}.words(2))
	case ActResolve:
		return m.tx(m.Resolve, calldata{})
	case ActUploadPreimage:
		n := uint64(len(a.Data))
		if n >= m.LargeMin {
			return m.tx(m.LargeBase+m.LargeBlock*((n+135)/136), calldata{}.bytes(a.Data))
		}
		return m.tx(m.PreimageBase+m.PreimageWord*words(n), calldata{}.words(1).bytes(a.Data))
	case ActUploadTensor:
		return m.tx(m.TensorBase+m.TensorWord*words(uint64(len(a.Data))), calldata{}.bytes(a.Data))
	}
	return m.Tx
}

// moveExec returns the execution of a move under claim parent: by the
// phase of the claim it makes, or the phase root it makes.
func (m GasModel) moveExec(g Game, parent int) uint64 {
	d, first := 1, true
	if parent >= 0 && parent < g.Len() {
		d, first = g.claims[parent].Position.Depth()+1, len(g.claims[parent].Children) == 0
	}
	var extra uint64
	if first {
		extra = m.FirstChild
	}
	cfg := g.Config()
	switch {
	case d == cfg.Split1+1:
		return m.PhaseRoot[0] + extra
	case d == cfg.Split2+1:
		return m.PhaseRoot[1] + extra
	}
	return m.Move[min(max(cfg.Phase(d), 1), 3)-1] + extra
}

// moveCalldata counts a move's arguments: parent, direction, disputed
// value, value, the opening and each operand with their siblings.
func moveCalldata(mv Move) calldata {
	d := calldata{}.words(4 + len(mv.Operands))
	if mv.Opening != nil {
		d = d.words(3 + len(mv.Opening.Siblings))
	}
	for _, o := range mv.Operands {
		d = d.words(3 + len(o.Siblings))
	}
	return d
}

// stepLoads returns the gas of the oracle loads that precede VM step a
// (docs/dispute.md §17): a MIPS state (state.WitnessSize bytes) loads the
// part its preimage key and offset (bytes 32..72) select, when it has
// one: a local key (type 1) by one addLocalData, a keccak256 key (type 2)
// whose preimage g holds by one loadKeccak256PreimagePart; the synthetic
// VM's state loads its two local keys. Local data costs LocalDataAgain
// once a step in the same context loaded it (SteppedContext).
func (m GasModel) stepLoads(g Game, a Action) uint64 {
	ld := m.LocalData
	if SteppedContext(g, a.Claim) {
		ld = m.LocalDataAgain
	}
	if len(a.StateData) != state.WitnessSize {
		return 2 * ld
	}
	var key Hash
	copy(key[:], a.StateData[32:64])
	switch key[0] {
	case 1:
		return ld
	case 2:
		if v, ok := g.Preimage(key); ok {
			return m.tx(m.PreimageBase+m.PreimageWord*words(uint64(len(v))), calldata{}.words(1).bytes(v))
		}
	}
	return 0
}

// words returns the 32-byte words of n bytes.
func words(n uint64) uint64 { return (n + 31) / 32 }

// SteppedContext reports whether a claim of g in the phase-3 context of
// claim i was already countered by a VM step (a max-depth claim has no
// children, so only a step counters it): its local data is then loaded.
func SteppedContext(g Game, i int) bool {
	if i < 0 || i >= g.Len() {
		return false
	}
	lc := g.claims[i].Context.LocalContext
	for _, c := range g.claims {
		if c.Position.Depth() == g.cfg.MaxDepth && c.CounteredBy != "" && c.Context.LocalContext == lc {
			return true
		}
	}
	return false
}

// CounteredAtResolution reports whether resolving claim i of g, giving
// next, countered it.
func CounteredAtResolution(g, next Game, i int) bool {
	return i >= 0 && i < g.Len() && i < next.Len() && g.claims[i].CounteredBy == "" && next.claims[i].CounteredBy != ""
}

// NewCredits returns the number of addresses credited in next and not in g.
func NewCredits(g, next Game) int {
	n := 0
	for a, v := range next.credit {
		if v > 0 && g.credit[a] == 0 {
			n++
		}
	}
	return n
}

// ClaimCreditCost returns the gas a party with a credit pays to be paid it.
func (m GasModel) ClaimCreditCost() uint64 { return m.ClaimCredit }
