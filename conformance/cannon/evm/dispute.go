package evm

import (
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/holiman/uint256"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/opml"
)

// GweiWei is the factor from the Go rules' bonds (gwei) to the contract's (wei).
const GweiWei = 1_000_000_000

// DisputeWithdrawalDelay is the BondVault delay of the deployed games (OP's
// DelayedWETH: 7 days); DisputeFinalityDelay the delay between resolve and
// closeGame (OP's airgap: 3.5 days).
const (
	DisputeWithdrawalDelay = 604800
	DisputeFinalityDelay   = 302400
)

// revertCodes maps the game's custom errors to the Go rule's codes
// (contracts/src/OPcityDisputeGame.sol lists them in Code order). The
// errors with no Go code (the on-chain-only guards) map to CodeChainOnly.
var revertCodes = map[string]dispute.Code{
	"GameOver": dispute.CodeGameOver, "BadIndex": dispute.CodeBadIndex, "DefendRoot": dispute.CodeDefendRoot,
	"BadDepth": dispute.CodeDepth, "WrongBond": dispute.CodeWrongBond, "ClockExpired": dispute.CodeClockExpired,
	"DuplicateClaim": dispute.CodeDuplicate, "SubgameResolved": dispute.CodeResolved,
	"UnboundPhaseRoot": dispute.CodeUnboundPhaseRoot, "BadOpening": dispute.CodeBadOpening,
	"DataUnavailable": dispute.CodeUnavailable, "StepPrestate": dispute.CodeStepPrestate,
	"StepFailed": dispute.CodeStepFailed, "ValidStep": dispute.CodeValidStep, "DuplicateStep": dispute.CodeDuplicateStep,
	"ClockNotExpired": dispute.CodeClockNotExpired, "OutOfOrder": dispute.CodeOutOfOrder, "NotResolved": dispute.CodeNotResolved,
}

// CodeChainOnly is the code DisputeChain reports for a revert that has no
// Go code: an on-chain-only guard, a failed call, or an unknown revert.
const CodeChainOnly dispute.Code = -1

// DisputeChain is one OPcity dispute game deployed in an in-memory chain
// with its factory, bond vault, the game type's VM and the preimage oracle
// (StepOracle), ready to replay the Go rules' actions (ApplyAction) and to
// be compared with a Go game (Compare). Not safe for concurrent use.
type DisputeChain struct {
	h   *Harness
	db  *state.StateDB
	cfg *dispute.Config

	vault, factory, impl, game, stepper common.Address
	vm                                  common.Address // the game type's VM
	gameABI, factoryABI, vaultABI       abi.ABI
	stepperABI                          abi.ABI
	typeID                              *big.Int

	parties map[dispute.Address]common.Address
	names   map[common.Address]dispute.Address
	jumps   jumpDests
	// PageSize is the number of children resolveClaim scans per call (0:
	// all in one call).
	PageSize int
	// Gas, when set, receives every transaction's gas.
	Gas func(g GasRecord)
	// skipLoad, when set, is ReplayOptions.SkipLoad.
	skipLoad func(kind string) bool
}

// GasRecord is the gas of one transaction of a replayed action.
type GasRecord struct {
	Kind     string // the action kind, with its phase or role (DisputeGasKind)
	Party    dispute.Address
	Exec     uint64 // execution gas of the call (runtime.Call), before its refund
	Calldata uint64 // intrinsic gas of the calldata (EIP-2028, 4/16 per byte)
	Floor    uint64 // EIP-7623's calldata floor (10 per token)
	Refund   uint64 // the call's storage refund counter (EIP-3529)
	Children int    // resolveClaim: the children scanned
	Accepted bool
	Code     dispute.Code // 0 when accepted, else the revert's Go code (CodeChainOnly: none)
	VMGas    uint64       // a step: the gas the game's call to the game type's VM used (part of Exec)
	Action   int          // the replayed action's index among the submitted ones (replay; -1 for the payout after the game), else 0
}

// Tx returns the transaction's gas as a Prague block charges it: 21,000 +
// calldata + execution, less the refund (at most a fifth of that,
// EIP-3529), and at least 21,000 + the calldata floor (EIP-7623).
func (r GasRecord) Tx() uint64 {
	used := params.TxGas + r.Calldata + r.Exec
	used -= min(r.Refund, used/params.RefundQuotientEIP3529)
	return max(used, params.TxGas+r.Floor)
}

// PartyAddress returns the EVM account of a Go party: the last 20 bytes
// of keccak256("opcity party " ‖ name).
func PartyAddress(a dispute.Address) common.Address {
	return common.BytesToAddress(crypto.Keccak256([]byte("opcity party " + string(a)))[12:])
}

