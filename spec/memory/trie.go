package memory

import (
	"math/bits"
	"sync/atomic"
)

// The trie that holds a Memory. Level 0 is the root branch; each branch level
// consumes fanLog2 bits of the page index, so levels 0..trieLevels-1 are
// branches with fanout children and level pageLevel holds 4 KiB pages.
//
// Every trie node is also a complete binary "mini tree" of the Merkle tree:
// a branch at level l covers heights leafHeight(l)..heightOf(l), with its
// children's roots as the mini tree's leaves; a page covers heights 0..7 with
// its 128 raw 32-byte chunks as leaves.
const (
	pageSize   = 1 << PageLog2
	pageHeight = PageLog2 - LeafLog2 // 7: a page is a subtree of 128 leaves
	pageLeaves = 1 << pageHeight
	fanLog2    = 4
	fanout     = 1 << fanLog2
	trieLevels = (64 - PageLog2) / fanLog2 // 13 branch levels
	pageLevel  = trieLevels
)

// The page-index bits must split evenly into branch levels.
var _ [0]struct{} = [(64 - PageLog2) % fanLog2]struct{}{}

// heightOf returns the Merkle height of the root of a node at level.
func heightOf(level int) int {
	return pageHeight + fanLog2*(trieLevels-level)
}

// miniDepth returns the number of Merkle levels inside a node at level.
func miniDepth(level int) int {
	if level == pageLevel {
		return pageHeight
	}
	return fanLog2
}

// leafHeight returns the Merkle height of the leaves of a node's mini tree.
func leafHeight(level int) int {
	return heightOf(level) - miniDepth(level)
}

// slot returns which mini-tree leaf of the node at level holds addr: the kid
// index for a branch, the chunk index for a page.
func slot(addr uint64, level int) int {
	shift := LeafLog2 + leafHeight(level)
	return int(addr>>shift) & (1<<miniDepth(level) - 1)
}

// node is an immutable trie node: a branch (kids, data == nil) or a page
// (data != nil). A nil *node is an all-zero subtree. Only done changes after
// construction, from nil to the complete mini-tree hashes.
type node struct {
	kids [fanout]*node
	data *[pageSize]byte
	base memo                   // inherited hashes; fixed at construction
	done atomic.Pointer[[]Hash] // all hashes, once computed
	edit *Edit                  // the transient owner that may update it in place
}

// memo holds the inner nodes of a mini tree in heap order: h[1] is the node's
// root and h[j] has children 2j and 2j+1; positions j >= len(h) are the mini
// tree's leaves (slot j-len(h)). h[j] is valid unless dirty holds j. The
// backing array of h is never written once shared, so versions of a node
// share it freely.
type memo struct {
	h     []Hash
	dirty bitset128
}

// bitset128 is a set of heap positions below 128.
type bitset128 [2]uint64

func (b *bitset128) add(j int)     { b[j>>6] |= 1 << (j & 63) }
func (b bitset128) has(j int) bool { return b[j>>6]>>(j&63)&1 == 1 }
func (b bitset128) empty() bool    { return b == bitset128{} }

// addPath adds the ancestors of mini-tree leaf s (of width leaves) to b. The
// dirty sets are closed under taking parents, so it stops at the first
// ancestor already present.
func (b *bitset128) addPath(width, s int) {
	for j := (width + s) >> 1; j >= 1 && !b.has(j); j >>= 1 {
		b.add(j)
	}
}

// zeroMemos[l] is the memo of an all-zero node at level l.
var zeroMemos = computeZeroMemos()

func computeZeroMemos() [pageLevel + 1]memo {
	var out [pageLevel + 1]memo
	for level := range out {
		h := make([]Hash, 1<<miniDepth(level))
		for j := 1; j < len(h); j++ {
			h[j] = ZeroHash(heightOf(level) - bits.Len(uint(j)) + 1)
		}
		out[level] = memo{h: h}
	}
	return out
}

// kid returns child i of branch n; nil if n is nil.
func (n *node) kid(i int) *node {
	if n == nil {
		return nil
	}
	return n.kids[i]
}

// currentMemo returns n's most complete memo, or the all-zero memo if n is
// nil.
func (n *node) currentMemo(level int) memo {
	if n == nil {
		return zeroMemos[level]
	}
	if done := n.done.Load(); done != nil {
		return memo{h: *done}
	}
	return n.base
}

// withKid returns a copy of branch n (nil: an empty branch) at level whose
// child i is kid; the copy's memo marks slot i's path stale. A branch owned
// by e (non-nil) is updated in place instead.
func withKid(n *node, level, i int, kid *node, e *Edit) *node {
	if e != nil && n != nil && n.edit == e {
		n.kids[i] = kid
		n.invalidate(fanout, i)
		return n
	}
	base := n.currentMemo(level)
	out := &node{base: base, edit: e}
	if n != nil {
		out.kids = n.kids
	}
	out.kids[i] = kid
	out.base.dirty.addPath(fanout, i)
	return out
}

// withSpan returns a copy of page p (nil: a zero page) with src copied to
// byte offset off. Precondition: 0 < len(src) and off+len(src) <= pageSize.
func withSpan(p *node, off int, src []byte, e *Edit) *node {
	if e != nil && p != nil && p.edit == e {
		copy(p.data[off:], src)
		for c := off >> LeafLog2; c <= (off+len(src)-1)>>LeafLog2; c++ {
			p.invalidate(pageLeaves, c)
		}
		return p
	}
	base := p.currentMemo(pageLevel)
	out := &node{data: new([pageSize]byte), base: base, edit: e}
	if p != nil {
		*out.data = *p.data
	}
	copy(out.data[off:], src)
	for c := off >> LeafLog2; c <= (off+len(src)-1)>>LeafLog2; c++ {
		out.base.dirty.addPath(pageLeaves, c)
	}
	return out
}

// writeSpan returns subtree n at level with src written at addr, which must
// not cross a page boundary, and whether the write created the page.
func writeSpan(n *node, level int, addr uint64, src []byte, e *Edit) (*node, bool) {
	if level == pageLevel {
		return withSpan(n, int(addr&(pageSize-1)), src, e), n == nil
	}
	i := slot(addr, level)
	kid, created := writeSpan(n.kid(i), level+1, addr, src, e)
	return withKid(n, level, i, kid, e), created
}

// invalidate marks the path of mini-tree leaf s (of width leaves) stale in a
// node updated in place, first folding in hashes computed since it was built.
func (n *node) invalidate(width, s int) {
	if done := n.done.Load(); done != nil {
		n.base = memo{h: *done}
		n.done.Store(nil)
	}
	n.base.dirty.addPath(width, s)
}

// findPage returns the page node holding addr, or nil if it is absent.
func findPage(n *node, addr uint64) *node {
	for level := 0; level < pageLevel && n != nil; level++ {
		n = n.kids[slot(addr, level)]
	}
	return n
}

// walkPages calls yield for each page under n in ascending page index, with
// prefix the index bits above level; it returns false once yield does.
func walkPages(n *node, level int, prefix uint64, yield func(uint64, *[pageSize]byte) bool) bool {
	if n == nil {
		return true
	}
	if level == pageLevel {
		return yield(prefix, n.data)
	}
	for i, kid := range n.kids {
		if !walkPages(kid, level+1, prefix<<fanLog2|uint64(i), yield) {
			return false
		}
	}
	return true
}
