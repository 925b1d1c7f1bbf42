package opml

import (
	"math/bits"
	"slices"

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
	g, k := newGraphTable(t), newPairHasher()
	for i, c := range commitments {
		g.set(k, i, c)
	}
	return g.root()
}

// graphTable is the graph-state table as a complete binary Merkle tree
// kept level by level: levels[0] holds the 2^d entries (d = log2 size − 5),
// levels[h] the 2^(d−h) roots of height-h subtrees, levels[d][0] the root.
// Setting an entry rehashes its path, d pair hashes. It computes the same
// root as the memory RegionRoot of the table (TestOPML_COMMIT_GRAPH_RegionRoot).
type graphTable struct {
	levels [][]memory.Hash
}

// newGraphTable returns the all-zero table of t entries.
func newGraphTable(t int) graphTable {
	d := int(GraphTableLog2Size(t)) - memory.LeafLog2
	g := graphTable{levels: make([][]memory.Hash, d+1)}
	for h := range g.levels {
		g.levels[h] = make([]memory.Hash, 1<<(d-h))
		if z := memory.ZeroHash(h); z != (memory.Hash{}) {
			for i := range g.levels[h] {
				g.levels[h][i] = z
			}
		}
	}
	return g
}

// clone returns a copy of g that can be set without changing g.
func (g graphTable) clone() graphTable {
	c := graphTable{levels: make([][]memory.Hash, len(g.levels))}
	for h, l := range g.levels {
		c.levels[h] = slices.Clone(l)
	}
	return c
}

// set sets entry i to c and rehashes its path with k.
func (g graphTable) set(k *pairHasher, i int, c memory.Hash) {
	g.levels[0][i] = c
	for h := 1; h < len(g.levels); h++ {
		i /= 2
		g.levels[h][i] = k.pair(g.levels[h-1][2*i], g.levels[h-1][2*i+1])
	}
}

// root returns the table's Merkle root.
func (g graphTable) root() memory.Hash {
	return g.levels[len(g.levels)-1][0]
}

// pairHasher hashes Merkle pairs with one reused Keccak sponge.
type pairHasher struct {
	sponge sha3State
	buf    [2 * memory.LeafSize]byte
}

// sha3State is the legacy Keccak sponge: written, then read for the digest.
type sha3State interface {
	Write([]byte) (int, error)
	Read([]byte) (int, error)
	Reset()
}

func newPairHasher() *pairHasher {
	return &pairHasher{sponge: sha3.NewLegacyKeccak256().(sha3State)}
}

// pair returns keccak256(left ‖ right).
func (k *pairHasher) pair(left, right memory.Hash) memory.Hash {
	copy(k.buf[:memory.LeafSize], left[:])
	copy(k.buf[memory.LeafSize:], right[:])
	k.sponge.Reset()
	_, _ = k.sponge.Write(k.buf[:])
	var out memory.Hash
	_, _ = k.sponge.Read(out[:])
	return out
}

// TensorRoot returns the same value as ComputeTensorRoot, computed level by
// level over a flat buffer instead of through a memory.Memory: the leaves
// are the 32-byte chunks of data (the last zero-padded), each level hashes
// adjacent pairs in place, and an odd node at the end of a level is paired
// with the all-zero subtree of its height (memory.ZeroHash). It allocates
// one buffer of ⌈len/32⌉ hashes and one sponge, which is what the node
// program inside the VM can afford (requirement OPML-COMMIT-TENSOR).
func TensorRoot(data []byte) memory.Hash {
	return newPairHasher().tensorRoot(data)
}

// tensorRoot is TensorRoot with k's sponge.
func (k *pairHasher) tensorRoot(data []byte) memory.Hash {
	levels := int(TensorLog2Size(len(data))) - memory.LeafLog2
	nodes := make([]memory.Hash, max(1, (len(data)+memory.LeafSize-1)/memory.LeafSize))
	for i := range nodes {
		copy(nodes[i][:], data[min(i*memory.LeafSize, len(data)):])
	}
	for h := 0; h < levels; h++ {
		n := (len(nodes) + 1) / 2
		for i := range n {
			right := memory.ZeroHash(h)
			if 2*i+1 < len(nodes) {
				right = nodes[2*i+1]
			}
			nodes[i] = k.pair(nodes[2*i], right)
		}
		nodes = nodes[:n]
	}
	return nodes[0]
}
