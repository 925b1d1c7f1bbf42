package fpvm

import (
	"encoding/binary"
	"math/bits"
	"slices"

	"github.com/opcity-spec/opcity/spec/memory"
)

// Page geometry. A page is 4 KiB, 128 Merkle leaves of 32 bytes, so its root
// sits at height pageHeight of the memory tree; above it are upperLevels
// levels indexed by the page number (memory.TreeDepth = pageHeight + upperLevels).
const (
	pageLog2    = memory.PageLog2
	pageSize    = 1 << pageLog2
	pageMask    = pageSize - 1
	leavesLog2  = pageLog2 - memory.LeafLog2 // 7
	leafCount   = 1 << leavesLog2            // 128
	pageHeight  = leavesLog2
	upperLevels = memory.TreeDepth - pageHeight // 52
	insnPerPage = pageSize / 4
	tlbSize     = 256
)

// page is one 4 KiB page of guest memory with the caches built over it.
//
// data holds the bytes big-endian, as the Merkle leaves are laid out. root is
// the page's Merkle root when !dirty. inner, once allocated, holds the page's
// inner Merkle nodes in heap order (1 is the root, node j has children 2j and
// 2j+1, nodes 64..127 have leaves as children) and is valid except on the
// paths of the leaves in dirtyLeaves. code is the decoded-instruction cache,
// allocated when the page is first executed; a write clears the two entries
// of the word it changes.
type page struct {
	data        [pageSize]byte
	root        memory.Hash
	hashed      bool // root was computed at least once
	dirty       bool // written since root was computed; listed in mem.dirty
	dirtyLeaves [leafCount / 64]uint64
	inner       *[leafCount]memory.Hash
	code        *[insnPerPage]insn
}

// tlbEntry caches the page of one page number; idx = ^0 marks an empty entry.
type tlbEntry struct {
	idx uint64
	p   *page
}

// mem is the executor's memory: a page map, a direct-mapped page cache in
// front of it, and the incremental Merkle tree above the pages. Absent pages
// read as zero; a write to an absent page allocates it (as the spec does,
// even for a zero value), so the set of held pages is the spec's.
type mem struct {
	pages map[uint64]*page
	tlb   [tlbSize]tlbEntry
	dirty []uint64 // page numbers written since the last root
	// upper[l] holds, for l = 1..upperLevels, the nodes at height
	// pageHeight+l by index pageNumber>>l; absent nodes are zero subtrees.
	upper   [upperLevels + 1]map[uint64]memory.Hash
	rootOK  bool
	root    memory.Hash
	scratch [leafCount]memory.Hash
	k       hasher
}

func newMem() *mem {
	m := &mem{pages: make(map[uint64]*page)}
	for i := range m.tlb {
		m.tlb[i].idx = ^uint64(0)
	}
	for l := 1; l <= upperLevels; l++ {
		m.upper[l] = make(map[uint64]memory.Hash)
	}
	return m
}

// lookup returns the page holding addr, or nil when it is absent.
func (m *mem) lookup(addr uint64) *page {
	idx := addr >> pageLog2
	e := &m.tlb[idx&(tlbSize-1)]
	if e.idx == idx {
		return e.p
	}
	p := m.pages[idx]
	if p != nil {
		e.idx, e.p = idx, p
	}
	return p
}

// pageFor returns the page holding addr, allocating it when absent.
func (m *mem) pageFor(addr uint64) *page {
	if p := m.lookup(addr); p != nil {
		return p
	}
	idx := addr >> pageLog2
	p := &page{}
	m.pages[idx] = p
	m.tlb[idx&(tlbSize-1)] = tlbEntry{idx, p}
	m.markDirty(idx, p)
	return p
}

// word returns the big-endian word at addr (8-aligned by the caller).
func (m *mem) word(addr uint64) uint64 {
	p := m.lookup(addr)
	if p == nil {
		return 0
	}
	return binary.BigEndian.Uint64(p.data[addr&(pageMask&^7):])
}

