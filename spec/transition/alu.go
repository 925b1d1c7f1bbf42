package transition

import (
	"math/bits"
)

// Arithmetic, logic and shift instructions: SPECIAL R-type, the immediate
// forms, lui, SPECIAL2 and the conditional moves.
// Cannon: exec/mips_instructions.go:185-365 (ExecuteMipsInstruction),
// 41-167 (operand selection). MIPS64 manual vol. II, one entry per mnemonic.
//
// 32-bit operations read only the low 32 bits of their operands and
// sign-extend the 32-bit result (ALU-32BIT). No operation traps on overflow
// (QUIRK-NO-OVERFLOW-TRAP): add behaves like addu. Fields MIPS requires to be
// zero are ignored (QUIRK-RESERVED-FIELDS).

// rOp is an R-type operation: rd = fn(rs, rt, shamt).
type rOp struct {
	name string
	fn   func(rs, rt uint64, sa uint32) uint64
}

// specialOps are the SPECIAL functs whose only effect is rd = fn(...).
var specialOps = [64]rOp{
	0x00: {"sll", execSLL},
	0x02: {"srl", execSRL},
	0x03: {"sra", execSRA},
	0x04: {"sllv", execSLLV},
	0x06: {"srlv", execSRLV},
	0x07: {"srav", execSRAV},
	0x14: {"dsllv", execDSLLV},
	0x16: {"dsrlv", execDSRLV},
	0x17: {"dsrav", execDSRAV},
	0x20: {"add", execADD},
	0x21: {"addu", execADD},
	0x22: {"sub", execSUB},
	0x23: {"subu", execSUB},
	0x24: {"and", execAND},
	0x25: {"or", execOR},
	0x26: {"xor", execXOR},
	0x27: {"nor", execNOR},
	0x2A: {"slt", execSLT},
	0x2B: {"sltu", execSLTU},
	0x2C: {"dadd", execDADD},
	0x2D: {"daddu", execDADD},
	0x2E: {"dsub", execDSUB},
	0x2F: {"dsubu", execDSUB},
	0x38: {"dsll", execDSLL},
	0x3A: {"dsrl", execDSRL},
	0x3B: {"dsra", execDSRA},
	0x3C: {"dsll32", execDSLL32},
	0x3E: {"dsrl32", execDSRL32},
	0x3F: {"dsra32", execDSRA32},
}

func execSLL(_, rt uint64, sa uint32) uint64 { return sext32(rt << sa) }
func execSRL(_, rt uint64, sa uint32) uint64 { return sext32(uint64(uint32(rt) >> sa)) }

// execSRA shifts the low word right arithmetically. Cannon sign-extends from
// bit 31-sa of the logically shifted word, which equals int32 >> sa.
func execSRA(_, rt uint64, sa uint32) uint64 { return uint64(int64(int32(uint32(rt)) >> sa)) }

func execSLLV(rs, rt uint64, _ uint32) uint64  { return execSLL(0, rt, uint32(rs&0x1F)) }
func execSRLV(rs, rt uint64, _ uint32) uint64  { return execSRL(0, rt, uint32(rs&0x1F)) }
func execSRAV(rs, rt uint64, _ uint32) uint64  { return execSRA(0, rt, uint32(rs&0x1F)) }
func execDSLLV(rs, rt uint64, _ uint32) uint64 { return rt << (rs & 0x3F) }
func execDSRLV(rs, rt uint64, _ uint32) uint64 { return rt >> (rs & 0x3F) }
func execDSRAV(rs, rt uint64, _ uint32) uint64 { return uint64(int64(rt) >> (rs & 0x3F)) }
func execADD(rs, rt uint64, _ uint32) uint64   { return sext32(uint64(uint32(rs) + uint32(rt))) }
func execSUB(rs, rt uint64, _ uint32) uint64   { return sext32(uint64(uint32(rs) - uint32(rt))) }
func execAND(rs, rt uint64, _ uint32) uint64   { return rs & rt }
func execOR(rs, rt uint64, _ uint32) uint64    { return rs | rt }
func execXOR(rs, rt uint64, _ uint32) uint64   { return rs ^ rt }
func execNOR(rs, rt uint64, _ uint32) uint64   { return ^(rs | rt) }
func execSLT(rs, rt uint64, _ uint32) uint64   { return boolWord(int64(rs) < int64(rt)) }
func execSLTU(rs, rt uint64, _ uint32) uint64  { return boolWord(rs < rt) }
func execDADD(rs, rt uint64, _ uint32) uint64  { return rs + rt }
func execDSUB(rs, rt uint64, _ uint32) uint64  { return rs - rt }
func execDSLL(_, rt uint64, sa uint32) uint64  { return rt << sa }
func execDSRL(_, rt uint64, sa uint32) uint64  { return rt >> sa }
func execDSRA(_, rt uint64, sa uint32) uint64  { return uint64(int64(rt) >> sa) }
func execDSLL32(_, rt uint64, sa uint32) uint64 {
	return rt << (sa + 32)
}
func execDSRL32(_, rt uint64, sa uint32) uint64 { return rt >> (sa + 32) }
func execDSRA32(_, rt uint64, sa uint32) uint64 { return uint64(int64(rt) >> (sa + 32)) }

