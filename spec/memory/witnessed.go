package memory

import (
	"github.com/opcity-spec/opcity/spec/errors"
)

// ProofSlots is the number of memory proofs a step witness carries: slot 0
// for the instruction fetch, slot 1 for the first data word, slot 2 for a
// second, adjacent data word (clock_gettime only).
const ProofSlots = 3

// Witnessed is the memory back-end of the stateless verifier: it holds only
// the memory root and the proofs a step witness supplies, and serves the
// words those proofs prove (DESIGN.md: one semantics, two back-ends).
//
// Accesses bind to slots in the order MIPS64.sol reads them: the first word
// read is the instruction fetch (slot 0); the first other access (read or
// write) binds slot 1 to its word; an access to any further word binds slot
// 2. Each slot's proof is verified against the root as it is when the slot
// is bound — for slot 2, after the write through slot 1 — and writes
// re-fold the bound leaf with the slot's own siblings (MEM-WRITE-UPDATE).
//
// Errors: a proof that does not match the root is CodeBadMemoryProof (the
// witness is rejected); a slot whose bytes were not supplied is
// CodeWrongLength; a step that needs a fourth word, or a second data word
// that is not the word after the first, is CodeMissingMemory.
// A Witnessed serves one step. Reads bind slots, so it keeps its bindings in
// a record that every copy and every value derived from it shares; create a
// new one (NewWitnessed) for each step. Requirement ERR-MISSING-MEMORY,
// ERR-BAD-PROOF.
type Witnessed struct{ *witnessed }

type witnessed struct {
	root  Hash
	proof []byte // the memory-proof part of the witness: ProofSlots × ProofSize bytes (or fewer)
	slots [ProofSlots]binding
	next  int // the next slot to bind
	// region is RegionSlot bound to a region proof (OPcity profile); a word
	// cannot bind that slot then.
	region regionBinding
}

// binding is a slot bound to the word at addr, with its current leaf.
type binding struct {
	bound bool
	addr  uint64 // the 8-aligned word address
	p     Proof  // siblings from the witness; leaf kept up to date
}

var _ Space = Witnessed{}

// NewWitnessed returns the witnessed memory with root root and the proof
// slots in proofs (slot i at offset i*ProofSize; missing trailing bytes mean
// missing slots).
func NewWitnessed(root Hash, proofs []byte) Witnessed {
	return Witnessed{&witnessed{root: root, proof: proofs}}
}

// Root returns the current root: the pre-state root, re-folded after writes.
func (w Witnessed) Root() Hash { return w.root }

// Word returns the word at addr from the proof bound to it, binding the
// next slot first if no slot holds addr.
func (w Witnessed) Word(addr uint64) (uint64, error) {
	if !isAligned(addr) {
		return 0, &AlignmentError{Addr: addr}
	}
	i, err := w.bind(addr)
	if err != nil {
		return 0, err
	}
	return w.slots[i].p.Word(addr), nil
}

// WithWord returns the witnessed memory after writing v at addr.
func (w Witnessed) WithWord(addr uint64, v uint64) (Space, error) {
	if !isAligned(addr) {
		return w, &AlignmentError{Addr: addr}
	}
	i, err := w.bind(addr)
	if err != nil {
		return w, err
	}
	b := w.slots[i]
	w.root = ComputeRootWithWord(addr, b.p, v)
	b.p = proofWithWord(b.p, addr, v)
	w.slots[i] = b
	return w, nil
}

// bind returns w with a slot bound to addr and the slot's index. Slot 0 is
// bound by the first access of a step, the fetch, and never reused: a data
// access to the instruction's own word binds slot 1, as in Cannon.
func (w Witnessed) bind(addr uint64) (int, error) {
	for i := 1; i < ProofSlots; i++ {
		if w.slots[i].bound && w.slots[i].addr == addr {
			return i, nil
		}
	}
	i := w.next
	if i >= ProofSlots || (i == 2 && addr != w.slots[1].addr+8) || (i == RegionSlot && w.region.bound) {
		return 0, errors.New(errors.CodeMissingMemory, "word 0x%x: the witness proves no more words this step", addr)
	}
	p, err := w.slotProof(i)
	if err != nil {
		return 0, err
	}
	if got := ComputeRoot(addr, p); got != w.root {
		return 0, errors.New(errors.CodeBadMemoryProof, "slot %d for word 0x%x implies root %s, want %s", i, addr, got, w.root)
	}
	w.slots[i] = binding{bound: true, addr: addr, p: p}
	w.next = i + 1
	return i, nil
}

