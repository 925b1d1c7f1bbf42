package transition

import "sort"

// Opcodes that select an instruction family (MIPS64 manual, table A-2).
const (
	opSPECIAL  = 0x00
	opREGIMM   = 0x01
	opJ        = 0x02
	opJAL      = 0x03
	opLUI      = 0x0F
	opSPECIAL2 = 0x1C
	opLDL      = 0x1A
	opLDR      = 0x1B
	opLL       = 0x30
	opLLD      = 0x34
	opSC       = 0x38
	opSCD      = 0x3C

	fnSYSCALL = 0x0C
)

// dispatch executes one decoded instruction. The order of the checks is
// Cannon's (mips.go:326-346, mips_instructions.go:41-167): syscall first,
// then the LL/SC group, then every other family by opcode. Opcodes that no
// family claims fail with CodeInvalidInstruction; memory-format opcodes
// (0x1A, 0x1B, >= 0x20) read their data word before they can fail.
func (m *machine) dispatch(in Instr) error {
	switch in.Opcode {
	case opSPECIAL:
		return m.execSpecial(in)
	case opREGIMM:
		return m.execRegimm(in)
	case opJ, opJAL:
		return m.execJump(in)
	case opLL, opLLD, opSC, opSCD:
		return m.execLLSC(in)
	case opLUI:
		return m.writeRegAndAdvance(in.Rt, execLUI(in.Imm))
	case opSPECIAL2:
		return m.execSpecial2(in)
	}
	if isBranchOpcode(in.Opcode) {
		return m.execBranch(in)
	}
	if op := immediateOps[in.Opcode]; op.fn != nil {
		return m.writeRegAndAdvance(in.Rt, op.fn(m.reg(in.Rs), op.operand(in)))
	}
	if in.Opcode >= 0x20 || in.Opcode == opLDL || in.Opcode == opLDR {
		return m.execMemory(in)
	}
	return invalidInstruction(in)
}

// execSpecial executes opcode 0 by its funct field.
func (m *machine) execSpecial(in Instr) error {
	switch in.Funct {
	case fnSYSCALL:
		return m.execSyscall()
	case fnJR, fnJALR:
		return m.execJumpRegister(in)
	case fnSYNC:
		// QUIRK-SYNC-COPY: sync is not special-cased, so rd = rs.
		return m.writeRegAndAdvance(in.Rd, m.reg(in.Rs))
	}
	if op := specialOps[in.Funct]; op.fn != nil {
		return m.writeRegAndAdvance(in.Rd, op.fn(m.reg(in.Rs), m.reg(in.Rt), in.Shamt))
	}
	if cond := moveOps[in.Funct]; cond.fn != nil {
		return m.execConditionalMove(in, cond.fn)
	}
	if op := hiLoOps[in.Funct]; op.fn != nil {
		return m.execHiLo(in, op)
	}
	return invalidInstruction(in)
}

// Mnemonics returns the name of every instruction the spec implements,
// sorted. It is the instruction set of docs/spec.md.
func Mnemonics() []string {
	names := []string{"j", "jal", "jr", "jalr", "sync", "syscall", "lui", "ll", "lld", "sc", "scd"}
	add := func(name string) {
		if name != "" {
			names = append(names, name)
		}
	}
	for i := range 64 {
		for _, name := range []string{specialOps[i].name, immediateOps[i].name, special2Ops[i].name,
			hiLoOps[i].name, moveOps[i].name, branchOps[i].name, loadOps[i].name, storeOps[i].name} {
			add(name)
		}
	}
	for _, op := range regimmOps {
		add(op.name)
	}
	sort.Strings(names)
	return names
}

// MnemonicOf returns the mnemonic of the instruction word, or "" when it is
// not a named instruction: an encoding Cannon does not implement (the step
// fails with CodeInvalidInstruction) or a REGIMM rt it treats as a
// never-taken branch.
func MnemonicOf(word uint32) string {
	in := Decode(word)
	switch in.Opcode {
	case opSPECIAL:
		return specialMnemonic(in.Funct)
	case opREGIMM:
		return regimmOps[in.Rt].name // "" for an unknown rt: a never-taken branch
	case opJ:
		return "j"
	case opJAL:
		return "jal"
	case opLUI:
		return "lui"
	case opSPECIAL2:
		return special2Ops[in.Funct].name
	case opLL:
		return "ll"
	case opLLD:
		return "lld"
	case opSC:
		return "sc"
	case opSCD:
		return "scd"
	}
	for _, name := range []string{branchOps[in.Opcode].name, immediateOps[in.Opcode].name, loadOps[in.Opcode].name, storeOps[in.Opcode].name} {
		if name != "" {
			return name
		}
	}
	return ""
}

func specialMnemonic(funct uint32) string {
	switch funct {
	case fnSYSCALL:
		return "syscall"
	case fnJR:
		return "jr"
	case fnJALR:
		return "jalr"
	case fnSYNC:
		return "sync"
	}
	for _, name := range []string{specialOps[funct].name, moveOps[funct].name, hiLoOps[funct].name} {
		if name != "" {
			return name
		}
	}
	return ""
}