func boolWord(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// iOp is an I-type operation: rt = fn(rs, operand), where the operand is the
// immediate sign-extended, or zero-extended when zeroExt is set.
type iOp struct {
	name    string
	fn      func(rs, imm uint64) uint64
	zeroExt bool
}

func (op iOp) operand(in Instr) uint64 {
	if op.zeroExt {
		return in.ZImm()
	}
	return in.SImm()
}

// immediateOps are the I-type arithmetic opcodes (destination rt).
var immediateOps = [64]iOp{
	0x08: {"addi", immOp(execADD), false},
	0x09: {"addiu", immOp(execADD), false},
	0x0A: {"slti", immOp(execSLT), false},
	0x0B: {"sltiu", immOp(execSLTU), false},
	0x0C: {"andi", immOp(execAND), true},
	0x0D: {"ori", immOp(execOR), true},
	0x0E: {"xori", immOp(execXOR), true},
	0x18: {"daddi", immOp(execDADD), false},
	0x19: {"daddiu", immOp(execDADD), false},
}

func immOp(f func(rs, rt uint64, sa uint32) uint64) func(rs, imm uint64) uint64 {
	return func(rs, imm uint64) uint64 { return f(rs, imm, 0) }
}

// execLUI returns imm << 16 sign-extended from bit 31.
func execLUI(imm uint32) uint64 { return sext32(uint64(imm) << 16) }

// moveOps are movz (rt == 0) and movn (rt != 0): rd = rs when cond holds.
var moveOps = [64]struct {
	name string
	fn   func(rt uint64) bool
}{
	0x0A: {"movz", func(rt uint64) bool { return rt == 0 }},
	0x0B: {"movn", func(rt uint64) bool { return rt != 0 }},
}

// execConditionalMove writes rs to rd when cond(rt) holds, then advances.
func (m *machine) execConditionalMove(in Instr, cond func(uint64) bool) error {
	if cond(m.reg(in.Rt)) {
		m.setReg(in.Rd, m.reg(in.Rs))
	}
	m.advance()
	return nil
}

// special2Ops are the SPECIAL2 (opcode 0x1C) functs Cannon implements.
var special2Ops = [64]rOp{
	0x02: {"mul", execMUL},
	0x20: {"clz", execCLZ},
	0x21: {"clo", execCLO},
	0x24: {"dclz", execDCLZ},
	0x25: {"dclo", execDCLO},
}

// execSpecial2 executes opcode 0x1C: rd = fn(rs, rt).
func (m *machine) execSpecial2(in Instr) error {
	op := special2Ops[in.Funct]
	if op.fn == nil {
		return invalidInstruction(in)
	}
	return m.writeRegAndAdvance(in.Rd, op.fn(m.reg(in.Rs), m.reg(in.Rt), in.Shamt))
}

// execMUL returns the low 32 bits of int32(rs)*int32(rt), sign-extended; HI
// and LO are not changed.
func execMUL(rs, rt uint64, _ uint32) uint64 {
	return sext32(uint64(uint32(int32(uint32(rs)) * int32(uint32(rt)))))
}

// execCLZ counts leading zeros from bit 31 down; the upper word of rs never
// matters and the result is at most 32 (QUIRK-CLZ-32, Cannon PR #19717).
func execCLZ(rs, _ uint64, _ uint32) uint64 { return uint64(bits.LeadingZeros32(uint32(rs))) }

// execCLO counts leading ones from bit 31 down, at most 32.
func execCLO(rs, _ uint64, _ uint32) uint64 { return uint64(bits.LeadingZeros32(^uint32(rs))) }

// execDCLZ counts leading zeros of the 64-bit rs.
func execDCLZ(rs, _ uint64, _ uint32) uint64 { return uint64(bits.LeadingZeros64(rs)) }

// execDCLO counts leading ones of the 64-bit rs.
func execDCLO(rs, _ uint64, _ uint32) uint64 { return uint64(bits.LeadingZeros64(^rs)) }
