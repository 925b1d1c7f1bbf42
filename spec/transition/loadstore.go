package transition

// Loads and stores. Cannon: exec/mips_instructions.go:96-117 (address and
// memory read), 366-471 (semantics), 657-710 (sub-words).
//
// The effective address is vaddr = rs + sext(imm), wrapping mod 2^64. Every
// access reads the aligned word at vaddr & ^7 first (proof slot 1), and there
// are no alignment faults: an unaligned lh/lw/ld reads the naturally aligned
// container of its size (QUIRK-UNALIGNED-CONTAINER). lwl/lwr/swl/swr work
// inside the 4-byte word holding vaddr (the half of the dword chosen by
// vaddr & 4); ldl/ldr/sdl/sdr are the MIPS64 big-endian double-word forms.

// loadOp computes the register result from vaddr, the aligned memory word
// and the old rt value.
type loadOp struct {
	name string
	fn   func(vaddr, mem, rt uint64) uint64
}

// storeOp computes the new aligned memory word from vaddr, the old word and rt.
type storeOp struct {
	name string
	fn   func(vaddr, mem, rt uint64) uint64
}

var loadOps = [64]loadOp{
	0x1A: {"ldl", execLDL},
	0x1B: {"ldr", execLDR},
	0x20: {"lb", func(a, mem, _ uint64) uint64 { return selectSubWord(a, mem, 1, true) }},
	0x21: {"lh", func(a, mem, _ uint64) uint64 { return selectSubWord(a, mem, 2, true) }},
	0x22: {"lwl", execLWL},
	0x23: {"lw", func(a, mem, _ uint64) uint64 { return selectSubWord(a, mem, 4, true) }},
	0x24: {"lbu", func(a, mem, _ uint64) uint64 { return selectSubWord(a, mem, 1, false) }},
	0x25: {"lhu", func(a, mem, _ uint64) uint64 { return selectSubWord(a, mem, 2, false) }},
	0x26: {"lwr", execLWR},
	0x27: {"lwu", func(a, mem, _ uint64) uint64 { return selectSubWord(a, mem, 4, false) }},
	0x37: {"ld", func(_, mem, _ uint64) uint64 { return mem }},
}

var storeOps = [64]storeOp{
	0x28: {"sb", func(a, mem, rt uint64) uint64 { return updateSubWord(a, mem, 1, rt) }},
	0x29: {"sh", func(a, mem, rt uint64) uint64 { return updateSubWord(a, mem, 2, rt) }},
	0x2A: {"swl", execSWL},
	0x2B: {"sw", func(a, mem, rt uint64) uint64 { return updateSubWord(a, mem, 4, rt) }},
	0x2C: {"sdl", execSDL},
	0x2D: {"sdr", execSDR},
	0x2E: {"swr", execSWR},
	0x3F: {"sd", func(_, _, rt uint64) uint64 { return rt }},
}

// execMemory executes a memory-format opcode (0x1A, 0x1B or >= 0x20 other
// than LL/SC). The data word is read before the opcode is checked, so an
// invalid opcode in this range still needs its data word (Cannon order;
// MIPS64.sol does the same).
func (m *machine) execMemory(in Instr) error {
	vaddr := m.reg(in.Rs) + in.SImm()
	mem, err := m.readWord(vaddr)
	if err != nil {
		return err
	}
	if op := loadOps[in.Opcode]; op.fn != nil {
		return m.writeRegAndAdvance(in.Rt, op.fn(vaddr, mem, m.reg(in.Rt)))
	}
	if op := storeOps[in.Opcode]; op.fn != nil {
		if err := m.writeWord(vaddr, op.fn(vaddr, mem, m.reg(in.Rt))); err != nil {
			return err
		}
		m.advance()
		return nil
	}
	return invalidInstruction(in)
}

// subWordShift returns the bit offset, within the big-endian 8-byte word, of
// the naturally aligned n-byte sub-word holding vaddr.
func subWordShift(vaddr uint64, n uint64) uint64 {
	idx := vaddr & 7 &^ (n - 1)
	return (8 - n - idx) * 8
}

