package memory

import "math/bits"

// Regions of the OPcity profile: an aligned power-of-two region is one
// subtree of the memory tree, so its contents commit to one node (its
// region root, [Memory.RegionRoot]) and replacing that node changes the
// memory root along one path (requirement MEM-REGION-ROOT, TENSOR-MAP).

// RegionProof proves the root of the aligned region [addr, addr+2^k) with
// 5 <= k <= 64 against the memory root. It has the size and the framing of a
// leaf [Proof], shifted up by k-5 levels:
//
//	offset        size  content
//	0             32    the region root (for k = 5, the raw leaf)
//	32*(j+1)      32    sibling at height k-5+j, for j = 0..63-k
//	32*(65-k)     ...   zero padding up to ProofSize
//
// So a region of any size has a proof of ProofSize bytes: a step that binds
// a 64-byte region and one that binds a 16 MiB region carry witnesses of
// the same length (requirement TENSOR-WITNESS-SIZE).
type RegionProof [ProofSize]byte

// IsRegion reports whether [addr, addr+2^log2size) is an aligned
// power-of-two subtree: 5 <= log2size <= 64 and addr a multiple of
// 2^log2size.
func IsRegion(addr uint64, log2size uint) bool {
	return log2size >= LeafLog2 && log2size <= 64 && addr&(1<<log2size-1) == 0
}

// regionHeight returns the Merkle height of the root of a 2^log2size region.
func regionHeight(log2size uint) int { return int(log2size) - LeafLog2 }

// Root returns entry 0 of p, the proven region root.
func (p RegionProof) Root() Hash { return Hash(p[:LeafSize]) }

// IsCanonical reports whether the bytes of p past the siblings of a
// 2^log2size region are zero. Precondition: IsRegion(_, log2size).
func (p RegionProof) IsCanonical(log2size uint) bool {
	for _, b := range p[(1+TreeDepth-regionHeight(log2size))*LeafSize:] {
		if b != 0 {
			return false
		}
	}
	return true
}

// ComputeRootFromRegion returns the memory root that p implies when the
// region [addr, addr+2^log2size) has root node: node folded with p's
// siblings at heights log2size-5..58, left or right by the bits of addr>>5.
// Precondition: IsRegion(addr, log2size). With node = p.Root() it is the
// root p proves; with another node it is the on-chain rule for replacing the
// region (requirement TENSOR-MAP).
func ComputeRootFromRegion(addr uint64, log2size uint, p RegionProof, node Hash) Hash {
	return foldProof(node, addr>>log2size, (*[ProofSize]byte)(&p), TreeDepth-regionHeight(log2size))
}

// RegionProof returns the proof of the region [addr, addr+2^log2size)
// against m.Root(). Errors: *RegionError if !IsRegion(addr, log2size).
func (m Memory) RegionProof(addr uint64, log2size uint) (RegionProof, error) {
	var out RegionProof
	root, err := m.RegionRoot(addr, log2size)
	if err != nil {
		return out, err
	}
	copy(out[:], root[:])
	leaf := m.Proof(addr)
	first := regionHeight(log2size)
	for h := first; h < TreeDepth; h++ {
		sib := leaf.Sibling(h)
		copy(out[(h-first+1)*LeafSize:], sib[:])
	}
	return out, nil
}

// RegionLog2Size returns log2 of the size of the smallest aligned region
// that holds n bytes: max(5, ⌈log2 n⌉), so at least one 32-byte leaf. It
// is the size a tensor of n bytes commits at (opml.TensorLog2Size, the
// tensor store's minimal size). Precondition: n >= 0.
func RegionLog2Size(n int) uint {
	if n <= LeafSize {
		return LeafLog2
	}
	return uint(bits.Len64(uint64(n - 1)))
}

// ComputeRegionRoot returns the root of a 2^log2size region that holds data
// followed by zeros: the commitment to a tensor at that size. It equals
// Memory{}.SetBytes(0, data).RegionRoot(0, log2size), and so the RegionRoot
// of any aligned region of any memory that holds data followed by zeros
// (TestMEM_REGION_ROOT_Bytes holds the two equal). Errors: *RegionError if
// log2size is outside [5,64] or data is longer than the region.
func ComputeRegionRoot(data []byte, log2size uint) (Hash, error) {
	return new(PairHasher).ComputeRegionRoot(data, log2size)
}