// NewDisputeChain deploys BondVault, the game implementation, the factory
// and SyntheticStepper on a copy of h's chain, registers every model of
// cfg and the game type (bonds Bond(d)·GweiWei, the inbox's jobs, the
// profile; vm is the game type's VM, the zero address for SyntheticStepper)
// and creates the game with root claim root by proposer at time now.
func NewDisputeChain(h *Harness, cfg *dispute.Config, vmAddr common.Address, root dispute.Hash, proposer dispute.Address, now uint64) (*DisputeChain, error) {
	return newDisputeChain(h, cfg, vmAddr, root, proposer, now, nil)
}

func newDisputeChain(h *Harness, cfg *dispute.Config, vmAddr common.Address, root dispute.Hash, proposer dispute.Address, now uint64, tweak func(*abiGameType)) (*DisputeChain, error) {
	c := &DisputeChain{h: h, db: h.base.Copy(), cfg: cfg, parties: map[dispute.Address]common.Address{}, names: map[common.Address]dispute.Address{}, jumps: jumpDests{}}
	var err error
	if c.vault, c.vaultABI, err = c.deployArtifact("BondVault", big.NewInt(DisputeWithdrawalDelay)); err != nil {
		return nil, err
	}
	if c.impl, c.gameABI, err = c.deployArtifact("OPcityDisputeGame"); err != nil {
		return nil, err
	}
	if c.factory, c.factoryABI, err = c.deployArtifact("OPcityGameFactory", c.impl, c.vault); err != nil {
		return nil, err
	}
	if c.stepper, c.stepperABI, err = c.deployArtifact("SyntheticStepper", h.oracle); err != nil {
		return nil, err
	}
	if vmAddr == (common.Address{}) {
		vmAddr = c.stepper
	}
	c.vm = vmAddr
	for _, m := range cfg.Models {
		if err := c.registerModel(m); err != nil {
			return nil, err
		}
	}
	if err := c.registerType(vmAddr, tweak); err != nil {
		return nil, err
	}
	ret, _, err := c.call(proposer, c.factory, new(big.Int).Mul(new(big.Int).SetUint64(cfg.Bond(0)), big.NewInt(GweiWei)), now, c.factoryABI, "create", c.typeID, root)
	if err != nil {
		return nil, fmt.Errorf("create: %v", err)
	}
	c.game = common.BytesToAddress(ret)
	return c, nil
}

// Game returns the game's address.
func (c *DisputeChain) Game() common.Address { return c.game }

func (c *DisputeChain) deployArtifact(name string, args ...any) (common.Address, abi.ABI, error) {
	art, err := LoadArtifact(name)
	if err != nil {
		return common.Address{}, abi.ABI{}, err
	}
	a, err := art.ParsedABI()
	if err != nil {
		return common.Address{}, abi.ABI{}, err
	}
	packed, err := a.Pack("", args...)
	if err != nil {
		return common.Address{}, abi.ABI{}, err
	}
	_, addr, _, err := runtime.Create(append(append([]byte{}, art.Bytecode...), packed...), c.h.config(c.db))
	if err != nil {
		return common.Address{}, abi.ABI{}, fmt.Errorf("deploy %s: %v", name, err)
	}
	return addr, a, nil
}

// party returns (and funds, the first time) the account of a.
func (c *DisputeChain) party(a dispute.Address) common.Address {
	if addr, ok := c.parties[a]; ok {
		return addr
	}
	addr := PartyAddress(a)
	if a == owner {
		return Caller // the deployer of the factory
	}
	c.parties[a], c.names[addr] = addr, a
	c.db.AddBalance(addr, new(uint256.Int).Mul(uint256.NewInt(1e18), uint256.NewInt(1e12)), tracing.BalanceChangeUnspecified)
	return addr
}

// callResult is one call's outcome: its return data, its gas and, for a
// revert, its Go code.
type callResult struct {
	ret      []byte
	exec     uint64
	calldata Calldata
	refund   uint64
	code     dispute.Code
	reason   string
	vmGas    uint64 // a step: the gas the game's call to its VM used
}

// vmGasHooks returns tracer hooks that add to *used the gas of every call
// made to the game type's VM from outside it (a frame whose callee is c.vm
// and none of whose callers is: the game is a proxy, so the VM is called
// from depth 1, through the implementation).
func (c *DisputeChain) vmGasHooks(used *uint64) *tracing.Hooks {
	var callees []common.Address
	return &tracing.Hooks{
		OnEnter: func(depth int, _ byte, _, to common.Address, _ []byte, _ uint64, _ *big.Int) {
			callees = append(callees[:depth], to)
		},
		OnExit: func(depth int, _ []byte, gasUsed uint64, _ error, _ bool) {
			if depth < len(callees) && callees[depth] == c.vm && !slices.Contains(callees[:depth], c.vm) {
				*used += gasUsed
			}
		},
	}
}