// selectSubWord returns the n-byte sub-word of mem holding vaddr, sign- or
// zero-extended. n is 1, 2, 4 or 8.
func selectSubWord(vaddr, mem uint64, n uint64, signed bool) uint64 {
	v := mem >> subWordShift(vaddr, n)
	if n == 8 {
		return v
	}
	v &= uint64(1)<<(8*n) - 1
	if signed {
		return SignExtend(v, uint(8*n))
	}
	return v
}

// updateSubWord returns mem with the n-byte sub-word holding vaddr replaced
// by the low n bytes of v.
func updateSubWord(vaddr, mem uint64, n uint64, v uint64) uint64 {
	shift := subWordShift(vaddr, n)
	mask := ^uint64(0)
	if n < 8 {
		mask = uint64(1)<<(8*n) - 1
	}
	return mem&^(mask<<shift) | (v&mask)<<shift
}

// execLWL merges the left part of the 4-byte word holding vaddr into the low
// word of rt (shift (vaddr & 3) * 8) and sign-extends the result.
func execLWL(vaddr, mem, rt uint64) uint64 {
	w := uint32(selectSubWord(vaddr, mem, 4, false))
	s := (vaddr & 3) * 8
	mask := uint32(0xFFFF_FFFF) << s
	return sext32(uint64(uint32(rt)&^mask | w<<s))
}

// execLWR merges the right part of the 4-byte word holding vaddr into the
// low word of rt. Only when vaddr & 3 == 3 (all four bytes loaded) is the
// result sign-extended; otherwise the upper word of rt is kept
// (QUIRK-LWR-PARTIAL, "cannon64 implementation specific").
func execLWR(vaddr, mem, rt uint64) uint64 {
	w := uint32(selectSubWord(vaddr, mem, 4, false))
	s := 24 - (vaddr&3)*8
	mask := uint32(0xFFFF_FFFF) >> s
	low := uint32(rt)&^mask | w>>s
	if vaddr&3 == 3 {
		return sext32(uint64(low))
	}
	return rt&0xFFFF_FFFF_0000_0000 | uint64(low)
}

// execSWL stores the left part of rt's low word into the 4-byte word holding vaddr.
func execSWL(vaddr, mem, rt uint64) uint64 {
	s := (vaddr & 3) * 8
	w := uint32(selectSubWord(vaddr, mem, 4, false))
	mask := uint32(0xFFFF_FFFF) >> s
	merged := w&^mask | uint32(rt)>>s
	return updateSubWord(vaddr, mem, 4, uint64(merged))
}

// execSWR stores the right part of rt's low word into the 4-byte word holding vaddr.
func execSWR(vaddr, mem, rt uint64) uint64 {
	s := 24 - (vaddr&3)*8
	w := uint32(selectSubWord(vaddr, mem, 4, false))
	mask := uint32(0xFFFF_FFFF) << s
	merged := w&^mask | uint32(rt)<<s
	return updateSubWord(vaddr, mem, 4, uint64(merged))
}

// execLDL merges mem << ((vaddr & 7) * 8) into the high bytes of rt.
func execLDL(vaddr, mem, rt uint64) uint64 {
	s := (vaddr & 7) * 8
	return mem<<s | rt&^(^uint64(0)<<s)
}

// execLDR merges mem >> (56 - (vaddr & 7) * 8) into the low bytes of rt.
func execLDR(vaddr, mem, rt uint64) uint64 {
	s := 56 - (vaddr&7)*8
	keep := ^uint64(0) << (64 - s) // 0 when s == 0 (a Go shift by 64): the whole word is loaded
	return mem>>s | rt&keep
}

// execSDL stores rt >> ((vaddr & 7) * 8) into the low bytes of the word.
func execSDL(vaddr, mem, rt uint64) uint64 {
	s := (vaddr & 7) * 8
	mask := ^uint64(0) >> s
	return rt>>s | mem&^mask
}

// execSDR stores rt << (56 - (vaddr & 7) * 8) into the high bytes of the word.
func execSDR(vaddr, mem, rt uint64) uint64 {
	s := 56 - (vaddr&7)*8
	mask := ^uint64(0) << s
	return rt<<s | mem&^mask
}
