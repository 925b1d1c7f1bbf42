package memory

import "slices"

// RegionTree is the Merkle tree of an aligned region of 2^(height+5) bytes
// of which only the first n leaves may be nonzero (a tensor, a table of
// 32-byte entries), kept level by level: level h holds the ⌈n/2^h⌉ nodes of
// height h that cover those leaves (at least one), and every node to their
// right is ZeroHash(h). Its root is the region root of the leaves' bytes
// (ComputeRegionRoot), and Set rehashes one path, height pair hashes, so
// consecutive states of a table cost one path each. opML's graph-state
// table and the dispute game's table openings are RegionTrees. A
// RegionTree's levels are shared by copies of the value: Clone before
// setting a tree that another holder still reads.
type RegionTree struct {
	levels [][]Hash // levels[0] the leaves, levels[height] the root alone
}

// NewRegionTree returns the tree of height height over leaves followed by
// zero leaves, hashing ⌈n/2⌉ + ⌈n/4⌉ + … pairs (about n plus height).
// leaves is copied. Precondition: 0 <= height <= TreeDepth and len(leaves)
// <= 2^height.
func NewRegionTree(leaves []Hash, height int) RegionTree {
	var k PairHasher
	t := RegionTree{levels: make([][]Hash, height+1)}
	t.levels[0] = make([]Hash, max(1, len(leaves))) // one zero leaf for none
	copy(t.levels[0], leaves)
	for h := range height {
		src := t.levels[h]
		t.levels[h+1] = k.parents(make([]Hash, (len(src)+1)/2), src, h)
	}
	return t
}

// parents writes into dst the nodes of height h+1 above src, the leftmost
// nodes of height h (the last one, if it has no right sibling in src,
// paired with ZeroHash(h)), and returns them, dst[:⌈len(src)/2⌉]. dst may
// be src: parent i is written after its children 2i and 2i+1 are read.
// Precondition: len(src) >= 1 and len(dst) >= ⌈len(src)/2⌉.
func (k *PairHasher) parents(dst, src []Hash, h int) []Hash {
	n := (len(src) + 1) / 2
	for i := range n {
		dst[i] = k.Pair(src[2*i], nodeAt(src, 2*i+1, h))
	}
	return dst[:n]
}

// nodeAt returns node j of a level of height h that holds level: level[j],
// or ZeroHash(h) past its end.
func nodeAt(level []Hash, j, h int) Hash {
	if j < len(level) {
		return level[j]
	}
	return ZeroHash(h)
}

// Height returns the tree's height: it has 2^Height leaves.
func (t RegionTree) Height() int { return len(t.levels) - 1 }

// Root returns the tree's Merkle root.
func (t RegionTree) Root() Hash { return t.levels[len(t.levels)-1][0] }

// Set sets leaf i to leaf and rehashes its path with k (Height pair
// hashes). Precondition: i is below the leaf count the tree was made with.
func (t RegionTree) Set(k *PairHasher, i int, leaf Hash) {
	t.levels[0][i] = leaf
	for h := 1; h < len(t.levels); h++ {
		i /= 2
		t.levels[h][i] = k.Pair(t.levels[h-1][2*i], nodeAt(t.levels[h-1], 2*i+1, h-1))
	}
}

// Path returns the siblings of leaf i, from the leaves up (Height hashes;
// nil for height 0): with them, Fold(leaf, i, Path(i)) is Root().
// Precondition: 0 <= i < 2^Height.
func (t RegionTree) Path(i uint64) []Hash {
	var path []Hash
	for h := range t.Height() {
		path = append(path, nodeAt(t.levels[h], int(i^1), h))
		i >>= 1
	}
	return path
}

// Clone returns a copy of t that can be set without changing t.
func (t RegionTree) Clone() RegionTree {
	c := RegionTree{levels: make([][]Hash, len(t.levels))}
	for h, l := range t.levels {
		c.levels[h] = slices.Clone(l)
	}
	return c
}
