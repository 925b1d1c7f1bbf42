package fpvm

import "github.com/opcity-spec/opcity/spec/transition"

// insn is a decoded instruction as the executor caches it: the handler (op),
// register numbers and a pre-extended immediate. The zero value (opNone)
// means "not decoded yet". Decoding follows the spec's dispatch order
// (spec/transition/dispatch.go): every word maps to exactly one op, and
// opInvalid / opMemInvalid carry the spec's failure.
type insn struct {
	imm        uint64 // sign- or zero-extended immediate, branch offset, jump target, lui value
	op         uint8
	rs, rt, rd uint8
	sa         uint8 // shift amount (32 added for the *32 forms)
}

// Handlers. Register results whose destination is r0 decode to opNop, so
// handlers never test for r0 except where the destination is dynamic.
const (
	opNone uint8 = iota
	opNop        // advance only
	opInvalid
	opMemInvalid // memory-format opcode with no semantics: read the data word, then fail
	opSyscall
	// ALU, rd = f(rs, rt, sa)
	opSLL
	opSRL
	opSRA
	opSLLV
	opSRLV
	opSRAV
	opDSLLV
	opDSRLV
	opDSRAV
	opADDU
	opSUBU
	opAND
	opOR
	opXOR
	opNOR
	opSLT
	opSLTU
	opDADDU
	opDSUBU
	opDSLL
	opDSRL
	opDSRA
	opMOVE // sync: rd = rs
	opMOVZ
	opMOVN
	// immediates, rt = f(rs, imm)
	opADDIU
	opSLTI
	opSLTIU
	opANDI
	opORI
	opXORI
	opDADDIU
	opLUI
	// SPECIAL2
	opMUL
	opCLZ
	opCLO
	opDCLZ
	opDCLO
	// HI/LO (rd written when nonzero)
	opMFHI
	opMTHI
	opMFLO
	opMTLO
	opMULT
	opMULTU
	opDIV
	opDIVU
	opDMULT
	opDMULTU
	opDDIV
	opDDIVU
	// branches and jumps
	opBEQ
	opBNE
	opBLEZ
	opBGTZ
	opBLTZ
	opBGEZ
	opBLTZAL
	opBGEZAL
	opBNEVER // REGIMM rt Cannon does not implement: a never-taken branch
	opJ
	opJAL
	opJR
	opJALR
	// loads (rt = f(vaddr, mem, rt))
	opLB
	opLH
	opLW
	opLBU
	opLHU
	opLWU
	opLD
	opLWL
	opLWR
	opLDL
	opLDR
	// stores (mem = f(vaddr, mem, rt))
	opSB
	opSH
	opSW
	opSD
	opSWL
	opSWR
	opSDL
	opSDR
	// LL/SC
	opLL
	opLLD
	opSC
	opSCD
)

// Opcode and funct groups (MIPS64 manual, table A-2).
const (
	opcSpecial  = 0x00
	opcRegimm   = 0x01
	opcSpecial2 = 0x1C
)

var specialOp = [64]uint8{
	0x00: opSLL, 0x02: opSRL, 0x03: opSRA, 0x04: opSLLV, 0x06: opSRLV, 0x07: opSRAV,
	0x08: opJR, 0x09: opJALR, 0x0A: opMOVZ, 0x0B: opMOVN, 0x0C: opSyscall, 0x0F: opMOVE,
	0x10: opMFHI, 0x11: opMTHI, 0x12: opMFLO, 0x13: opMTLO,
	0x14: opDSLLV, 0x16: opDSRLV, 0x17: opDSRAV,
	0x18: opMULT, 0x19: opMULTU, 0x1A: opDIV, 0x1B: opDIVU,
	0x1C: opDMULT, 0x1D: opDMULTU, 0x1E: opDDIV, 0x1F: opDDIVU,
	0x20: opADDU, 0x21: opADDU, 0x22: opSUBU, 0x23: opSUBU,
	0x24: opAND, 0x25: opOR, 0x26: opXOR, 0x27: opNOR, 0x2A: opSLT, 0x2B: opSLTU,
	0x2C: opDADDU, 0x2D: opDADDU, 0x2E: opDSUBU, 0x2F: opDSUBU,
	0x38: opDSLL, 0x3A: opDSRL, 0x3B: opDSRA, 0x3C: opDSLL, 0x3E: opDSRL, 0x3F: opDSRA,
}