// setWord stores v at addr (8-aligned by the caller), marks the leaf dirty
// for hashing and drops the two decoded instructions of the word.
func (m *mem) setWord(addr, v uint64) {
	p := m.pageFor(addr)
	off := addr & (pageMask &^ 7)
	binary.BigEndian.PutUint64(p.data[off:], v)
	leaf := off >> memory.LeafLog2
	p.dirtyLeaves[leaf>>6] |= 1 << (leaf & 63)
	if !p.dirty {
		m.markDirty(addr>>pageLog2, p)
	}
	if p.code != nil {
		p.code[off>>2] = insn{}
		p.code[off>>2+1] = insn{}
	}
}

// markDirty lists page idx for rehashing at the next root.
func (m *mem) markDirty(idx uint64, p *page) {
	p.dirty = true
	m.dirty = append(m.dirty, idx)
	m.rootOK = false
}

// setBytes writes data at addr, at any alignment, marking every touched
// leaf and page dirty and dropping the pages' decoded instructions. Used to
// load a state.
func (m *mem) setBytes(addr uint64, data []byte) {
	for len(data) > 0 {
		p := m.pageFor(addr)
		off := addr & pageMask
		n := copy(p.data[off:], data)
		if !p.dirty {
			m.markDirty(addr>>pageLog2, p)
		}
		p.dirtyLeaves = [2]uint64{^uint64(0), ^uint64(0)}
		p.code = nil
		data = data[n:]
		addr += uint64(n)
	}
}

// readBytes returns n bytes at addr (any alignment, wrapping).
func (m *mem) readBytes(addr, n uint64) []byte {
	out := make([]byte, n)
	for i := uint64(0); i < n; {
		a := addr + i
		off := a & pageMask
		c := min(n-i, pageSize-off)
		if p := m.lookup(a); p != nil {
			copy(out[i:i+c], p.data[off:])
		}
		i += c
	}
	return out
}

// Root returns the Merkle root of the whole memory, rehashing only the
// leaves written since the last root and the paths above them.
func (m *mem) Root() memory.Hash {
	if m.rootOK {
		return m.root
	}
	if len(m.dirty) > 0 {
		for _, idx := range m.dirty {
			if p := m.pages[idx]; p != nil { // nil: dropped by dropRegion
				m.hashPage(p)
			}
		}
		slices.Sort(m.dirty)
		level := slices.Compact(m.dirty)
		for l := 1; l <= upperLevels; l++ {
			n := 0
			for i, idx := range level {
				parent := idx >> 1
				if i > 0 && level[n-1] == parent {
					continue
				}
				level[n] = parent
				n++
				h := m.k.pair(m.node(l-1, parent<<1), m.node(l-1, parent<<1|1))
				m.upper[l][parent] = h
			}
			level = level[:n]
		}
		m.dirty = m.dirty[:0]
	}
	m.root = m.node(upperLevels, 0)
	m.rootOK = true
	return m.root
}

// node returns the node at upper level l (0 = page roots) with index i.
// Precondition: the nodes are up to date.
func (m *mem) node(l int, i uint64) memory.Hash {
	if l == 0 {
		if p := m.pages[i]; p != nil {
			return p.root
		}
		return memory.ZeroHash(pageHeight)
	}
	if h, ok := m.upper[l][i]; ok {
		return h
	}
	return memory.ZeroHash(pageHeight + l)
}

// hashPage brings p.root up to date. The first hash of a page computes it
// in scratch space; a page hashed again keeps its inner nodes, so later
// roots rehash only the paths of the leaves written since.
func (m *mem) hashPage(p *page) {
	if !p.dirty {
		return
	}
	switch {
	case !p.hashed:
		m.hashAll(p, &m.scratch)
	case p.inner == nil:
		p.inner = new([leafCount]memory.Hash)
		m.hashAll(p, p.inner)
	default:
		m.rehashDirty(p)
	}
	p.hashed, p.dirty = true, false
	p.dirtyLeaves = [2]uint64{}
}

