// Package memory is the 64-bit Merkle memory of the Cannon MIPS64 fault-proof
// VM (Cannon, optimism v1.19.6, cannon/mipsevm/memory), written as an
// immutable value.
//
// # Geometry (requirement MEM-GEOMETRY)
//
// The address space is 2^64 bytes, big-endian, read and written as aligned
// 8-byte words. The commitment to it is a binary Merkle tree of depth
// [TreeDepth] = 59 whose 2^59 leaves are the raw 32-byte chunks of memory:
// the leaf holding address a has index a>>5, and bit i of a>>5 (counting from
// the least significant bit) says whether the node at height i on the path is
// a right (1) or left (0) child. A leaf is not hashed; an inner node is
// keccak256(left || right) with legacy Keccak. An all-zero subtree of height h
// hashes to [ZeroHash](h), so the empty memory has root ZeroHash(59).
//
// # Proofs (requirements MEM-PROOF-*)
//
// A [Proof] is Cannon's 1920-byte encoding:
//
//	offset        size  content
//	0             32    the leaf (32-byte chunk) that holds the address
//	32*(i+1)      32    sibling at height i, for i = 0..58 (leaf level first)
//
// [ComputeRoot] folds a proof into the root it implies, [VerifyProof] checks it
// against a root, and [ComputeRootWithWord] is the on-chain write rule.
//
// # Values and back-ends
//
// [Memory] is the full back-end: a persistent trie of 4 KiB pages in which a
// write copies only the page and the trie nodes on its path and leaves the
// old value intact (MEM-IMMUTABLE). Merkle hashes are cached per node and
// computed lazily, so a root after one write hashes only that write's path.
// Pages are an implementation detail and never change a root. The state
// transition sees memory only through the narrow [Space] interface.
package memory