// send calls method of the contract at to from party a at time now with
// value wei; a revert is returned in the result, not as an error.
func (c *DisputeChain) send(a dispute.Address, to common.Address, value *big.Int, now uint64, ab abi.ABI, method string, args ...any) (callResult, error) {
	data, err := ab.Pack(method, args...)
	if err != nil {
		return callResult{}, fmt.Errorf("pack %s: %v", method, err)
	}
	cfg := c.h.config(c.db)
	cfg.Origin, cfg.Time, cfg.Value = c.party(a), now, value
	var vmGas uint64
	if to == c.game && method == "step" {
		cfg.EVMConfig.Tracer = c.vmGasHooks(&vmGas)
	}
	ret, left, err := c.run(to, data, cfg)
	r := callResult{ret: ret, exec: GasLimit - left, calldata: MeasureCalldata(data), refund: c.db.GetRefund(), vmGas: vmGas}
	// The call is one transaction: its writes become the state the next
	// one's SSTOREs are priced against (EIP-2200's original values), and
	// the refund counter starts again from zero.
	c.db.Finalise(true)
	if err != nil {
		r.code, r.reason = CodeChainOnly, err.Error()
		if errors.Is(err, vm.ErrExecutionReverted) {
			r.reason = DecodeRevert(ret, c.gameABI, c.factoryABI, c.vaultABI, c.stepperABI, c.h.orABI)
			if len(ret) >= 4 {
				if e, err := c.gameABI.ErrorByID([4]byte(ret[:4])); err == nil {
					if code, ok := revertCodes[e.Name]; ok {
						r.code = code
					}
				}
			}
		}
	}
	return r, nil
}

// call is send for calls that must succeed.
func (c *DisputeChain) call(a dispute.Address, to common.Address, value *big.Int, now uint64, ab abi.ABI, method string, args ...any) ([]byte, uint64, error) {
	r, err := c.send(a, to, value, now, ab, method, args...)
	if err != nil {
		return nil, 0, err
	}
	if r.code != 0 {
		return nil, 0, fmt.Errorf("%s reverted: %s", method, r.reason)
	}
	return r.ret, r.exec, nil
}

// view calls a view method of the game.
func (c *DisputeChain) view(to common.Address, ab abi.ABI, method string, args ...any) ([]any, error) {
	data, err := ab.Pack(method, args...)
	if err != nil {
		return nil, err
	}
	ret, _, err := c.run(to, data, c.h.config(c.db))
	if err != nil {
		return nil, fmt.Errorf("%s: %v", method, err)
	}
	return ab.Unpack(method, ret)
}

// jumpDests is a JUMPDEST analysis cache shared by a chain's calls, keyed
// by code hash (so it cannot go stale): runtime.Call builds a new EVM, and
// so analyses the game's 24 KB of code again, for every call.
type jumpDests map[common.Hash]vm.BitVec

func (j jumpDests) Load(h common.Hash) (vm.BitVec, bool) { v, ok := j[h]; return v, ok }
func (j jumpDests) Store(h common.Hash, v vm.BitVec)     { j[h] = v }

// run is runtime.Call(to, data, cfg) with the chain's JUMPDEST cache: the
// same defaults (those of runtime's setDefaults that the call reads), the
// same Prepare, the same EVM call.
func (c *DisputeChain) run(to common.Address, data []byte, cfg *runtime.Config) ([]byte, uint64, error) {
	if cfg.Difficulty == nil {
		cfg.Difficulty = new(big.Int)
	}
	if cfg.GasPrice == nil {
		cfg.GasPrice = new(big.Int)
	}
	if cfg.Value == nil {
		cfg.Value = new(big.Int)
	}
	if cfg.BlockNumber == nil {
		cfg.BlockNumber = new(big.Int)
	}
	if cfg.GetHashFn == nil {
		cfg.GetHashFn = func(n uint64) common.Hash {
			return common.BytesToHash(crypto.Keccak256([]byte(new(big.Int).SetUint64(n).String())))
		}
	}
	if cfg.BaseFee == nil {
		cfg.BaseFee = big.NewInt(params.InitialBaseFee)
	}
	if cfg.BlobBaseFee == nil {
		cfg.BlobBaseFee = big.NewInt(params.BlobTxMinBlobGasprice)
	}
	cfg.Random = &common.Hash{}
	env := runtime.NewEnv(cfg)
	env.SetJumpDestCache(c.jumps)
	rules := cfg.ChainConfig.Rules(env.Context.BlockNumber, env.Context.Random != nil, env.Context.Time)
	cfg.State.Prepare(rules, cfg.Origin, cfg.Coinbase, &to, vm.ActivePrecompiles(rules), nil)
	return env.Call(cfg.Origin, to, data, cfg.GasLimit, uint256.MustFromBig(cfg.Value))
}

