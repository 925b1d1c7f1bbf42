package fpvm

import (
	"hash"
	"math/bits"

	"golang.org/x/crypto/sha3"

	"github.com/opcity-spec/opcity/spec/memory"
)

// hasher computes Merkle pair hashes with one reused Keccak-256 sponge, so
// hashing allocates nothing after the first call. It is the executor's own copy
// of memory.PairHasher, kept because pairBytes hashes two adjacent leaves
// straight from a page's bytes, without copying them into Hash values first
// (chunkRoot's inner loop); TestFPVM_PROFILE_RegionRoot holds the two equal.
type hasher struct {
	s   hash.Hash
	in  [64]byte
	out []byte
}

// pair returns keccak256(left ‖ right).
func (k *hasher) pair(left, right memory.Hash) memory.Hash {
	copy(k.in[:32], left[:])
	copy(k.in[32:], right[:])
	return k.pairBytes(k.in[:])
}

// pairBytes returns keccak256 of b (two adjacent 32-byte leaves).
func (k *hasher) pairBytes(b []byte) memory.Hash {
	if k.s == nil {
		k.s = sha3.NewLegacyKeccak256()
		k.out = make([]byte, 0, 32)
	}
	k.s.Reset()
	k.s.Write(b)
	return memory.Hash(k.s.Sum(k.out[:0]))
}

func trailingZeros(v uint64) int { return bits.TrailingZeros64(v) }
