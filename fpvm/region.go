package fpvm

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/memory"
)

// Regions of the OPcity profile on the executor's memory: an aligned
// 2^log2size region (memory.IsRegion) is one subtree of the memory tree.
// A region of at least a page is a run of whole pages whose root is an
// upper-level node; a smaller one lies inside one page and its root is an
// inner node of that page (or, for one leaf, the leaf itself).

// leaf returns the 32-byte leaf at addr (a multiple of 32).
func (m *mem) leaf(addr uint64) [memory.LeafSize]byte {
	var out [memory.LeafSize]byte
	if p := m.lookup(addr); p != nil {
		copy(out[:], p.data[addr&pageMask:])
	}
	return out
}

// setLeaf stores v in the leaf at addr (a multiple of 32) as
// memory.Memory.WithLeaf does: an unchanged leaf writes nothing (and
// allocates no page); a changed one is four word stores.
func (m *mem) setLeaf(addr uint64, v [memory.LeafSize]byte) {
	if m.leaf(addr) == v {
		return
	}
	for i := uint64(0); i < memory.LeafSize; i += 8 {
		m.setWord(addr+i, binary.BigEndian.Uint64(v[i:]))
	}
}

// regionRoot returns the root of the region [addr, addr+2^log2size)
// (memory.Memory.RegionRoot), rehashing what changed since the last root.
// Precondition: memory.IsRegion(addr, log2size) and log2size < 64.
func (m *mem) regionRoot(addr uint64, log2size uint) memory.Hash {
	m.Root()
	if log2size >= pageLog2 {
		l := int(log2size - pageLog2)
		return m.node(l, addr>>pageLog2>>l)
	}
	height := int(log2size) - memory.LeafLog2
	p := m.lookup(addr)
	if p == nil {
		return memory.ZeroHash(height)
	}
	leaf := int(addr&pageMask) >> memory.LeafLog2
	if height == 0 {
		return memory.Hash(p.data[leaf*memory.LeafSize : (leaf+1)*memory.LeafSize])
	}
	if p.inner == nil {
		p.inner = new([leafCount]memory.Hash)
		m.hashAll(p, p.inner)
	}
	return p.inner[(leafCount+leaf)>>height]
}

// regionProof returns the memory.RegionProof of the region [addr,
// addr+2^log2size) against Root(): the region root, then the siblings of
// the leaf proof of addr from the region's height up.
func (m *mem) regionProof(addr uint64, log2size uint) memory.RegionProof {
	var out memory.RegionProof
	root := m.regionRoot(addr, log2size)
	copy(out[:], root[:])
	leaf := m.Proof(addr)
	first := int(log2size) - memory.LeafLog2
	copy(out[memory.LeafSize:], leaf[(first+1)*memory.LeafSize:])
	return out
}

// bindRegion makes the region [addr, addr+2^log2size) hold data followed by
// zeros, with the page set memory.Memory.WithRegion leaves: a region of at
// least a page drops its pages and then holds only the pages data covers; a
// smaller region is zeroed and written inside its page, which is allocated
// only when data is not empty. Every byte of data is copied once, straight
// into its page; written leaves and pages are marked dirty and the pages'
// decoded instructions dropped. Precondition: memory.IsRegion(addr,
// log2size), len(data) <= 2^log2size, log2size < 64.
func (m *mem) bindRegion(addr uint64, log2size uint, data []byte) {
	if log2size >= pageLog2 {
		m.dropRegion(addr, log2size)
		m.setBytes(addr, data)
		return
	}
	p := m.lookup(addr)
	if p == nil && len(data) == 0 {
		return
	}
	if p == nil {
		p = m.pageFor(addr)
	}
	off := addr & pageMask
	span := p.data[off : off+1<<log2size]
	clear(span[copy(span, data):])
	m.touchSpan(addr, p, off, 1<<log2size)
}

// touchSpan marks the leaves of [off, off+n) of page p (holding addr) dirty
// and drops their decoded instructions. off and n are multiples of 32.
func (m *mem) touchSpan(addr uint64, p *page, off, n uint64) {
	for leaf := off >> memory.LeafLog2; leaf < (off+n)>>memory.LeafLog2; leaf++ {
		p.dirtyLeaves[leaf>>6] |= 1 << (leaf & 63)
	}
	if !p.dirty {
		m.markDirty(addr>>pageLog2, p)
	}
	if p.code != nil {
		clear(p.code[off>>2 : (off+n)>>2])
	}
}