// ComputeRegionRoot is the package's ComputeRegionRoot with k's sponge. It
// works level by level over one buffer of ⌈len(data)/32⌉ hashes (the
// leaves, the last zero-padded), rehashing in place, and pairs a node past
// the end of a level with the all-zero subtree of its height (ZeroHash):
// one buffer and one sponge, which is what the node program inside the VM
// can afford.
func (k *PairHasher) ComputeRegionRoot(data []byte, log2size uint) (Hash, error) {
	if !IsRegion(0, log2size) || (log2size < 64 && uint64(len(data)) > 1<<log2size) {
		return Hash{}, &RegionError{Addr: 0, Log2Size: log2size}
	}
	nodes := leavesOf(data)
	for h := range regionHeight(log2size) {
		nodes = k.parents(nodes, nodes, h)
	}
	return nodes[0], nil
}

// leavesOf returns the 32-byte leaves of data, the last one zero-padded, and
// one zero leaf for empty data.
func leavesOf(data []byte) []Hash {
	leaves := make([]Hash, max(1, (len(data)+LeafSize-1)/LeafSize))
	for i := range leaves {
		copy(leaves[i][:], data[min(i*LeafSize, len(data)):])
	}
	return leaves
}

// Leaf returns the 32-byte leaf that starts at addr. Errors:
// *AlignmentError if addr is not a multiple of LeafSize.
func (m Memory) Leaf(addr uint64) ([LeafSize]byte, error) {
	if addr&(LeafSize-1) != 0 {
		return [LeafSize]byte{}, &AlignmentError{Addr: addr}
	}
	return [LeafSize]byte(m.Bytes(addr, LeafSize)), nil
}

// WithLeaf returns m with the 32-byte leaf at addr set to v. Errors as for
// Leaf; on error it returns m.
func (m Memory) WithLeaf(addr uint64, v [LeafSize]byte) (Space, error) {
	if addr&(LeafSize-1) != 0 {
		return m, &AlignmentError{Addr: addr}
	}
	if [LeafSize]byte(m.Bytes(addr, LeafSize)) == v {
		return m, nil
	}
	return m.writeInPage(addr, v[:]), nil
}

// WithRegion returns m with the region [addr, addr+2^log2size) holding data
// followed by zeros; m is unchanged. root is not read: the caller has
// checked that it is the region root of data (the witnessed back-end uses
// it instead of data). Pages of the region past data are released, so a
// large region costs only what data covers. Errors: *RegionError if the
// region is not an aligned power-of-two subtree or data is longer than it.
func (m Memory) WithRegion(addr uint64, log2size uint, root Hash, data []byte) (Space, error) {
	if !IsRegion(addr, log2size) || (log2size < 64 && uint64(len(data)) > 1<<log2size) {
		return m, &RegionError{Addr: addr, Log2Size: log2size}
	}
	n, removed := clearRegion(m.root, 0, addr, log2size, m.edit)
	out := Memory{root: n, pages: m.pages - removed, edit: m.edit}
	return out.SetBytes(addr, data), nil
}

// clearRegion returns subtree n at level with the aligned region [addr,
// addr+2^log2size) zeroed, and the number of pages it released. Whole
// subtrees inside the region become nil; a region smaller than a page is
// zeroed inside its page, which stays held.
func clearRegion(n *node, level int, addr uint64, log2size uint, e *Edit) (*node, int) {
	if n == nil {
		return nil, 0
	}
	if int(log2size) >= heightOf(level)+LeafLog2 {
		return nil, countPages(n, level)
	}
	if level == pageLevel {
		return withSpan(n, int(addr&(pageSize-1)), make([]byte, 1<<log2size), e), 0
	}
	kidLog2 := heightOf(level+1) + LeafLog2
	first := slot(addr, level)
	if int(log2size) < kidLog2 {
		kid, removed := clearRegion(n.kids[first], level+1, addr, log2size, e)
		return withKid(n, level, first, kid, e), removed
	}
	removed := 0
	for j := first; j < first+1<<(int(log2size)-kidLog2); j++ {
		if n.kids[j] != nil {
			removed += countPages(n.kids[j], level+1)
			n = withKid(n, level, j, nil, e)
		}
	}
	return n, removed
}

// countPages returns the number of pages held under n at level.
func countPages(n *node, level int) int {
	c := 0
	walkPages(n, level, 0, func(uint64, *[pageSize]byte) bool { c++; return true })
	return c
}
