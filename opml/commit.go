package opml

import (
	"github.com/opcity-spec/opcity/spec/memory"
)

// TensorLog2Size returns log2 of the size of the smallest aligned memory
// region that holds n bytes: max(5, ⌈log2 n⌉), so at least one 32-byte leaf
// (memory.RegionLog2Size). Precondition: n >= 0.
func TensorLog2Size(n int) uint { return memory.RegionLog2Size(n) }

// ComputeTensorRoot returns the commitment to a tensor whose canonical bytes
// are data (requirement OPML-COMMIT-TENSOR): the Merkle root of data laid out
// as VM memory lays it out, in 32-byte leaves, zero-padded to 2^k bytes with
// k = TensorLog2Size(len(data)): memory.ComputeRegionRoot(data, k), which
// equals the RegionRoot of any 2^k-aligned region of any memory that holds
// data followed by zeros. A tensor of at most 32 bytes commits to its single
// leaf, data itself zero-padded, unhashed. The root binds the bytes up to
// trailing zero padding; the length comes from the tensor's shape in the
// model. It allocates one buffer of ⌈len/32⌉ hashes and one sponge, which is
// what the node program inside the VM can afford.
func ComputeTensorRoot(data []byte) memory.Hash {
	return tensorRoot(new(memory.PairHasher), data)
}

// tensorRoot is ComputeTensorRoot with k's sponge.
func tensorRoot(k *memory.PairHasher, data []byte) memory.Hash {
	root, _ := k.ComputeRegionRoot(data, TensorLog2Size(len(data)))
	return root // cannot fail: 5 <= k <= 64 and data fits 2^k bytes
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
	return memory.NewRegionTree(commitments, graphTableHeight(t)).Root()
}

// graphTableHeight returns the Merkle height of the graph-state table of a
// model with t tensors.
func graphTableHeight(t int) int {
	return int(GraphTableLog2Size(t)) - memory.LeafLog2
}

// newGraphTable returns the all-zero graph-state table of t entries, a
// memory.RegionTree: setting an entry rehashes its path, and its root is
// the memory RegionRoot of the table (TestOPML_COMMIT_GRAPH_RegionRoot).
func newGraphTable(t int) memory.RegionTree {
	return memory.NewRegionTree(make([]memory.Hash, t), graphTableHeight(t))
}
