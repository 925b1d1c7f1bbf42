package evm

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/tracing"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/holiman/uint256"

	"github.com/opcity-spec/opcity/spec/memory"
)

// TensorOracle's constructor arguments in the harness: the bond a proposal
// carries (0.01 ether) and the window between a proposal's last chunk and
// its finalization (one hour, which Upload lets pass).
const (
	TensorBond   = 10_000_000_000_000_000
	TensorWindow = 3600
)

// ChunkLog2 is log2 of TensorOracle's chunk size (CHUNK_LOG2): 64 KiB.
const ChunkLog2 = 16

// deployOPcity deploys TensorOracle(TensorBond, TensorWindow), then
// MIPS64OPcity(MIPS64.sol, TensorOracle), and funds Caller for bonds.
func (h *Harness) deployOPcity() error {
	toArt, err := LoadArtifact("TensorOracle")
	if err != nil {
		return err
	}
	opArt, err := LoadArtifact("MIPS64OPcity")
	if err != nil {
		return err
	}
	if h.tensorsABI, err = toArt.ParsedABI(); err != nil {
		return err
	}
	if h.opcityABI, err = opArt.ParsedABI(); err != nil {
		return err
	}
	args, err := h.tensorsABI.Pack("", big.NewInt(TensorBond), big.NewInt(TensorWindow))
	if err != nil {
		return err
	}
	if h.tensors, err = h.deploy(append(append([]byte{}, toArt.Bytecode...), args...)); err != nil {
		return fmt.Errorf("deploy TensorOracle: %v", err)
	}
	if args, err = h.opcityABI.Pack("", h.mips, h.tensors); err != nil {
		return err
	}
	if h.opcity, err = h.deploy(append(append([]byte{}, opArt.Bytecode...), args...)); err != nil {
		return fmt.Errorf("deploy MIPS64OPcity: %v", err)
	}
	h.base.AddBalance(Caller, uint256.NewInt(1e18).Mul(uint256.NewInt(1e18), uint256.NewInt(1000)), tracing.BalanceChangeUnspecified)
	return nil
}

// MIPS64OPcity returns the address of MIPS64OPcity.
func (h *Harness) MIPS64OPcity() common.Address { return h.opcity }

// TensorOracle returns the address of TensorOracle.
func (h *Harness) TensorOracle() common.Address { return h.tensors }

// Tx is one transaction of an upload: its execution gas (after the refund
// a transaction gets, at most a fifth of the gas used), its calldata and
// the gas the transaction pays (Result.TxGas's rule).
type Tx struct {
	Method   string
	Gas      uint64
	Calldata Calldata
	TxGas    uint64
}

// Upload is how one tensor was made available: propose, one addChunk per
// 64 KiB chunk, finalize after the window.
type Upload struct {
	Root     [32]byte
	Log2Size uint
	Length   int
	Txs      []Tx
}

// TotalGas returns the gas all the upload's transactions pay.
func (u Upload) TotalGas() (gas uint64) {
	for _, t := range u.Txs {
		gas += t.TxGas
	}
	return gas
}

// CalldataBytes returns the calldata bytes of all the upload's transactions.
func (u Upload) CalldataBytes() (n int) {
	for _, t := range u.Txs {
		n += t.Calldata.Bytes
	}
	return n
}

// Upload makes data available in the harness's deployed TensorOracle, so
// every later step sees it, and reports the transactions.
func (h *Harness) Upload(data []byte) (Upload, error) { return h.upload(h.base, data) }

// minimalLog2 is TensorOracle.minimalLog2: max(5, ceil(log2(n))).
func minimalLog2(n int) uint {
	k := uint(memory.LeafLog2)
	for 1<<k < n {
		k++
	}
	return k
}

