package evm

import (
	"crypto/sha256"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/vm/runtime"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/vectors"
)

// oracleCall calls StepOracle's method from caller on db and returns the
// unpacked outputs, or the revert reason.
func oracleCall(t *testing.T, h *Harness, db *state.StateDB, caller common.Address, method string, args ...any) ([]any, string) {
	t.Helper()
	data, err := h.orABI.Pack(method, args...)
	if err != nil {
		t.Fatal(err)
	}
	cfg := h.config(db)
	cfg.Origin = caller
	ret, _, err := runtime.Call(h.oracle, data, cfg)
	if err != nil {
		return nil, h.revertReason(ret, err)
	}
	out, err := h.orABI.Unpack(method, ret)
	if err != nil {
		t.Fatal(err)
	}
	return out, ""
}

func typed(h [32]byte, keyType byte) [32]byte { h[0] = keyType; return h }

// TestEVM_ORACLE: StepOracle serves the 32-byte parts of
// uint64be(size) ‖ preimage with PreimageOracle's length rule, refuses parts
// at or past size + 8, keys keccak256 and sha256 preimages by their hash with
// the type byte, and localizes local keys with the loader's address, so data
// loaded by one caller is not served under another's key.
func TestEVM_ORACLE(t *testing.T) {
	h := newHarness(t)
	db := h.base.Copy()
	pre := []byte("hello opcity")             // 12 bytes: stream of 20
	kk := typed(crypto.Keccak256Hash(pre), 2) // keccak256 key
	ks := typed(sha256.Sum256(pre), 4)        // sha256 key
	for _, off := range []int64{0, 5, 19} {
		if _, reason := oracleCall(t, h, db, Caller, "loadKeccak256PreimagePart", big.NewInt(off), pre); reason != "" {
			t.Fatalf("keccak part %d: %s", off, reason)
		}
		out, reason := oracleCall(t, h, db, Caller, "readPreimage", kk, big.NewInt(off))
		stream := append([]byte{0, 0, 0, 0, 0, 0, 0, 12}, pre...)
		var want [32]byte
		copy(want[:], stream[off:])
		if reason != "" || out[0].([32]byte) != want || out[1].(*big.Int).Int64() != min(32, 20-off) {
			t.Errorf("keccak part %d: %x %v %q, want %x %d", off, out[0], out[1], reason, want, min(32, 20-off))
		}
	}
	if _, reason := oracleCall(t, h, db, Caller, "loadKeccak256PreimagePart", big.NewInt(20), pre); reason != "PartOffsetOOB()" {
		t.Errorf("keccak part at size + 8: %q, want PartOffsetOOB()", reason)
	}
	if _, reason := oracleCall(t, h, db, Caller, "readPreimage", kk, big.NewInt(1)); reason != "pre-image must exist" {
		t.Errorf("part not loaded: %q", reason)
	}
	if _, reason := oracleCall(t, h, db, Caller, "loadSha256PreimagePart", big.NewInt(8), pre); reason != "" {
		t.Fatal(reason)
	}
	if out, reason := oracleCall(t, h, db, Caller, "readPreimage", ks, big.NewInt(8)); reason != "" || out[1].(*big.Int).Int64() != 12 {
		t.Errorf("sha256 part 8: %v %q", out, reason)
	}

	ident, ctx := [32]byte{0: 1, 31: 3}, [32]byte{31: 0x42}
	word := [32]byte{0: 0xAB, 7: 0xCD}
	out, reason := oracleCall(t, h, db, Caller, "loadLocalData", new(big.Int).SetBytes(ident[:]), ctx, word, big.NewInt(8), big.NewInt(0))
	if reason != "" {
		t.Fatal(reason)
	}
	key := out[0].([32]byte)
	want := typed(crypto.Keccak256Hash(ident[:], common.LeftPadBytes(Caller.Bytes(), 32), ctx[:]), 1)
	if key != want {
		t.Errorf("local key %x, want keccak256(ident ‖ caller ‖ context) typed 1 = %x", key, want)
	}
	other := common.HexToAddress("0x0bad")
	if out, _ := oracleCall(t, h, db, other, "localKey", ident, other, ctx); out[0].([32]byte) == key {
		t.Error("another caller's local key is the same key")
	}
	if out, reason := oracleCall(t, h, db, Caller, "readPreimage", key, big.NewInt(0)); reason != "" || out[0].([32]byte) != [32]byte{7: 8, 8: 0xAB, 15: 0xCD} || out[1].(*big.Int).Int64() != 16 {
		t.Errorf("local part 0: %v %q", out, reason)
	}
	for _, bad := range [][2]int64{{33, 0}, {8, 16}} {
		if _, reason := oracleCall(t, h, db, Caller, "loadLocalData", new(big.Int).SetBytes(ident[:]), ctx, word, big.NewInt(bad[0]), big.NewInt(bad[1])); reason != "PartOffsetOOB()" {
			t.Errorf("local data size %d part %d: %q, want PartOffsetOOB()", bad[0], bad[1], reason)
		}
	}
}

// TestEVM_ORACLE_LocalKey: a step that reads a local key (type 1) through
// MIPS64.sol gets the data its caller loaded for the step's local context,
// as the spec's D serves it under the raw key; called by another account
// the key localizes elsewhere and the step reverts. Local data over 32
// bytes cannot be loaded on chain, so such a step reverts there although the
// spec, whose D holds any value, steps it.
func TestEVM_ORACLE_LocalKey(t *testing.T) {
	files, err := vectors.Read("../../../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	for _, f := range files {
		for _, v := range f.Vectors {
			if v.Group != "oracle" || v.Error != nil || v.PreimageKey == "" {
				continue
			}
			w, err := vectorWitness(v)
			if err != nil {
				t.Fatal(err)
			}
			key := [32]byte{0: 1, 30: 0xbe, 31: 0xef}
			w.State = append([]byte{}, w.State...)
			copy(w.State[32:64], key[:])
			w.LocalContext = [32]byte{0: 0x5a, 31: 0xa5}
			for _, size := range []int{32, 40} {
				value := make([]byte, size)
				for i := range value {
					value[i] = byte(0x80 + i)
				}
				w.Oracle = spec.PreimageMap{key: value}
				want, serr := spec.VerifyStep(w.State, w.Proof, w.LocalContext, spec.Data{Preimages: w.Oracle})
				if uint64(size)+8 <= preimageOffset(w.State) {
					continue // past the end in the spec too
				}
				if serr != nil {
					t.Fatalf("%s, local data of %d bytes: spec %v", v.Name, size, serr)
				}
				in := InputOf(w)
				r, err := h.Step(in)
				if err != nil {
					t.Fatal(err)
				}
				if size > 32 {
					if !r.Reverted || r.RevertReason != "pre-image must exist" || r.Loads[0].Reason != "PartOffsetOOB()" {
						t.Errorf("%s, local data of %d bytes: MIPS64.sol %+v, want the load refused and the step reverted", v.Name, size, r)
					}
					continue
				}
				if r.Reverted || r.PostStateHash != want {
					t.Errorf("%s, local key: spec %s, MIPS64.sol %x reverted=%v %q", v.Name, want, r.PostStateHash, r.Reverted, r.RevertReason)
				}
				in.StepFrom = common.HexToAddress("0x0bad")
				if r, _ := h.Step(in); !r.Reverted || r.RevertReason != "pre-image must exist" {
					t.Errorf("%s, local key, step from another caller: %+v, want revert", v.Name, r)
				}
			}
		}
	}
}