// slotProof returns proof slot i of the witness.
func (w Witnessed) slotProof(i int) (Proof, error) {
	var p Proof
	if len(w.proof) < (i+1)*ProofSize {
		return p, errors.New(errors.CodeWrongLength, "memory proof slot %d needs bytes %d..%d, witness has %d", i, i*ProofSize, (i+1)*ProofSize, len(w.proof))
	}
	copy(p[:], w.proof[i*ProofSize:])
	return p, nil
}

// proofWithWord returns p with the word at addr in its leaf replaced by v.
func proofWithWord(p Proof, addr uint64, v uint64) Proof {
	off := leafWordOffset(addr)
	for k := 0; k < WordSize; k++ {
		p[off+k] = byte(v >> (56 - 8*k))
	}
	return p
}

// RegionSlot is the proof slot that holds a [RegionProof] in an OPcity
// profile step: slot 0 is the fetch, slot 1 the 32-byte pointer's leaf.
const RegionSlot = 2

// regionBinding is the region bound to RegionSlot, with its current root.
type regionBinding struct {
	bound    bool
	addr     uint64
	log2size uint
	p        RegionProof
}

// Leaf returns the 32-byte leaf at addr (a multiple of LeafSize) from the
// proof bound to its first word, binding the next slot as Word does.
func (w Witnessed) Leaf(addr uint64) ([LeafSize]byte, error) {
	if addr&(LeafSize-1) != 0 {
		return [LeafSize]byte{}, &AlignmentError{Addr: addr}
	}
	i, err := w.bind(addr)
	if err != nil {
		return [LeafSize]byte{}, err
	}
	return w.slots[i].p.Leaf(), nil
}

// WithLeaf returns the witnessed memory after writing the 32-byte leaf at
// addr: the bound proof's leaf is replaced and folded into the new root.
func (w Witnessed) WithLeaf(addr uint64, v [LeafSize]byte) (Space, error) {
	if addr&(LeafSize-1) != 0 {
		return w, &AlignmentError{Addr: addr}
	}
	i, err := w.bind(addr)
	if err != nil {
		return w, err
	}
	b := w.slots[i]
	copy(b.p[:LeafSize], v[:])
	w.root = ComputeRoot(addr, b.p)
	w.slots[i] = b
	return w, nil
}

// RegionRoot returns the root of the region [addr, addr+2^log2size) from
// the region proof in RegionSlot, binding it first. Errors: *RegionError for
// a region that is not an aligned subtree; CodeWrongLength if the witness
// has no RegionSlot; CodeBadMemoryProof if the proof does not imply the
// current root or its padding is not zero; CodeMissingMemory if the slot is
// bound to another region or to a word. Requirement TENSOR-WITNESS.
func (w Witnessed) RegionRoot(addr uint64, log2size uint) (Hash, error) {
	if err := w.bindRegion(addr, log2size); err != nil {
		return Hash{}, err
	}
	return w.region.p.Root(), nil
}

// WithRegion returns the witnessed memory with the region's root replaced
// by root, folded with the region proof's siblings into the new memory
// root. data is not read (the caller has checked root against it). Errors
// as for RegionRoot.
func (w Witnessed) WithRegion(addr uint64, log2size uint, root Hash, data []byte) (Space, error) {
	if err := w.bindRegion(addr, log2size); err != nil {
		return w, err
	}
	w.root = ComputeRootFromRegion(addr, log2size, w.region.p, root)
	copy(w.region.p[:LeafSize], root[:])
	return w, nil
}

// bindRegion binds RegionSlot to the region unless it already is.
func (w Witnessed) bindRegion(addr uint64, log2size uint) error {
	if !IsRegion(addr, log2size) {
		return &RegionError{Addr: addr, Log2Size: log2size}
	}
	r := w.region
	if r.bound {
		if r.addr != addr || r.log2size != log2size {
			return errors.New(errors.CodeMissingMemory, "region 0x%x/2^%d: the witness proves region 0x%x/2^%d", addr, log2size, r.addr, r.log2size)
		}
		return nil
	}
	if w.slots[RegionSlot].bound {
		return errors.New(errors.CodeMissingMemory, "region 0x%x/2^%d: slot %d holds a word", addr, log2size, RegionSlot)
	}
	p, err := w.slotProof(RegionSlot)
	if err != nil {
		return err
	}
	rp := RegionProof(p)
	if !rp.IsCanonical(log2size) {
		return errors.New(errors.CodeBadMemoryProof, "region proof for 0x%x/2^%d: padding is not zero", addr, log2size)
	}
	if got := ComputeRootFromRegion(addr, log2size, rp, rp.Root()); got != w.root {
		return errors.New(errors.CodeBadMemoryProof, "region proof for 0x%x/2^%d implies root %s, want %s", addr, log2size, got, w.root)
	}
	w.region = regionBinding{bound: true, addr: addr, log2size: log2size, p: rp}
	return nil
}