// The ABI structs of the factory.
type (
	abiModel struct {
		Hash            [32]byte
		Tensors         uint32
		Consts          uint32
		Inputs          uint32
		Nodes           uint32
		FirstNodeTensor uint32
		TableDepth      uint8
		RegisteredNodes uint32
		StepBound       [2]uint64
	}
	abiGameType struct {
		Split1, Split2, MaxDepth, Profile                       uint8
		MaxClock, ClockExtension, PhaseExtension, StepExtension uint64
		Anchor, AbsolutePrestate                                [32]byte
		Vm, Oracle                                              common.Address //nolint:revive // the ABI's field name
		FinalityDelay                                           uint64
	}
	abiOpening struct {
		Leaf     [32]byte
		Siblings [][32]byte
	}
)

// owner is the factory's owner, the harness's Caller.
const owner dispute.Address = "factory owner"

// registerModel registers m and its nodes, with the descriptor tail of
// every node (opml.NodeDescriptor.Encode after the operand records).
func (c *DisputeChain) registerModel(m *dispute.Model) error {
	om := m.Model
	am := abiModel{Hash: m.Hash, Tensors: uint32(len(om.Tensors)), Consts: uint32(om.Consts), Inputs: uint32(om.Inputs),
		Nodes: uint32(len(om.Nodes)), FirstNodeTensor: uint32(om.FirstNodeTensor()), TableDepth: uint8(m.TableDepth()), StepBound: m.StepBound}
	var lengths []uint64
	var commits, digests [][32]byte
	for i, t := range om.Tensors {
		lengths = append(lengths, uint64(t.Elements()*t.DType.Size()))
		if i < om.Consts {
			commits = append(commits, m.Consts[i])
			digests = append(digests, dispute.Keccak(t.Data))
		}
	}
	if _, _, err := c.call(owner, c.factory, nil, 1, c.factoryABI, "registerModel", am, lengths, commits, digests); err != nil {
		return err
	}
	tensors := make([][]byte, len(om.Tensors))
	for k, n := range om.Nodes {
		d, _, err := opml.NodeDescriptorOf(om, k, tensors)
		if err != nil {
			return fmt.Errorf("node %d: %v", k, err)
		}
		tail := d.Encode()[opml.NodeHeaderSize+64*len(n.Inputs):]
		ins := make([]uint32, len(n.Inputs))
		for i, id := range n.Inputs {
			ins[i] = uint32(id)
		}
		if _, _, err := c.call(owner, c.factory, nil, 1, c.factoryABI, "registerNode", m.Hash, uint32(k), ins, tail); err != nil {
			return err
		}
	}
	return nil
}

// registerType registers the game type of c.cfg.
func (c *DisputeChain) registerType(vmAddr common.Address, tweak func(*abiGameType)) error {
	cfg := c.cfg
	t := abiGameType{Split1: uint8(cfg.Split1), Split2: uint8(cfg.Split2), MaxDepth: uint8(cfg.MaxDepth), Profile: uint8(cfg.Profile),
		MaxClock: cfg.MaxClock, ClockExtension: cfg.ClockExtension, PhaseExtension: cfg.PhaseExtension, StepExtension: cfg.StepExtension,
		Anchor: cfg.Anchor, AbsolutePrestate: cfg.AbsolutePrestate, Vm: vmAddr, Oracle: c.h.oracle, FinalityDelay: DisputeFinalityDelay}
	if tweak != nil {
		tweak(&t)
	}
	var bonds []*big.Int
	for d := 0; d <= cfg.MaxDepth+1; d++ {
		bonds = append(bonds, new(big.Int).Mul(new(big.Int).SetUint64(cfg.Bond(d)), big.NewInt(GweiWei)))
	}
	var models [][32]byte
	var inputs [][][32]byte
	for _, j := range cfg.Inbox.Jobs() {
		models = append(models, j.Model)
		in := make([][32]byte, len(j.Inputs))
		for i, h := range j.Inputs {
			in[i] = h
		}
		inputs = append(inputs, in)
	}
	ret, _, err := c.call(owner, c.factory, nil, 1, c.factoryABI, "registerGameType", t, bonds, models, inputs)
	if err != nil {
		return err
	}
	c.typeID = new(big.Int).SetBytes(ret)
	return nil
}
