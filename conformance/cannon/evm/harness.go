package evm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"
	"slices"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/params"
)

// StateVersion is the state version MIPS64.sol's constructor is given: 8,
// multithreaded64-5, the only one the release accepts.
const StateVersion = 8

// GasLimit is the gas each call is given.
const GasLimit = 30_000_000

// Caller is the account that loads preimages and calls step. Local keys are
// localized with the caller of step, so the loader and the stepper must be
// the same account, as the dispute game is on chain.
var Caller = common.HexToAddress("0x00000000000000000000000000000000000ca11e")

// Key types with a loader in StepOracle (specs/fault-proof/index.md).
const (
	keyTypeLocal     = 1
	keyTypeKeccak256 = 2
	keyTypeSHA256    = 4
)

// Harness holds an in-memory chain with StepOracle, MIPS64.sol, and the
// OPcity profile's contracts (contracts/src: TensorOracle and MIPS64OPcity,
// which forwards every other step to the MIPS64.sol deployed here) deployed.
// Every Step runs on a copy of that state, so steps never see each other's
// loaded preimages. A Harness is not safe for concurrent use.
type Harness struct {
	base           *state.StateDB
	mips, oracle   common.Address
	mipsABI, orABI abi.ABI
	chain          *params.ChainConfig
	// opcity is MIPS64OPcity, tensors TensorOracle.
	opcity, tensors       common.Address
	opcityABI, tensorsABI abi.ABI
}

// New deploys StepOracle and then MIPS64(oracle, StateVersion) from Caller
// on a chain with every fork through Osaka active.
func New() (*Harness, error) {
	h := &Harness{chain: params.MergedTestChainConfig}
	db, err := state.New(types.EmptyRootHash, state.NewDatabaseForTesting())
	if err != nil {
		return nil, err
	}
	h.base = db
	mipsArt, err := LoadArtifact("MIPS64")
	if err != nil {
		return nil, err
	}
	orArt, err := LoadArtifact("StepOracle")
	if err != nil {
		return nil, err
	}
	if h.mipsABI, err = mipsArt.ParsedABI(); err != nil {
		return nil, err
	}
	if h.orABI, err = orArt.ParsedABI(); err != nil {
		return nil, err
	}
	if h.oracle, err = h.deploy(orArt.Bytecode); err != nil {
		return nil, fmt.Errorf("deploy StepOracle: %v", err)
	}
	args, err := h.mipsABI.Pack("", h.oracle, big.NewInt(StateVersion))
	if err != nil {
		return nil, err
	}
	if h.mips, err = h.deploy(append(append([]byte{}, mipsArt.Bytecode...), args...)); err != nil {
		return nil, fmt.Errorf("deploy MIPS64: %v", err)
	}
	if err := h.deployOPcity(); err != nil {
		return nil, err
	}
	return h, nil
}

// MIPS64 returns the address of MIPS64.sol.
func (h *Harness) MIPS64() common.Address { return h.mips }

// Oracle returns the address of StepOracle.
func (h *Harness) Oracle() common.Address { return h.oracle }

func (h *Harness) config(db *state.StateDB) *runtime.Config {
	return &runtime.Config{ChainConfig: h.chain, Origin: Caller, GasLimit: GasLimit, State: db, BlockNumber: big.NewInt(1), Time: 1}
}

func (h *Harness) deploy(initCode []byte) (common.Address, error) {
	_, addr, _, err := runtime.Create(initCode, h.config(h.base))
	return addr, err
}

// Input is one step to run: MIPS64.step's arguments and the preimages the
// caller loads into the oracle first (key as the program writes it, value
// without its length prefix).
type Input struct {
	State, Proof []byte
	LocalContext [32]byte
	Preimages    map[[32]byte][]byte
	// StepFrom, if set, calls step from this account instead of Caller
	// (which still loads the preimages): local keys then localize to
	// another key than the loaded one.
	StepFrom common.Address
	// OPcity calls MIPS64OPcity's step instead of MIPS64.sol's, after
	// uploading Tensors into TensorOracle (Upload).
	OPcity  bool
	Tensors [][]byte
}

// Load is the outcome of loading one preimage part into the oracle.
type Load struct {
	Key    [32]byte
	Offset uint64
	// Loaded is false when the oracle refused the part (offset past the
	// end, local data over 32 bytes) or has no loader for the key type.
	Loaded bool
	Reason string
}

