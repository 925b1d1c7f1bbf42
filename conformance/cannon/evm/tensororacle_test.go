package evm

import (
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/vm/runtime"

	"github.com/opcity-spec/opcity/spec/memory"
)

// tensorCall calls TensorOracle's method on db from Caller with value wei at
// time; it returns the revert reason ("" when the call succeeded).
func tensorCall(t *testing.T, h *Harness, db *state.StateDB, method string, value, time uint64, args ...any) string {
	t.Helper()
	input, err := h.tensorsABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := h.config(db)
	cfg.Value, cfg.Time = new(big.Int).SetUint64(value), time
	ret, _, err := runtime.Call(h.tensors, input, cfg)
	if err != nil {
		return h.revertReason(ret, err)
	}
	return ""
}

// TestEVM_TENSOR_ORACLE holds TensorOracle to its rules on a 200,000-byte
// tensor (four 64 KiB chunks, the last one short; minimal size 2^18):
// propose needs exactly the bond; addChunk refuses a chunk index past the
// end, a chunk of the wrong length, a path of the wrong length, a changed
// byte, a changed sibling, a chunk at another index and a chunk added
// twice; finalize refuses an incomplete proposal and one inside the window;
// nothing is available before finalize; after it the root is available at
// every size from 2^18 to 2^30 (the root at k + 1 being keccak(root_k ++
// Z)), at no size below, and the bond is back.
func TestEVM_TENSOR_ORACLE(t *testing.T) {
	h := newHarness(t)
	db := h.base.Copy()
	data := make([]byte, 200_000)
	for i := range data {
		data[i] = byte(i*31 + 7)
	}
	k := minimalLog2(len(data))
	root, err := memory.ComputeRegionRoot(data, k)
	if err != nil {
		t.Fatal(err)
	}
	r := [32]byte(root)
	chunks, paths := chunkPaths(data, k)
	if k != 18 || len(chunks) != 4 || len(chunks[3]) != 200_000-3<<16 {
		t.Fatalf("k = %d, %d chunks", k, len(chunks))
	}
	expect := func(got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("reverted %q, want %q", got, want)
		}
	}
	available := func(k uint8) bool {
		input, _ := h.tensorsABI.Pack("available", r, k)
		ret, _, err := runtime.Call(h.tensors, input, h.config(db))
		if err != nil {
			t.Fatal(err)
		}
		out, err := h.tensorsABI.Unpack("available", ret)
		if err != nil {
			t.Fatal(err)
		}
		return out[0].(bool)
	}
	balance := db.GetBalance(Caller).Clone()

	expect(tensorCall(t, h, db, "propose", TensorBond-1, 1, r, uint64(len(data))), "WrongBond()")
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(0), chunks[0], paths[0]), "NoProposal()")
	expect(tensorCall(t, h, db, "propose", TensorBond, 1, r, uint64(len(data))), "")
	expect(tensorCall(t, h, db, "propose", TensorBond, 1, r, uint64(len(data))), "ProposalExists()")

	changed := append([]byte(nil), chunks[1]...)
	changed[100] ^= 1
	sibling := append([][32]byte(nil), paths[1]...)
	sibling[1][0] ^= 1
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(4), chunks[0], paths[0]), "BadChunkIndex()")
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(3), chunks[2], paths[3]), "BadChunkLength()")
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(1), chunks[1], paths[1][:1]), "BadChunkProof()")
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(1), changed, paths[1]), "BadChunkProof()")
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(1), chunks[1], sibling), "BadChunkProof()")
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(2), chunks[1], paths[1]), "BadChunkProof()")
	for i := range 3 {
		expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(i), chunks[i], paths[i]), "")
	}
	expect(tensorCall(t, h, db, "addChunk", 0, 1, r, uint32(0), chunks[0], paths[0]), "ChunkAlreadyAdded()")
	expect(tensorCall(t, h, db, "finalize", 0, 1+TensorWindow, r), "Incomplete()")
	expect(tensorCall(t, h, db, "addChunk", 0, 5, r, uint32(3), chunks[3], paths[3]), "")
	expect(tensorCall(t, h, db, "finalize", 0, 5+TensorWindow-1, r), "WindowNotOver()")
	for size := uint8(5); size <= 31; size++ {
		if available(size) {
			t.Errorf("available at 2^%d before finalize", size)
		}
	}
	expect(tensorCall(t, h, db, "finalize", 0, 5+TensorWindow, r), "")
	for size := uint8(5); size <= 31; size++ {
		if available(size) != (size == 18) {
			t.Errorf("root at 2^18: available(root, %d) = %v", size, available(size))
		}
	}
	for size := uint(19); size <= 30; size++ {
		wider, _ := memory.ComputeRegionRoot(data, size)
		r = [32]byte(wider)
		if !available(uint8(size)) || available(uint8(size-1)) {
			t.Errorf("root at 2^%d: not available there, or available at 2^%d", size, size-1)
		}
	}
	if got := db.GetBalance(Caller); got.Cmp(balance) != 0 {
		t.Errorf("balance %s after finalize, %s before propose: the bond is not back", got, balance)
	}
}
