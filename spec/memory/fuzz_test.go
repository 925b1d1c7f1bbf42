package memory_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/spec/memory"
)

// checkVerifyProof is the property behind FuzzVerifyProof: VerifyProof
// accepts exactly when ComputeRoot(addr, p) == root, and otherwise returns a
// *ProofError that names addr, root and the implied root.
func checkVerifyProof(root memory.Hash, addr uint64, p memory.Proof) error {
	implied := memory.ComputeRoot(addr, p)
	err := memory.VerifyProof(root, addr, p)
	if implied == root {
		if err != nil {
			return fmt.Errorf("valid proof rejected: %v", err)
		}
		return nil
	}
	var pe *memory.ProofError
	if !errors.As(err, &pe) {
		return fmt.Errorf("invalid proof: err = %v, want *ProofError", err)
	}
	if pe.Addr != addr || pe.Want != root || pe.Got != implied {
		return fmt.Errorf("ProofError %+v, want addr %#x want %s got %s", pe, addr, root, implied)
	}
	return nil
}

// fuzzProof turns fuzzer bytes into a proof: short input is zero-padded,
// long input truncated, so every input exercises VerifyProof.
func fuzzProof(b []byte) memory.Proof {
	var p memory.Proof
	copy(p[:], b)
	return p
}

func FuzzVerifyProof(f *testing.F) {
	var empty memory.Memory
	m, _ := empty.SetWord(0x7FFF_FFFF_F000, 0x0123456789ABCDEF)
	m, _ = m.SetWord(0xFFFF_FFFF_FFFF_FFF8, ^uint64(0))
	root := m.Root()
	// A valid proof of the empty memory: all siblings are zero hashes.
	f.Add(hashBytes(empty.Root()), uint64(0), proofBytes(empty.Proof(0)))
	// A valid proof of a written word, so the accept path runs with content.
	f.Add(hashBytes(root), uint64(0x7FFF_FFFF_F000), proofBytes(m.Proof(0x7FFF_FFFF_F000)))
	// The last word of the address space: every path bit is 1.
	f.Add(hashBytes(root), uint64(0xFFFF_FFFF_FFFF_FFF8), proofBytes(m.Proof(0xFFFF_FFFF_FFFF_FFF8)))
	// A valid proof offered for the wrong address: must be rejected.
	f.Add(hashBytes(root), uint64(0x1000), proofBytes(m.Proof(0x7FFF_FFFF_F000)))
	// A truncated proof and an empty root: malformed input must not panic.
	f.Add([]byte{}, uint64(7), []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, rootBytes []byte, addr uint64, proof []byte) {
		var r memory.Hash
		copy(r[:], rootBytes)
		if err := checkVerifyProof(r, addr, fuzzProof(proof)); err != nil {
			t.Fatalf("root %s addr %#x: %v", r, addr, err)
		}
	})
}

func proofBytes(p memory.Proof) []byte { return p[:] }

func hashBytes(h memory.Hash) []byte { return h[:] }
