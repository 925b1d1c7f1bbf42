package transition

import "fmt"

// Instr is one decoded 32-bit MIPS instruction word. Decoding never fails:
// every field is a slice of the word, and whether the combination is an
// instruction Cannon implements is decided at dispatch (ERR-INVALID-INSN).
//
//	bits   31..26  25..21  20..16  15..11  10..6  5..0
//	R      opcode  rs      rt      rd      shamt  funct
//	I      opcode  rs      rt      imm16 (15..0)
//	J      opcode  target (25..0)
//
// Cannon ignores fields that MIPS requires to be zero (QUIRK-RESERVED-FIELDS).
type Instr struct {
	Word   uint32
	Opcode uint32
	Rs     uint32
	Rt     uint32
	Rd     uint32
	Shamt  uint32
	Funct  uint32
	Imm    uint32 // low 16 bits, not extended
	Target uint32 // low 26 bits
}

// Decode splits an instruction word into its fields. Requirement DEC-FIELDS.
func Decode(word uint32) Instr {
	return Instr{
		Word:   word,
		Opcode: word >> 26,
		Rs:     (word >> 21) & 0x1F,
		Rt:     (word >> 16) & 0x1F,
		Rd:     (word >> 11) & 0x1F,
		Shamt:  (word >> 6) & 0x1F,
		Funct:  word & 0x3F,
		Imm:    word & 0xFFFF,
		Target: word & 0x03FF_FFFF,
	}
}

// SImm returns the immediate sign-extended to 64 bits.
func (in Instr) SImm() uint64 { return SignExtend(uint64(in.Imm), 16) }

// ZImm returns the immediate zero-extended to 64 bits.
func (in Instr) ZImm() uint64 { return uint64(in.Imm) }

// String returns the instruction word in hex, as Cannon prints it.
func (in Instr) String() string { return fmt.Sprintf("0x%08x", in.Word) }

// SignExtend returns the low n bits of v sign-extended from bit n-1; the bits
// of v above n are discarded (so a clear sign bit zero-extends). n is in
// [1, 64]. Cannon: exec/mips_instructions.go:479-488 (after the SLL audit fix).
func SignExtend(v uint64, n uint) uint64 {
	if n >= 64 {
		return v
	}
	low := v & (uint64(1)<<n - 1)
	if low>>(n-1)&1 == 1 {
		return low | ^(uint64(1)<<n - 1)
	}
	return low
}

// sext32 sign-extends the low 32 bits of v.
func sext32(v uint64) uint64 { return uint64(int64(int32(uint32(v)))) }
