package state_test

import (
	stderrors "errors"
	"testing"

	"golang.org/x/crypto/sha3"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// keccak is an independent Keccak-256 (legacy padding, as Ethereum uses),
// so that expected hashes do not come from the package under test.
func keccak(parts ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// threadBytes builds the 298-byte thread encoding field by field, in the
// order of Cannon's serializeThread (cannon/mipsevm/multithreaded/
// thread.go:14-30, 59-76).
func threadBytes(th state.Thread) []byte {
	var b []byte
	b = be64(b, th.ID)
	b = append(b, th.ExitCode, boolByte(th.Exited))
	b = be64(b, th.CPU.PC)
	b = be64(b, th.CPU.NextPC)
	b = be64(b, th.CPU.LO)
	b = be64(b, th.CPU.HI)
	for _, r := range th.CPU.Regs {
		b = be64(b, r)
	}
	return b
}

// stackRoot folds threads bottom first: c0 = keccak(0^64), c' = keccak(c ‖
// keccak(thread)).
func stackRoot(threads ...state.Thread) [32]byte {
	root := keccak(make([]byte, 64))
	for _, th := range threads {
		h := keccak(threadBytes(th))
		root = keccak(root[:], h[:])
	}
	return root
}

func be64(b []byte, v uint64) []byte {
	return append(b, byte(v>>56), byte(v>>48), byte(v>>40), byte(v>>32), byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// requireCode fails unless err is an *errors.Error with the given code.
func requireCode(t testing.TB, err error, code errors.Code) {
	t.Helper()
	var e *errors.Error
	if !stderrors.As(err, &e) {
		t.Fatalf("error %v, want an *errors.Error with code %q", err, code)
	}
	if e.Code != code {
		t.Fatalf("error code %q (%v), want %q", e.Code, err, code)
	}
}

// hashOf converts a [32]byte to a memory.Hash for comparisons.
func hashOf(b [32]byte) memory.Hash { return memory.Hash(b) }

// sampleThread returns a thread whose fields all differ.
func sampleThread(id uint64) state.Thread {
	th := state.Thread{ID: id, ExitCode: 0x21, Exited: true}
	th.CPU.PC, th.CPU.NextPC = 0x1000+id*8, 0x1004+id*8
	th.CPU.LO, th.CPU.HI = 0x4C4C+id, 0x4848+id
	for i := range th.CPU.Regs {
		th.CPU.Regs[i] = uint64(i)<<32 | id
	}
	return th
}