var special2Op = [64]uint8{0x02: opMUL, 0x20: opCLZ, 0x21: opCLO, 0x24: opDCLZ, 0x25: opDCLO}

var regimmOp = [32]uint8{0x00: opBLTZ, 0x01: opBGEZ, 0x10: opBLTZAL, 0x11: opBGEZAL}

// opcodeOp maps the remaining primary opcodes; memory-format opcodes not
// listed decode to opMemInvalid, everything else to opInvalid.
var opcodeOp = [64]uint8{
	0x02: opJ, 0x03: opJAL, 0x04: opBEQ, 0x05: opBNE, 0x06: opBLEZ, 0x07: opBGTZ,
	0x08: opADDIU, 0x09: opADDIU, 0x0A: opSLTI, 0x0B: opSLTIU, 0x0C: opANDI, 0x0D: opORI,
	0x0E: opXORI, 0x0F: opLUI, 0x18: opDADDIU, 0x19: opDADDIU, 0x1A: opLDL, 0x1B: opLDR,
	0x20: opLB, 0x21: opLH, 0x22: opLWL, 0x23: opLW, 0x24: opLBU, 0x25: opLHU, 0x26: opLWR,
	0x27: opLWU, 0x28: opSB, 0x29: opSH, 0x2A: opSWL, 0x2B: opSW, 0x2C: opSDL, 0x2D: opSDR,
	0x2E: opSWR, 0x30: opLL, 0x34: opLLD, 0x37: opLD, 0x38: opSC, 0x3C: opSCD, 0x3F: opSD,
}

// decode returns the cached form of an instruction word.
func decode(word uint32) insn {
	in := insn{
		rs: uint8(word >> 21 & 31), rt: uint8(word >> 16 & 31), rd: uint8(word >> 11 & 31),
		sa: uint8(word >> 6 & 31),
	}
	opcode, funct := word>>26, word&0x3F
	imm16 := uint64(word & 0xFFFF)
	in.imm = transition.SignExtend(imm16, 16)
	switch opcode {
	case opcSpecial:
		in.op = specialOp[funct]
		if funct == 0x3C || funct == 0x3E || funct == 0x3F {
			in.sa += 32
		}
	case opcRegimm:
		in.op = regimmOp[in.rt]
		if in.op == opNone {
			in.op = opBNEVER
		}
	case opcSpecial2:
		in.op = special2Op[funct]
	default:
		in.op = opcodeOp[opcode]
	}
	switch in.op {
	case opNone:
		in.op = opInvalid
		if opcode >= 0x20 {
			in.op = opMemInvalid
		}
	case opANDI, opORI, opXORI:
		in.imm = imm16
	case opLUI:
		in.imm = uint64(int64(int32(uint32(imm16 << 16))))
	case opJ, opJAL:
		in.imm = uint64(word&0x03FF_FFFF) << 2
	case opBEQ, opBNE, opBLEZ, opBGTZ, opBLTZ, opBGEZ, opBLTZAL, opBGEZAL, opBNEVER:
		in.imm <<= 2
	}
	if writesOnlyReg(in.op) && destination(in) == 0 {
		in.op = opNop
	}
	return in
}

// writesOnlyReg reports whether op's only effect besides advancing is a
// register write, so that a write to r0 makes it a no-op. Loads are not
// listed: their data access is part of a witness.
func writesOnlyReg(op uint8) bool {
	return op >= opSLL && op <= opDCLO
}

// destination returns the register an ALU or immediate op writes.
func destination(in insn) uint8 {
	if in.op >= opADDIU && in.op <= opLUI {
		return in.rt
	}
	return in.rd
}