// Result is what one step call did.
type Result struct {
	// PostStateHash is step's return value; zero when Reverted.
	PostStateHash [32]byte
	Reverted      bool
	// RevertReason is the Error(string) message, the custom error's
	// signature (InvalidMemoryProof()), "Panic(0x..)", the hex of other
	// revert data, "" for a revert without data, or the EVM's error for a
	// failure that is no revert (out of gas, invalid opcode).
	RevertReason string
	// Gas is the execution gas of the step call: the gas the call frame of
	// step used when called directly by a transaction (MIPS64 warm, the
	// oracle cold), without the transaction's intrinsic gas.
	Gas uint64
	// Calldata is the calldata of the step call.
	Calldata Calldata
	// Loads are the oracle loads done before the step.
	Loads []Load
	// PostState is the 188-byte post-state MIPS64.sol logs before hashing
	// it (outputState's log0); nil when it reverted or logged none. For an
	// OPcity step it is MIPS64OPcity's log of a tensor step or the log of
	// the MIPS64.sol it forwarded to.
	PostState []byte
	// Uploads are the tensor uploads done before an OPcity step.
	Uploads []Upload
}

// Step loads in's preimages into a fresh copy of the deployed state, then
// calls step(State, Proof, LocalContext) from Caller. A revert is a result,
// not an error; Step fails only when the call cannot be encoded.
func (h *Harness) Step(in Input) (Result, error) {
	var r Result
	db := h.base.Copy()
	offset := preimageOffset(in.State)
	for k, v := range in.Preimages {
		r.Loads = append(r.Loads, h.load(db, in.LocalContext, k, v, offset))
	}
	target := h.mips
	if in.OPcity {
		target = h.opcity
		for _, t := range in.Tensors {
			u, err := h.upload(db, t)
			if err != nil {
				return r, err
			}
			r.Uploads = append(r.Uploads, u)
		}
	}
	data, err := h.mipsABI.Pack("step", in.State, in.Proof, in.LocalContext)
	if err != nil {
		return r, err
	}
	r.Calldata = MeasureCalldata(data)
	cfg := h.config(db)
	if in.StepFrom != (common.Address{}) {
		cfg.Origin = in.StepFrom
	}
	ret, left, err := runtime.Call(target, data, cfg)
	r.Gas = GasLimit - left
	if err != nil {
		r.Reverted, r.RevertReason = true, h.revertReason(ret, err)
		return r, nil
	}
	out, err := h.mipsABI.Unpack("step", ret)
	if err != nil || len(out) != 1 {
		return r, fmt.Errorf("step returned %x: %v", ret, err)
	}
	r.PostStateHash = out[0].([32]byte)
	r.PostState = loggedPostState(db, h.mips, h.opcity)
	return r, nil
}

// loggedPostState returns the data of the last topic-less 188-byte log
// that one of the steppers emitted: the post-state outputState hashes.
func loggedPostState(db *state.StateDB, steppers ...common.Address) []byte {
	var out []byte
	for _, l := range db.Logs() {
		if slices.Contains(steppers, l.Address) && len(l.Topics) == 0 && len(l.Data) == 188 {
			out = l.Data
		}
	}
	return out
}

// Calldata returns the calldata cost of in's step call without running it.
func (h *Harness) Calldata(in Input) (Calldata, error) {
	data, err := h.mipsABI.Pack("step", in.State, in.Proof, in.LocalContext)
	return MeasureCalldata(data), err
}

// preimageOffset returns the state's preimageOffset (bytes 64..72 of the
// 188-byte witness): the part of the preimage the step reads.
func preimageOffset(stateData []byte) uint64 {
	if len(stateData) < 72 {
		return 0
	}
	return binary.BigEndian.Uint64(stateData[64:72])
}

// load loads the part at offset of preimage value under key with the loader
// of the key's type, from Caller.
func (h *Harness) load(db *state.StateDB, localContext [32]byte, key [32]byte, value []byte, offset uint64) Load {
	l := Load{Key: key, Offset: offset}
	off := new(big.Int).SetUint64(offset)
	var data []byte
	var err error
	switch key[0] {
	case keyTypeLocal:
		var word [32]byte
		copy(word[:], value)
		data, err = h.orABI.Pack("loadLocalData", new(big.Int).SetBytes(key[:]), localContext, word, big.NewInt(int64(len(value))), off)
	case keyTypeKeccak256:
		data, err = h.orABI.Pack("loadKeccak256PreimagePart", off, value)
	case keyTypeSHA256:
		data, err = h.orABI.Pack("loadSha256PreimagePart", off, value)
	default:
		l.Reason = fmt.Sprintf("no loader for key type %d", key[0])
		return l
	}
	if err != nil {
		l.Reason = err.Error()
		return l
	}
	ret, _, err := runtime.Call(h.oracle, data, h.config(db))
	if err != nil {
		l.Reason = h.revertReason(ret, err)
		return l
	}
	l.Loaded = true
	return l
}

// revertReason names a failed call's revert data (see Result.RevertReason).
func (h *Harness) revertReason(ret []byte, err error) string {
	if !errors.Is(err, vm.ErrExecutionReverted) {
		return err.Error()
	}
	return DecodeRevert(ret, h.mipsABI, h.orABI, h.opcityABI, h.tensorsABI)
}
