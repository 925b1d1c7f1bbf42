package memory

import "encoding/binary"

// Memory is an immutable 2^64-byte memory with its Merkle commitment. The zero
// value is the empty (all-zero) memory and is ready to use. Writes return a
// new Memory that shares all untouched pages with the old one; both stay
// valid (requirement MEM-IMMUTABLE), and Memory values may be read from many
// goroutines at once.
//
// A page (4 KiB) is held once any write touches it, even a write of zeros;
// this matches Cannon's page allocation, so [Memory.Pages] lists the pages a
// Cannon state file would, and it never changes a root (MEM-ZERO-PAGE).
type Memory struct {
	root  *node
	pages int
	edit  *Edit
}

// Edit is the owner token of a transient Memory (see [Memory.Transient]).
type Edit struct{ _ byte }

// Transient returns m as a transient value owned by e: writes through the
// returned value (and the values derived from it) update the nodes they
// created under e in place instead of copying them. m itself, and every value
// m shares nodes with, is never changed. The caller promises to use only the
// latest value derived from the transient one, and to call Persistent before
// sharing it; e must not be used again after that. A runner that owns its
// states (spec.Run) uses this to avoid copying a page per store.
func (m Memory) Transient(e *Edit) Memory {
	m.edit = e
	return m
}

// Persistent returns m as an ordinary immutable value again.
func (m Memory) Persistent() Memory {
	m.edit = nil
	return m
}

var _ Space = Memory{}

// isAligned reports whether addr is a multiple of WordSize.
func isAligned(addr uint64) bool {
	return addr&(WordSize-1) == 0
}

// Word returns the big-endian word at addr; absent memory reads as 0.
// Errors: *AlignmentError if addr is not a multiple of WordSize (MEM-ALIGN).
func (m Memory) Word(addr uint64) (uint64, error) {
	if !isAligned(addr) {
		return 0, &AlignmentError{Addr: addr}
	}
	p := findPage(m.root, addr)
	if p == nil {
		return 0, nil
	}
	return binary.BigEndian.Uint64(p.data[addr&(pageSize-1):]), nil
}

// SetWord returns m with the big-endian word at addr set to v; m itself is
// unchanged. Errors: *AlignmentError if addr is not a multiple of WordSize,
// in which case the returned Memory is m (MEM-ALIGN).
func (m Memory) SetWord(addr uint64, v uint64) (Memory, error) {
	if !isAligned(addr) {
		return m, &AlignmentError{Addr: addr}
	}
	if p := findPage(m.root, addr); p != nil && binary.BigEndian.Uint64(p.data[addr&(pageSize-1):]) == v {
		return m, nil
	}
	var buf [WordSize]byte
	binary.BigEndian.PutUint64(buf[:], v)
	return m.writeInPage(addr, buf[:]), nil
}

// WithWord is SetWord behind the Space interface. On error it returns m.
func (m Memory) WithWord(addr uint64, v uint64) (Space, error) {
	out, err := m.SetWord(addr, v)
	return out, err
}

// writeInPage returns m with src written at addr. Precondition: src is
// non-empty and does not cross a page boundary.
func (m Memory) writeInPage(addr uint64, src []byte) Memory {
	root, created := writeSpan(m.root, 0, addr, src, m.edit)
	out := Memory{root: root, pages: m.pages, edit: m.edit}
	if created {
		out.pages++
	}
	return out
}

// SetBytes returns m with data written starting at addr, at any alignment;
// addresses wrap modulo 2^64. An empty data returns m. Used by the ELF loader
// and to rebuild a memory from serialized pages.
func (m Memory) SetBytes(addr uint64, data []byte) Memory {
	for len(data) > 0 {
		n := min(len(data), pageSize-int(addr&(pageSize-1)))
		m = m.writeInPage(addr, data[:n])
		data = data[n:]
		addr += uint64(n)
	}
	return m
}

// Bytes returns a new slice with the n bytes starting at addr, at any
// alignment; addresses wrap modulo 2^64 and absent memory reads as 0. n <= 0
// returns an empty slice.
func (m Memory) Bytes(addr uint64, n int) []byte {
	out := make([]byte, max(n, 0))
	for rest := out; len(rest) > 0; {
		off := int(addr & (pageSize - 1))
		c := min(len(rest), pageSize-off)
		if p := findPage(m.root, addr); p != nil {
			copy(rest[:c], p.data[off:])
		}
		rest = rest[c:]
		addr += uint64(c)
	}
	return out
}

// Root returns the Merkle root of the whole memory (ZeroHash(59) when empty).
// It hashes only the paths written since the root of the versions m derives
// from was last computed.
func (m Memory) Root() Hash {
	return m.root.root(0, new(PairHasher))
}

// Proof returns the proof of the leaf holding addr (any addr; the low five
// bits only select the leaf) against m.Root(), in Cannon's format
// (requirement MEM-PROOF-COMPLETE).
func (m Memory) Proof(addr uint64) Proof {
	var p Proof
	k := new(PairHasher)
	n := m.root
	for level := 0; level <= pageLevel; level++ {
		n.addSiblings(&p, level, addr, k)
		if level < pageLevel {
			n = n.kid(slot(addr, level))
		}
	}
	leaf := n.leaf(slot(addr, pageLevel), pageLevel, k)
	copy(p[:LeafSize], leaf[:])
	return p
}

// RegionRoot returns the Merkle root of the aligned region [addr,
// addr+2^log2size): the raw leaf for log2size 5, Root() for 64, and in
// general the node at height log2size-5 on the proof path of addr
// (requirement MEM-REGION-ROOT). Errors: *RegionError if log2size is outside
// [5,64] or addr is not a multiple of 2^log2size.
func (m Memory) RegionRoot(addr uint64, log2size uint) (Hash, error) {
	if log2size < LeafLog2 || log2size > 64 || addr&(1<<log2size-1) != 0 {
		return Hash{}, &RegionError{Addr: addr, Log2Size: log2size}
	}
	height := int(log2size) - LeafLog2
	n, level := m.root, 0
	for level < pageLevel && heightOf(level+1) >= height {
		n = n.kid(slot(addr, level))
		level++
	}
	return n.at(level, addr, height, new(PairHasher)), nil
}

// PageCount returns the number of 4 KiB pages held: those touched by at least
// one write, including pages that hold only zeros.
func (m Memory) PageCount() int {
	return m.pages
}

// Pages calls yield for each held page in ascending page index (the page's
// address >> PageLog2) and stops when yield returns false. It fits
// range-over-func: `for index, page := range m.Pages`. The caller must not
// modify a page: it is shared with every Memory that holds it.
func (m Memory) Pages(yield func(index uint64, page *[4096]byte) bool) {
	walkPages(m.root, 0, 0, yield)
}

// Equal reports whether m and o have the same contents, that is the same
// root. Which zero pages are held does not matter.
func (m Memory) Equal(o Memory) bool {
	return m.root == o.root || m.Root() == o.Root()
}
