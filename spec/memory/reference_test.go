package memory_test

import (
	"encoding/binary"
	"slices"

	"golang.org/x/crypto/sha3"
	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
)

// This file holds the naive reference model that the trie is checked
// against: a map of non-zero leaves and a Merkle tree hashed from scratch by
// recursion, with its own Keccak and zero-hash table (nothing from the
// package under test but the Hash and Proof types).

// refKeccak is keccak256(a || b) computed directly with x/crypto.
func refKeccak(a, b memory.Hash) memory.Hash {
	s := sha3.NewLegacyKeccak256()
	s.Write(a[:])
	s.Write(b[:])
	return memory.Hash(s.Sum(nil))
}

// refZero[h] is the root of an all-zero subtree of height h.
var refZero = func() (z [65]memory.Hash) {
	for h := 1; h < len(z); h++ {
		z[h] = refKeccak(z[h-1], z[h-1])
	}
	return z
}()

// refMemory is the model: leaf index -> 32-byte leaf; absent leaves are zero.
type refMemory struct {
	leaves map[uint64]memory.Hash
}

func newRef() *refMemory {
	return &refMemory{leaves: map[uint64]memory.Hash{}}
}

func (r *refMemory) clone() *refMemory {
	out := newRef()
	for k, v := range r.leaves {
		out.leaves[k] = v
	}
	return out
}

func (r *refMemory) setByte(addr uint64, b byte) {
	leaf := r.leaves[addr>>5]
	leaf[addr&31] = b
	r.leaves[addr>>5] = leaf
}

func (r *refMemory) byteAt(addr uint64) byte {
	leaf := r.leaves[addr>>5]
	return leaf[addr&31]
}

func (r *refMemory) setWord(addr, v uint64) {
	var buf [8]byte
	binary.BigEndian.PutUint64(buf[:], v)
	for i, b := range buf {
		r.setByte(addr+uint64(i), b)
	}
}

func (r *refMemory) word(addr uint64) uint64 {
	leaf := r.leaves[addr>>5]
	return binary.BigEndian.Uint64(leaf[addr&31:])
}

// node returns the Merkle node at height whose subtree is the leaves with
// index>>height == index (for height 59, index must be 0).
func (r *refMemory) node(height int, index uint64) memory.Hash {
	var keys []uint64
	for k := range r.leaves {
		if height >= 64 || k>>height == index {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return r.merkleize(keys, height)
}

// merkleize hashes the subtree of the given height holding exactly the sorted
// leaf keys (which share all bits at and above height).
func (r *refMemory) merkleize(keys []uint64, height int) memory.Hash {
	if len(keys) == 0 {
		return refZero[height]
	}
	if height == 0 {
		return r.leaves[keys[0]]
	}
	split, _ := slices.BinarySearchFunc(keys, true, func(k uint64, _ bool) int {
		if k>>(height-1)&1 == 1 {
			return 1
		}
		return -1
	})
	return refKeccak(r.merkleize(keys[:split], height-1), r.merkleize(keys[split:], height-1))
}

func (r *refMemory) root() memory.Hash {
	return r.node(memory.TreeDepth, 0)
}

// proof builds Cannon's proof for addr by hashing each sibling subtree.
func (r *refMemory) proof(addr uint64) memory.Proof {
	var p memory.Proof
	leaf := r.leaves[addr>>5]
	copy(p[:32], leaf[:])
	idx := addr >> 5
	for h := 0; h < memory.TreeDepth; h++ {
		sib := r.node(h, (idx>>h)^1)
		copy(p[32*(h+1):], sib[:])
	}
	return p
}

// refFold folds proof p for addr up to the given height.
func refFold(addr uint64, p memory.Proof, height int) memory.Hash {
	node := memory.Hash(p[:32])
	for h := 0; h < height; h++ {
		sib := memory.Hash(p[32*(h+1) : 32*(h+2)])
		if (addr>>5)>>h&1 == 1 {
			node = refKeccak(sib, node)
		} else {
			node = refKeccak(node, sib)
		}
	}
	return node
}

// merkleizeBytes hashes a byte string whose length is a power of two >= 32
// as a Merkle tree over its 32-byte chunks.
func merkleizeBytes(b []byte) memory.Hash {
	if len(b) == 32 {
		return memory.Hash(b)
	}
	half := len(b) / 2
	return refKeccak(merkleizeBytes(b[:half]), merkleizeBytes(b[half:]))
}

// Generators. Addresses mix edge values (0, the last word, page and leaf
// boundaries, Cannon's layout constants), clusters (so that proofs share
// paths and pages) and uniformly random addresses.

var edgeAddrs = []uint64{
	0, 8, 24, 32, 0xFF8, 0x1000, 0x1FE0, 0x10000,
	0xFFFF_FFFF_FFFF_FFF8, 0xFFFF_FFFF_FFFF_F000, 0x7FFF_FFFF_FFFF_FFF8, 0x8000_0000_0000_0000,
	0x0000_7FFF_FFFF_F000, // initial stack pointer
	0x0000_1000_0000_0000, // HEAP_START
	0x0000_00C0_0000_0000, // Cannon's ProgramHeapStart region
	0x0000_4000_0000_0000, // PROGRAM_BREAK
}

var clusterBases = []uint64{
	0, 0x10000, 0x0000_7FFF_FFFF_B000, 0x0000_1000_0000_0000,
	0xFFFF_FFFF_FFFF_C000, 0x7FFF_FFFF_FFFF_E000,
}

// genAddr draws any address (not necessarily aligned).
func genAddr() *rapid.Generator[uint64] {
	clustered := rapid.Custom(func(t *rapid.T) uint64 {
		base := rapid.SampledFrom(clusterBases).Draw(t, "base")
		return base + rapid.Uint64Range(0, 4*4096+64).Draw(t, "offset")
	})
	return rapid.OneOf(rapid.SampledFrom(edgeAddrs), clustered, clustered, rapid.Uint64())
}

// genWordAddr draws an 8-aligned address.
func genWordAddr() *rapid.Generator[uint64] {
	return rapid.Map(genAddr(), func(a uint64) uint64 { return a &^ 7 })
}

// genValue draws a word value, often an edge value.
func genValue() *rapid.Generator[uint64] {
	edges := []uint64{0, 1, ^uint64(0), 1 << 63, 1<<63 - 1, 0xDEADBEEF}
	return rapid.OneOf(rapid.SampledFrom(edges), rapid.Uint64())
}

type write struct {
	Addr, Value uint64
}

func genWrites(maxLen int) *rapid.Generator[[]write] {
	return rapid.SliceOfN(rapid.Custom(func(t *rapid.T) write {
		return write{Addr: genWordAddr().Draw(t, "addr"), Value: genValue().Draw(t, "value")}
	}), 0, maxLen)
}

// apply performs ws on both m and ref (ref is modified in place).
func apply(t rapid.TB, m memory.Memory, ref *refMemory, ws []write) memory.Memory {
	for i, w := range ws {
		var err error
		m, err = m.SetWord(w.Addr, w.Value)
		if err != nil {
			t.Fatalf("write %d: SetWord(%#x): %v", i, w.Addr, err)
		}
		ref.setWord(w.Addr, w.Value)
	}
	return m
}

// probeAddrs returns the written addresses plus drawn ones, so proofs are
// checked both on and off the written paths.
func probeAddrs(t *rapid.T, ws []write) []uint64 {
	out := rapid.SliceOfN(genAddr(), 1, 6).Draw(t, "probes")
	for _, w := range ws {
		out = append(out, w.Addr)
	}
	return out
}