// dropRegion releases the pages of the region [addr, addr+2^log2size) and
// the upper-level nodes inside it (absent nodes are zero subtrees), and
// lists the region's first page so that the next Root rehashes the path
// above it. It visits whichever is smaller: the region's page numbers or the
// held pages. Precondition: pageLog2 <= log2size < 64, addr aligned.
func (m *mem) dropRegion(addr uint64, log2size uint) {
	first := addr >> pageLog2
	count := uint64(1) << (log2size - pageLog2)
	dropKeys(m.pages, first, count, func(idx uint64) {
		delete(m.pages, idx)
		if e := &m.tlb[idx&(tlbSize-1)]; e.idx == idx {
			*e = tlbEntry{idx: ^uint64(0)}
		}
	})
	for l := 1; l <= int(log2size-pageLog2); l++ {
		nodes := m.upper[l]
		dropKeys(nodes, first>>l, count>>l, func(i uint64) { delete(nodes, i) })
	}
	m.dirty = append(m.dirty, first)
	m.rootOK = false
}

// dropKeys calls drop for every key of m in [lo, lo+n), iterating over the
// shorter of the map and the range.
func dropKeys[V any](m map[uint64]V, lo, n uint64, drop func(uint64)) {
	if uint64(len(m)) < n {
		for k := range m {
			if k-lo < n {
				drop(k)
			}
		}
		return
	}
	for k := lo; k-lo < n; k++ {
		if _, ok := m[k]; ok {
			drop(k)
		}
	}
}

// computeRegionRoot returns the root of a 2^log2size region holding data
// followed by zeros: memory.ComputeRegionRoot's value. It is the executor's own
// copy, kept for speed: each page-sized chunk of data is hashed in place, from
// its bytes, with the executor's allocation-free hasher (only a final partial
// chunk is copied, into one zeroed page buffer), and an all-zero pair or
// subtree takes its ZeroHash without hashing; then the page roots are folded up
// to the region's height with zero subtrees for the pages past data.
// TestFPVM_PROFILE_RegionRoot holds it equal to memory.ComputeRegionRoot. ok is
// false when data is longer than the region. Precondition: memory.LeafLog2 <=
// log2size < 64.
func (k *hasher) computeRegionRoot(data []byte, log2size uint) (root memory.Hash, ok bool) {
	if uint64(len(data)) > 1<<log2size {
		return memory.Hash{}, false
	}
	var scratch [leafCount]memory.Hash
	if log2size <= pageLog2 {
		return k.chunkRoot(data, log2size, &scratch), true
	}
	level := make([]memory.Hash, (len(data)+pageSize-1)/pageSize)
	for i := range level {
		level[i] = k.chunkRoot(data[i*pageSize:min(len(data), (i+1)*pageSize)], pageLog2, &scratch)
	}
	height := pageHeight
	for ; height < int(log2size)-memory.LeafLog2 && len(level) > 0; height++ {
		n := (len(level) + 1) / 2
		for i := 0; i < n; i++ {
			right := memory.ZeroHash(height)
			if 2*i+1 < len(level) {
				right = level[2*i+1]
			}
			level[i] = k.pair(level[2*i], right)
		}
		level = level[:n]
	}
	if len(level) == 0 {
		return memory.ZeroHash(int(log2size) - memory.LeafLog2), true
	}
	return level[0], true
}

// chunkRoot returns the root of a 2^log2size region (log2size <= pageLog2)
// holding b followed by zeros, using h as scratch. Precondition:
// len(b) <= 2^log2size.
func (k *hasher) chunkRoot(b []byte, log2size uint, h *[leafCount]memory.Hash) memory.Hash {
	size := 1 << log2size
	if len(b) < size {
		pad := make([]byte, size)
		copy(pad, b)
		b = pad
	}
	if log2size == memory.LeafLog2 {
		return memory.Hash(b)
	}
	n := size >> (memory.LeafLog2 + 1)
	for i := 0; i < n; i++ {
		pair := b[i*2*memory.LeafSize : (i+1)*2*memory.LeafSize]
		if isZero64(pair) {
			h[i] = zeroHashes[1]
		} else {
			h[i] = k.pairBytes(pair)
		}
	}
	for height := 1; n > 1; height++ {
		n /= 2
		for i := 0; i < n; i++ {
			if h[2*i] == zeroHashes[height] && h[2*i+1] == zeroHashes[height] {
				h[i] = zeroHashes[height+1]
			} else {
				h[i] = k.pair(h[2*i], h[2*i+1])
			}
		}
	}
	return h[0]
}
