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
	return new(PairHasher).Pair(left, right)
}

// zeroHashes[h] is the root of an all-zero subtree of height h.
var zeroHashes = computeZeroHashes()

func computeZeroHashes() [65]Hash {
	var z [65]Hash
	var k PairHasher
	for h := 1; h < len(z); h++ {
		z[h] = k.Pair(z[h-1], z[h-1])
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

// PairHasher computes inner Merkle nodes keccak256(left || right) with one
// reused Keccak sponge: every Merkle computation of the module (the memory
// tree, region and tensor roots, proof and path folds, opML's graph table,
// the dispute game's tables) hashes its pairs with it. The sponge is made on
// first use, so reading a cached root costs no sponge, and no call
// allocates after the first. The zero value is ready to use. It is not safe
// for concurrent use; each computation or goroutine makes its own.
type PairHasher struct {
	s     keccakState
	in    [2 * LeafSize]byte // input buffer, kept here so no call allocates
	out   Hash
	count int // pair hashes computed, for tests of the caching contract
}

// Pair returns keccak256(left || right).
func (k *PairHasher) Pair(left, right Hash) Hash {
	if k.s == nil {
		k.s = newKeccak()
	}
	k.count++
	copy(k.in[:LeafSize], left[:])
	copy(k.in[LeafSize:], right[:])
	k.s.Reset()
	k.s.Write(k.in[:])
	k.s.Read(k.out[:])
	return k.out
}

// Fold returns the root above node of a Merkle path: for i = 0, 1, …,
// len(siblings)−1, node becomes keccak256(siblings[i] || node) if bit i of
// index is set and keccak256(node || siblings[i]) if not. index is node's
// position among the nodes of its height and siblings[i] the sibling at i
// levels above node, so with len(siblings) = h the result is the root of
// the height-h subtree holding node. It is the one fold of a proof path:
// memory proofs (ComputeRoot), region proofs (ComputeRootFromRegion) and
// the dispute game's table openings all use it.
func (k *PairHasher) Fold(node Hash, index uint64, siblings []Hash) Hash {
	for _, sib := range siblings {
		if index&1 == 1 {
			node = k.Pair(sib, node)
		} else {
			node = k.Pair(node, sib)
		}
		index >>= 1
	}
	return node
}

// ComputePathRoot returns the root that the Merkle path from node up
// through siblings implies: Fold with a fresh PairHasher.
func ComputePathRoot(node Hash, index uint64, siblings []Hash) Hash {
	return new(PairHasher).Fold(node, index, siblings)
}