// upload proposes data from Caller with the bond, adds its chunks with
// their Merkle paths and finalizes it once the window has passed. A
// transaction that reverts is an error: the data is a valid tensor.
func (h *Harness) upload(db *state.StateDB, data []byte) (Upload, error) {
	if len(data) > 1<<30 {
		return Upload{}, fmt.Errorf("tensor of %d bytes: more than 2^30", len(data))
	}
	k := minimalLog2(len(data))
	root, err := memory.ComputeRegionRoot(data, k)
	if err != nil {
		return Upload{}, err
	}
	u := Upload{Root: root, Log2Size: k, Length: len(data)}
	call := func(method string, value uint64, time uint64, args ...any) error {
		input, err := h.tensorsABI.Pack(method, args...)
		if err != nil {
			return err
		}
		cfg := h.config(db)
		cfg.Value, cfg.Time = new(big.Int).SetUint64(value), time
		before := db.GetRefund()
		ret, left, err := runtime.Call(h.tensors, input, cfg)
		if err != nil {
			return fmt.Errorf("TensorOracle.%s: %s", method, h.revertReason(ret, err))
		}
		used := GasLimit - left
		if after := db.GetRefund(); after > before {
			used -= min(after-before, used/5)
		}
		t := Tx{Method: method, Gas: used, Calldata: MeasureCalldata(input)}
		t.TxGas = Result{Gas: t.Gas, Calldata: t.Calldata}.TxGas()
		u.Txs = append(u.Txs, t)
		return nil
	}
	if err := call("propose", TensorBond, 1, [32]byte(root), uint64(len(data))); err != nil {
		return u, err
	}
	chunks, paths := chunkPaths(data, k)
	for i, c := range chunks {
		if err := call("addChunk", 0, 1, [32]byte(root), uint32(i), c, paths[i]); err != nil {
			return u, err
		}
	}
	if err := call("finalize", 0, 1+TensorWindow, [32]byte(root)); err != nil {
		return u, err
	}
	return u, nil
}

// chunkPaths splits data, of minimal size 2^k, into TensorOracle's chunks
// and returns each with its path: the siblings of the chunk's subtree from
// its level up to the tensor's root.
func chunkPaths(data []byte, k uint) ([][]byte, [][][32]byte) {
	if k <= ChunkLog2 {
		return [][]byte{data}, [][][32]byte{{}}
	}
	var chunks [][]byte
	for start := 0; start < len(data); start += 1 << ChunkLog2 {
		chunks = append(chunks, data[start:min(start+1<<ChunkLog2, len(data))])
	}
	// level 0: the chunk roots, padded with the root of a zero chunk to 2^(k-16)
	level := make([]memory.Hash, 1<<(k-ChunkLog2))
	zero, _ := memory.ComputeRegionRoot(nil, ChunkLog2)
	for i := range level {
		level[i] = zero
		if i < len(chunks) {
			level[i], _ = memory.ComputeRegionRoot(chunks[i], ChunkLog2)
		}
	}
	paths := make([][][32]byte, len(chunks))
	for len(level) > 1 {
		for i := range chunks {
			paths[i] = append(paths[i], [32]byte(level[(i>>len(paths[i]))^1]))
		}
		next := make([]memory.Hash, len(level)/2)
		for i := range next {
			next[i] = memory.HashPair(level[2*i], level[2*i+1])
		}
		level = next
	}
	return chunks, paths
}

// Available asks the deployed TensorOracle whether root is available at
// size 2^log2size.
func (h *Harness) Available(root [32]byte, log2size uint8) (bool, error) {
	input, err := h.tensorsABI.Pack("available", root, log2size)
	if err != nil {
		return false, err
	}
	ret, _, err := runtime.Call(h.tensors, input, h.config(h.base.Copy()))
	if err != nil {
		return false, err
	}
	out, err := h.tensorsABI.Unpack("available", ret)
	if err != nil || len(out) != 1 {
		return false, fmt.Errorf("available returned %x: %v", ret, err)
	}
	return out[0].(bool), nil
}
