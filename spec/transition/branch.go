package transition

import "github.com/opcity-spec/opcity/spec/errors"

// Branches and jumps. Cannon: exec/mips_instructions.go:490-536
// (HandleBranch), 631-642 (HandleJump), 43-53 (j/jal), 126-137 (jr/jalr).
//
// A branch or jump whose own PC is a delay slot (nextPC != PC + 4) has no
// post-state (ERR-DELAY-SLOT). Otherwise the delay slot runs next: PC takes
// nextPC, and nextPC takes the target (taken) or nextPC + 4 (not taken).

const (
	fnJR   = 0x08
	fnJALR = 0x09
	fnSYNC = 0x0F
	regRA  = 31
)

// branchCond decides a branch from rs and rt.
type branchCond struct {
	name string
	fn   func(rs, rt uint64) bool
}

var branchOps = [64]branchCond{
	0x04: {"beq", func(rs, rt uint64) bool { return rs == rt }},
	0x05: {"bne", func(rs, rt uint64) bool { return rs != rt }},
	0x06: {"blez", func(rs, _ uint64) bool { return int64(rs) <= 0 }},
	0x07: {"bgtz", func(rs, _ uint64) bool { return int64(rs) > 0 }},
}

// regimmOps are the REGIMM (opcode 1) branches by rt field; link marks the
// "and link" forms, which set r31 = PC + 8 whether or not the branch is
// taken (QUIRK-BAL-LINK-ALWAYS).
var regimmOps = [32]struct {
	branchCond
	link bool
}{
	0x00: {branchCond{"bltz", isNegative}, false},
	0x01: {branchCond{"bgez", isNotNegative}, false},
	0x10: {branchCond{"bltzal", isNegative}, true},
	0x11: {branchCond{"bgezal", isNotNegative}, true},
}

func isNegative(rs, _ uint64) bool    { return int64(rs) < 0 }
func isNotNegative(rs, _ uint64) bool { return int64(rs) >= 0 }

func isBranchOpcode(op uint32) bool { return branchOps[op].fn != nil }

// execBranch executes beq, bne, blez and bgtz; comparisons are 64-bit.
func (m *machine) execBranch(in Instr) error {
	if m.isInDelaySlot() {
		return errors.New(errors.CodeBranchInDelaySlot, "%s at PC 0x%x", in, m.t.CPU.PC)
	}
	taken := branchOps[in.Opcode].fn(m.reg(in.Rs), m.reg(in.Rt))
	m.applyBranch(in, taken)
	return nil
}

// execRegimm executes the REGIMM branches. An rt value Cannon does not
// implement (bltzl, tgei, ...) is a branch that is never taken
// (QUIRK-REGIMM-UNKNOWN); it still fails in a delay slot.
func (m *machine) execRegimm(in Instr) error {
	if m.isInDelaySlot() {
		return errors.New(errors.CodeBranchInDelaySlot, "%s at PC 0x%x", in, m.t.CPU.PC)
	}
	op := regimmOps[in.Rt]
	taken := op.fn != nil && op.fn(m.reg(in.Rs), 0)
	if op.link {
		m.setReg(regRA, m.t.CPU.PC+8)
	}
	m.applyBranch(in, taken)
	return nil
}

// applyBranch moves into the delay slot and sets nextPC to the branch target
// PC + 4 + (sext(imm) << 2) when taken, else to nextPC + 4.
func (m *machine) applyBranch(in Instr, taken bool) {
	cpu := m.cpu()
	pc := cpu.PC
	cpu.PC = cpu.NextPC
	if taken {
		cpu.NextPC = pc + 4 + in.SImm()<<2
	} else {
		cpu.NextPC += 4
	}
}

// execJump executes j and jal: the target keeps the upper 36 bits of nextPC
// (the delay slot's 256 MiB region) and takes target << 2 below; jal links.
func (m *machine) execJump(in Instr) error {
	target := m.t.CPU.NextPC&^0x0FFF_FFFF | uint64(in.Target)<<2
	var link uint32
	if in.Opcode == opJAL {
		link = regRA
	}
	return m.applyJump(in, link, target)
}

// execJumpRegister executes jr and jalr (link register rd). The target is
// read before the link is written, so jalr with rd == rs jumps to the old rs.
func (m *machine) execJumpRegister(in Instr) error {
	var link uint32
	if in.Funct == fnJALR {
		link = in.Rd
	}
	return m.applyJump(in, link, m.reg(in.Rs))
}

// applyJump checks the delay slot, moves into it, sets nextPC = target and,
// if link != 0, writes PC + 8 to register link. Targets are not checked for
// alignment here; an unaligned one fails at its fetch (ERR-UNALIGNED-PC).
func (m *machine) applyJump(in Instr, link uint32, target uint64) error {
	if m.isInDelaySlot() {
		return errors.New(errors.CodeJumpInDelaySlot, "%s at PC 0x%x", in, m.t.CPU.PC)
	}
	cpu := m.cpu()
	pc := cpu.PC
	cpu.PC, cpu.NextPC = cpu.NextPC, target
	m.setReg(link, pc+8)
	return nil
}
