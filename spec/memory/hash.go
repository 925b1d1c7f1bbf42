package memory

import (
	"encoding/hex"
	"hash"
	"io"

	"golang.org/x/crypto/sha3"
)

// Hash is a 32-byte Keccak-256 digest or Merkle node.
type Hash [32]byte

// String returns h as "0x" followed by 64 lowercase hex digits.
func (h Hash) String() string {
	return "0x" + hex.EncodeToString(h[:])
}

// Keccak256 returns the legacy Keccak-256 digest (Ethereum's keccak256) of the
// concatenation of data.
func Keccak256(data ...[]byte) Hash {
	s := newKeccak()
	for _, d := range data {
		s.Write(d)
	}
	var out Hash
	s.Read(out[:])
	return out
}

// HashPair returns the inner Merkle node keccak256(left || right).
func HashPair(left, right Hash) Hash {
	return newHasher().pair(left, right)
}

// zeroHashes[h] is the root of an all-zero subtree of height h.
var zeroHashes = computeZeroHashes()

func computeZeroHashes() [65]Hash {
	var z [65]Hash
	k := newHasher()
	for h := 1; h < len(z); h++ {
		z[h] = k.pair(z[h-1], z[h-1])
	}
	return z
}

// ZeroHash returns Z[height], the root of an all-zero subtree whose leaves are
// 32-byte chunks and which has height levels above them: Z[0] is 32 zero
// bytes and Z[i] = keccak256(Z[i-1] || Z[i-1]). Precondition: height in
// [0,64]; any other height returns the all-zero Hash.
func ZeroHash(height int) Hash {
	if height < 0 || height >= len(zeroHashes) {
		return Hash{}
	}
	return zeroHashes[height]
}

// keccakState is the legacy Keccak sponge: written, then read for the digest.
type keccakState interface {
	hash.Hash
	io.Reader
}

func newKeccak() keccakState {
	return sha3.NewLegacyKeccak256().(keccakState)
}

// hasher reuses one Keccak sponge across the many pair hashes of a Merkle
// computation; the sponge is made on first use, so reading a cached root
// costs no sponge. It is not safe for concurrent use; each computation makes
// its own.
type hasher struct {
	s     keccakState
	in    [2 * 32]byte // input buffer, kept here so no call allocates
	out   Hash
	count int // pair hashes computed, for tests of the caching contract
}

func newHasher() *hasher {
	return &hasher{}
}

// pair returns keccak256(left || right).
func (k *hasher) pair(left, right Hash) Hash {
	if k.s == nil {
		k.s = newKeccak()
	}
	k.count++
	copy(k.in[:32], left[:])
	copy(k.in[32:], right[:])
	k.s.Reset()
	k.s.Write(k.in[:])
	k.s.Read(k.out[:])
	return k.out
}
