package opml

import (
	"math/bits"

	"golang.org/x/crypto/sha3"

	"github.com/opcity-spec/opcity/spec/memory"
)

// TensorLog2Size returns log2 of the size of the smallest aligned memory
// region that holds n bytes: max(5, ⌈log2 n⌉), so at least one 32-byte leaf.
// Precondition: n >= 0.
func TensorLog2Size(n int) uint {
	if n <= memory.LeafSize {
		return memory.LeafLog2
	}
	return uint(bits.Len64(uint64(n - 1)))
}

// ComputeTensorRoot returns the commitment to a tensor whose canonical bytes
// are data (requirement OPML-COMMIT-TENSOR): the Merkle root of data laid out
// as VM memory lays it out, in 32-byte leaves, zero-padded to 2^k bytes with
// k = TensorLog2Size(len(data)). It is computed by writing data at address 0
// of an empty memory.Memory and taking RegionRoot(0, k), so it equals the
// RegionRoot of any 2^k-aligned region of any memory that holds data followed
// by zeros. A tensor of at most 32 bytes commits to its single leaf, data
// itself zero-padded, unhashed. The root binds the bytes up to trailing zero
// padding; the length comes from the tensor's shape in the model.
func ComputeTensorRoot(data []byte) memory.Hash {
	root, _ := memory.Memory{}.SetBytes(0, data).RegionRoot(0, TensorLog2Size(len(data)))
	return root // RegionRoot cannot fail: the address is 0 and 5 <= k <= 64
}

// GraphTableLog2Size returns log2 of the byte size of the graph-state table of
// a model with t tensors: 5 + ⌈log2 max(t, 1)⌉, i.e. t 32-byte entries padded
// to a power of two (requirement OPML-COMMIT-GRAPH).
func GraphTableLog2Size(t int) uint {
	return TensorLog2Size(t * memory.LeafSize)
}

// ComputeGraphRoot returns the graph-state root over a table of t tensor
// commitments (requirement OPML-COMMIT-GRAPH): entry i, at byte offset 32·i,
// is commitments[i] for i < len(commitments) and 32 zero bytes for the
// tensors not yet computed and for the padding up to 2^GraphTableLog2Size(t)
// bytes. The graph state after node k is this root with commitments holding
// the tensors 0..C+I+k (constants, inputs, then the outputs of nodes 0..k).
// Precondition: len(commitments) <= t.
func ComputeGraphRoot(commitments []memory.Hash, t int) memory.Hash {
	g := newGraphTable(t)
	for i, c := range commitments {
		g = g.with(i, c)
	}
	return g.root()
}

// graphTable is the graph-state table held in a memory.Memory at address 0,
// so that setting one entry rehashes only its path.
type graphTable struct {
	mem  memory.Memory
	log2 uint
}

// newGraphTable returns the all-zero table of t entries.
func newGraphTable(t int) graphTable {
	return graphTable{log2: GraphTableLog2Size(t)}
}

// with returns g with entry i set to c.
func (g graphTable) with(i int, c memory.Hash) graphTable {
	g.mem = g.mem.SetBytes(uint64(i)*memory.LeafSize, c[:])
	return g
}

// root returns the table's Merkle root.
func (g graphTable) root() memory.Hash {
	r, _ := g.mem.RegionRoot(0, g.log2)
	return r // cannot fail: address 0, 5 <= log2 <= 64
}

// TensorRoot returns the same value as ComputeTensorRoot, computed level by
// level over a flat buffer instead of through a memory.Memory: the leaves
// are the 32-byte chunks of data (the last zero-padded), each level hashes
// adjacent pairs in place, and an odd node at the end of a level is paired
// with the all-zero subtree of its height (memory.ZeroHash). It allocates
// one buffer of ⌈len/32⌉ hashes and one sponge, which is what the node
// program inside the VM can afford (requirement OPML-COMMIT-TENSOR).
func TensorRoot(data []byte) memory.Hash {
	levels := int(TensorLog2Size(len(data))) - memory.LeafLog2
	nodes := make([]memory.Hash, max(1, (len(data)+memory.LeafSize-1)/memory.LeafSize))
	for i := range nodes {
		copy(nodes[i][:], data[min(i*memory.LeafSize, len(data)):])
	}
	sponge := sha3.NewLegacyKeccak256()
	var buf [2 * memory.LeafSize]byte
	for h := 0; h < levels; h++ {
		n := (len(nodes) + 1) / 2
		for i := range n {
			copy(buf[:32], nodes[2*i][:])
			if 2*i+1 < len(nodes) {
				copy(buf[32:], nodes[2*i+1][:])
			} else {
				z := memory.ZeroHash(h)
				copy(buf[32:], z[:])
			}
			sponge.Reset()
			sponge.Write(buf[:])
			sponge.Sum(nodes[i][:0])
		}
		nodes = nodes[:n]
	}
	return nodes[0]
}
