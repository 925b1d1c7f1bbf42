package spec

import (
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/transition"
)

// TensorStore is the tensor part of D (transition.TensorStore).
type TensorStore = transition.TensorStore

// Tensors is a map-backed TensorStore. Each tensor is indexed under its
// commitment at every region size a tensor syscall accepts that holds it:
// from k0 = memory.RegionLog2Size(len) up to transition.MaxTensorLog2,
// where the root at size k+1 is HashPair(root_k, ZeroHash(k-5)) (the tensor
// followed by a zero half). A lookup is exact, by (root, log2size). The zero value
// is an empty store; Add is not safe for concurrent use. Requirement
// TENSOR-STORE.
type Tensors struct {
	byRoot map[tensorKey][]byte
}

type tensorKey struct {
	root     memory.Hash
	log2size uint
}

// NewTensors returns a store holding tensors.
func NewTensors(tensors ...[]byte) *Tensors {
	t := &Tensors{}
	for _, data := range tensors {
		t.Add(data)
	}
	return t
}

// Add indexes data and returns its commitment at its minimal size
// memory.RegionLog2Size(len(data)). A tensor longer than 2^MaxTensorLog2
// bytes is not indexed (no tensor syscall can bind it) and its root is
// still returned.
func (t *Tensors) Add(data []byte) memory.Hash {
	if t.byRoot == nil {
		t.byRoot = map[tensorKey][]byte{}
	}
	var h memory.PairHasher
	k0 := memory.RegionLog2Size(len(data))
	root, _ := h.ComputeRegionRoot(data, k0) // cannot fail: k0 fits data, 5 <= k0 <= 64
	for k, r := k0, root; k <= transition.MaxTensorLog2; k++ {
		t.byRoot[tensorKey{r, k}] = data
		r = h.Pair(r, memory.ZeroHash(int(k)-memory.LeafLog2))
	}
	return root
}

// Tensor returns the tensor whose region root at size 2^log2size is root.
func (t *Tensors) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	if t == nil {
		return nil, false
	}
	data, ok := t.byRoot[tensorKey{root, log2size}]
	return data, ok
}
