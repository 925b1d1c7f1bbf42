package dispute

// GasModel prices every action (docs/dispute.md §Gas model). The constants
// come from public sources (OP's ~200k-gas move, half the 400,000-gas
// depth-0 bond of ethereum-optimism/specs bond-incentives.md §Bond Scaling;
// the 126,000-byte large-preimage threshold, MinProposalSizeBytes in
// op-deployer/pkg/deployer/standard/standard.go:25 of optimism v1.19.6; 16
// gas per non-zero calldata byte, EIP-2028) or are stated assumptions.
type GasModel struct {
	Tx            uint64 // per transaction (21,000)
	Calldata      uint64 // per calldata byte (16)
	Move          uint64 // a move's execution (OP: ~200,000 per move incl. tx; 179,000 here)
	Step          uint64 // MIPS64.sol step execution (assumed 300,000)
	StepGraph     uint64 // a transition step: one path fold (assumed 60,000)
	ResolveClaim  uint64 // resolveClaim's base (assumed 60,000)
	ResolveChild  uint64 // per child read in resolveClaim (assumed 2,500)
	Resolve       uint64 // resolve() (assumed 50,000)
	PreimageStore uint64 // storing a small preimage part (two SSTOREs, 44,000)
	LargeMin      uint64 // large-preimage threshold in bytes (OP config: 126,000)
	LargeBase     uint64 // LPP init + squeeze (assumed 200,000)
	LargeBlock    uint64 // LPP per 136-byte keccak block (assumed 1,500)
	TensorLeaf    uint64 // per 32-byte leaf of an on-chain tensor root (assumed 50)
	TensorStore   uint64 // registering a tensor (22,000)
}

// DefaultGas is the gas model of the figures in docs/dispute.md.
var DefaultGas = GasModel{Tx: 21000, Calldata: 16, Move: 179000, Step: 300000, StepGraph: 60000,
	ResolveClaim: 60000, ResolveChild: 2500, Resolve: 50000, PreimageStore: 44000,
	LargeMin: 126000, LargeBase: 200000, LargeBlock: 1500, TensorLeaf: 50, TensorStore: 22000}

// Cost returns the gas of action a taken on game g (before it applies).
func (m GasModel) Cost(g Game, a Action) uint64 {
	switch a.Kind {
	case ActMove:
		bytes := 32 * uint64(3+len(a.Move.Operands))
		if a.Move.Opening != nil {
			bytes += 32 * uint64(1+len(a.Move.Opening.Siblings))
		}
		for _, o := range a.Move.Operands {
			bytes += 32 * uint64(1+len(o.Siblings))
		}
		return m.Tx + m.Move + m.Calldata*bytes
	case ActStep:
		return m.Tx + m.Step + m.Calldata*uint64(len(a.StateData)+len(a.Proof)+64)
	case ActStepTransition:
		return m.Tx + m.StepGraph + m.Calldata*64
	case ActResolveClaim:
		n := 0
		if a.Claim >= 0 && a.Claim < g.Len() {
			n = len(g.claims[a.Claim].Children)
		}
		return m.Tx + m.ResolveClaim + m.ResolveChild*uint64(n)
	case ActResolve:
		return m.Tx + m.Resolve
	case ActUploadPreimage:
		n := uint64(len(a.Data))
		if n >= m.LargeMin {
			return m.Tx + m.LargeBase + m.Calldata*n + m.LargeBlock*((n+135)/136)
		}
		return m.Tx + m.PreimageStore + m.Calldata*n
	case ActUploadTensor:
		n := uint64(len(a.Data))
		return m.Tx + m.TensorStore + m.Calldata*n + m.TensorLeaf*((n+31)/32)
	}
	return m.Tx
}
