package memory

import "encoding/binary"

// Geometry of the memory and of its proofs (requirement MEM-GEOMETRY).
const (
	WordSize       = 8                         // bytes in a word; word accesses must be aligned to it
	LeafSize       = 32                        // bytes in a Merkle leaf
	LeafLog2       = 5                         // log2(LeafSize): the leaf of address a is a>>LeafLog2
	TreeDepth      = 64 - LeafLog2             // 59 levels of inner nodes above the leaves
	ProofLeafCount = TreeDepth + 1             // 60 entries: the leaf and 59 siblings
	ProofSize      = ProofLeafCount * LeafSize // 1920 bytes
	PageLog2       = 12                        // 4 KiB pages; an implementation detail with no effect on roots
)

// Proof is Cannon's memory proof of one leaf: entry 0 is the 32-byte leaf,
// entry i+1 the sibling at height i for i = 0..58 (see the package doc for the
// byte layout). A Proof says nothing about which address it is for; the
// address is always passed beside it.
type Proof [ProofSize]byte

// Leaf returns entry 0, the raw 32-byte leaf.
func (p Proof) Leaf() [32]byte {
	return [32]byte(p[:LeafSize])
}

// Sibling returns the sibling at height i (entry i+1). Precondition: i in
// [0,TreeDepth); any other i returns the all-zero Hash.
func (p Proof) Sibling(i int) Hash {
	if i < 0 || i >= TreeDepth {
		return Hash{}
	}
	off := (i + 1) * LeafSize
	return Hash(p[off : off+LeafSize])
}

// Word returns the big-endian word of the proven leaf that holds address addr,
// that is the 8 bytes at leaf offset (addr & 31) &^ 7. Any addr is accepted:
// the low three bits are ignored.
func (p Proof) Word(addr uint64) uint64 {
	return binary.BigEndian.Uint64(p[leafWordOffset(addr):])
}

// leafWordOffset returns the byte offset, within its leaf, of the word that
// holds addr.
func leafWordOffset(addr uint64) int {
	return int(addr & (LeafSize - 1) &^ (WordSize - 1))
}

// ComputeRoot returns the root that p implies for the leaf holding addr:
// node = leaf, then for i = 0..58, node = keccak(sib_i || node) if bit i of
// addr>>5 is set, else keccak(node || sib_i) (requirement MEM-PROOF-COMPLETE).
func ComputeRoot(addr uint64, p Proof) Hash {
	return foldProof(Hash(p.Leaf()), addr>>LeafLog2, (*[ProofSize]byte)(&p), TreeDepth)
}

// ComputeRootWithWord returns the root after the word holding addr (address
// addr &^ 7) is replaced by v in the proven leaf, keeping the siblings of p.
// This is the on-chain write rule (MIPS64Memory.writeMem); it is sound only
// when p proves the leaf against the current root (requirement
// MEM-WRITE-UPDATE).
func ComputeRootWithWord(addr uint64, p Proof, v uint64) Hash {
	leaf := p.Leaf()
	binary.BigEndian.PutUint64(leaf[leafWordOffset(addr):], v)
	return foldProof(Hash(leaf), addr>>LeafLog2, (*[ProofSize]byte)(&p), TreeDepth)
}

// VerifyProof returns nil if p proves the leaf holding addr against root, and
// otherwise a *ProofError carrying root (Want) and ComputeRoot(addr, p) (Got).
func VerifyProof(root Hash, addr uint64, p Proof) error {
	if got := ComputeRoot(addr, p); got != root {
		return &ProofError{Addr: addr, Want: root, Got: got}
	}
	return nil
}

// foldProof returns the root that the n siblings in entries 1..n of a proof
// b (a leaf Proof or a RegionProof, which share the layout) imply for node,
// the node at position index of height TreeDepth−n: PairHasher.Fold over
// those entries. Precondition: 0 <= n <= TreeDepth.
func foldProof(node Hash, index uint64, b *[ProofSize]byte, n int) Hash {
	var sibs [TreeDepth]Hash // on the stack: Fold keeps no reference
	for i := range n {
		sibs[i] = Hash(b[(i+1)*LeafSize : (i+2)*LeafSize])
	}
	return new(PairHasher).Fold(node, index, sibs[:n])
}