// hashAll computes every inner node of p into h and sets p.root.
func (m *mem) hashAll(p *page, h *[leafCount]memory.Hash) {
	for j := leafCount - 1; j >= 1; j-- {
		h[j] = m.innerChild(p, h, j)
	}
	p.root = h[1]
}

// innerChild returns the hash of inner node j of p from its children.
func (m *mem) innerChild(p *page, h *[leafCount]memory.Hash, j int) memory.Hash {
	if j >= leafCount/2 {
		l := (2*j - leafCount) * memory.LeafSize
		if isZero64(p.data[l : l+2*memory.LeafSize]) {
			return zeroHashes[1]
		}
		return m.k.pairBytes(p.data[l : l+2*memory.LeafSize])
	}
	// A node's height is 7 - floor(log2 j); two zero subtrees make a zero subtree.
	height := pageHeight - (63 - bits.LeadingZeros64(uint64(j)))
	if h[2*j] == zeroHashes[height-1] && h[2*j+1] == zeroHashes[height-1] {
		return zeroHashes[height]
	}
	return m.k.pair(h[2*j], h[2*j+1])
}

// zeroHashes[h] is memory.ZeroHash(h) for the heights inside a page.
var zeroHashes = func() (z [pageHeight + 1]memory.Hash) {
	for h := range z {
		z[h] = memory.ZeroHash(h)
	}
	return z
}()

// isZero64 reports whether the 64 bytes of b are all zero.
func isZero64(b []byte) bool {
	var acc uint64
	for i := 0; i < 64; i += 8 {
		acc |= binary.LittleEndian.Uint64(b[i:])
	}
	return acc == 0
}

// rehashDirty recomputes the inner nodes of p on the paths of dirty leaves.
func (m *mem) rehashDirty(p *page) {
	var need [leafCount]bool
	for w, bits := range p.dirtyLeaves {
		for bits != 0 {
			leaf := w*64 + trailingZeros(bits)
			bits &= bits - 1
			for j := (leafCount + leaf) >> 1; j >= 1 && !need[j]; j >>= 1 {
				need[j] = true
			}
		}
	}
	for j := leafCount - 1; j >= 1; j-- {
		if need[j] {
			p.inner[j] = m.innerChild(p, p.inner, j)
		}
	}
	p.root = p.inner[1]
}

// Proof returns the memory proof of the leaf holding addr against Root(),
// in the spec's format (memory.Proof).
func (m *mem) Proof(addr uint64) memory.Proof {
	var out memory.Proof
	m.Root()
	idx := addr >> pageLog2
	leaf := int(addr&pageMask) >> memory.LeafLog2
	put := func(height int, h memory.Hash) { copy(out[(height+1)*memory.LeafSize:], h[:]) }
	if p := m.pages[idx]; p != nil {
		if p.inner == nil {
			p.inner = new([leafCount]memory.Hash)
			m.hashAll(p, p.inner)
		}
		copy(out[:memory.LeafSize], p.data[leaf*memory.LeafSize:])
		sib := leaf ^ 1
		copy(out[memory.LeafSize:], p.data[sib*memory.LeafSize:(sib+1)*memory.LeafSize])
		for j, h := (leafCount+leaf)>>1, 1; j > 1; j, h = j>>1, h+1 {
			put(h, p.inner[j^1])
		}
	} else {
		for h := 0; h < pageHeight; h++ {
			put(h, memory.ZeroHash(h))
		}
	}
	for l := 0; l < upperLevels; l++ {
		put(pageHeight+l, m.node(l, (idx>>l)^1))
	}
	return out
}

// pageNumbers returns the held page numbers in ascending order.
func (m *mem) pageNumbers() []uint64 {
	out := make([]uint64, 0, len(m.pages))
	for idx := range m.pages {
		out = append(out, idx)
	}
	slices.Sort(out)
	return out
}
