package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Branches and jumps at basePC = 0x10000 (nextPC 0x10004). A branch moves
// into its delay slot: PC = 0x10004, and nextPC = the target when taken,
// 0x10008 when not. rs = r4, rt = r5.

const (
	delaySlot = basePC + 4
	fallThru  = basePC + 8
)

func regimm(rt uint32, imm uint16) uint32 { return encI(0x01, 4, rt, imm) }

// TestBRANCH_Conditional: beq/bne compare all 64 bits; blez/bgtz/bltz/bgez
// compare rs with 0 as a signed 64-bit value. The target is
// PC + 4 + sext(imm) << 2.
func TestBRANCH_Conditional(t *testing.T) {
	const imm = 0x0010 // target 0x10004 + 0x40 = 0x10044
	const target = basePC + 4 + 0x40
	for _, tc := range []struct {
		name       string
		insn       uint32
		rs, rt     uint64
		wantNextPC uint64
	}{
		{"beq taken", encI(0x04, 4, 5, imm), 7, 7, target},
		{"beq upper word differs", encI(0x04, 4, 5, imm), 0x1_0000_0007, 7, fallThru},
		{"bne taken", encI(0x05, 4, 5, imm), 0x1_0000_0007, 7, target},
		{"bne not taken", encI(0x05, 4, 5, imm), 7, 7, fallThru},
		{"blez zero", encI(0x06, 4, 0, imm), 0, 0, target},
		{"blez negative", encI(0x06, 4, 0, imm), 0x8000_0000_0000_0000, 0, target},
		{"blez positive", encI(0x06, 4, 0, imm), 0x8000_0000, 0, fallThru},
		{"bgtz positive", encI(0x07, 4, 0, imm), 1, 0, target},
		{"bgtz zero", encI(0x07, 4, 0, imm), 0, 0, fallThru},
		{"bgtz negative", encI(0x07, 4, 0, imm), maxWord, 0, fallThru},
		{"bltz negative", regimm(0x00, imm), maxWord, 0, target},
		{"bltz zero", regimm(0x00, imm), 0, 0, fallThru},
		{"bgez zero", regimm(0x01, imm), 0, 0, target},
		{"bgez negative", regimm(0x01, imm), 0x8000_0000_0000_0000, 0, fallThru},
		{"beq backward to itself", encI(0x04, 0, 0, 0xFFFF), 0, 0, basePC},
		{"beq most negative offset wraps", encI(0x04, 0, 0, 0x8000), 0, 0, 0xFFFF_FFFF_FFFF_0004}, // 0x10004 - 0x20000
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, tc.insn, regs{4: tc.rs, 5: tc.rt})
			want := expectNext(t, pre, func(th *state.Thread) {
				th.CPU.PC, th.CPU.NextPC = delaySlot, tc.wantNextPC
			})
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestQUIRK_BAL_LINK_ALWAYS: bltzal/bgezal set r31 = PC + 8 whether or not
// the branch is taken (cannon/mipsevm/exec/mips_instructions.go:510-522;
// Cannon v1.19.6's Go VM gives bltzal not taken at 0x10000 → r31 = 0x10008).
func TestQUIRK_BAL_LINK_ALWAYS(t *testing.T) {
	const target = basePC + 4 + 0x40
	for _, tc := range []struct {
		name       string
		rt         uint32
		rs         uint64
		wantNextPC uint64
	}{
		{"bltzal not taken", 0x10, 1, fallThru},
		{"bltzal taken", 0x10, maxWord, target},
		{"bgezal not taken", 0x11, maxWord, fallThru},
		{"bgezal taken", 0x11, 0, target},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, regimm(tc.rt, 0x10), regs{4: tc.rs, 31: 0xDEAD})
			want := expectNext(t, pre, func(th *state.Thread) {
				th.CPU.PC, th.CPU.NextPC = delaySlot, tc.wantNextPC
				th.CPU.Regs[31] = basePC + 8
			})
			got := checkStep(t, pre, want, transition.Data{})
			assertReg(t, top(t, got), 31, 0x10008)
		})
	}
}

// TestQUIRK_REGIMM_UNKNOWN: a REGIMM rt value Cannon does not implement
// (bltzl = 2, tgei = 8, bltzall = 0x12, ...) is a branch that is never
// taken: PC = 0x10004, nextPC = 0x10008, no link, even when the real
// instruction's condition holds.
func TestQUIRK_REGIMM_UNKNOWN(t *testing.T) {
	for _, tc := range []struct {
		name string
		rt   uint32
	}{
		{"rt=2 bltzl", 0x02},
		{"rt=8 tgei", 0x08},
		{"rt=3 bgezl", 0x03},
		{"rt=0x12 bltzall", 0x12},
		{"rt=0x1f", 0x1F},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, regimm(tc.rt, 0x10), regs{4: maxWord, 31: 0xDEAD})
			want := expectNext(t, pre, func(th *state.Thread) {
				th.CPU.PC, th.CPU.NextPC = 0x10004, 0x10008
			})
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestBRANCH_Jumps: j/jal take the upper 36 bits from nextPC (the delay
// slot) and the 26-bit target << 2 below; jal links r31 = PC + 8; jr/jalr
// jump to rs, jalr links rd.
func TestBRANCH_Jumps(t *testing.T) {
	for _, tc := range []struct {
		name       string
		pc         uint64
		insn       uint32
		r          regs
		wantNextPC uint64
		link       map[int]uint64
	}{
		{"j", basePC, encJ(0x02, 0x12345), nil, 0x48D14, nil},
		{"jal", basePC, encJ(0x03, 0x12345), nil, 0x48D14, map[int]uint64{31: basePC + 8}},
		{"j region comes from nextPC", 0x0FFF_FFFC, encJ(0x02, 0x4), nil, 0x1000_0010, nil},
		{"j keeps upper 36 bits", 0xFFFF_FFFF_A000_0000, encJ(0x02, 0x3FF_FFFF), nil, 0xFFFF_FFFF_AFFF_FFFC, nil},
		{"jr", basePC, encR(0, 4, 0, 0, 0, 0x08), regs{4: 0x3_0000_0000_0040}, 0x3_0000_0000_0040, nil},
		{"jr ignores rd", basePC, encR(0, 4, 0, 9, 0, 0x08), regs{4: 0x30000, 9: 5}, 0x30000, nil},
		{"jalr rd=31", basePC, encR(0, 4, 0, 31, 0, 0x09), regs{4: 0x30000}, 0x30000, map[int]uint64{31: basePC + 8}},
		{"jalr rd=7", basePC, encR(0, 4, 0, 7, 0, 0x09), regs{4: 0x30000}, 0x30000, map[int]uint64{7: basePC + 8}},
		{"jalr rd=0 links nothing", basePC, encR(0, 4, 0, 0, 0, 0x09), regs{4: 0x30000}, 0x30000, nil},
		{"jalr rd==rs jumps to the old value", basePC, encR(0, 4, 0, 4, 0, 0x09), regs{4: 0x30000}, 0x30000, map[int]uint64{4: 0x10008}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := editTop(t, newPre(t, 0, tc.r), func(th *state.Thread) {
				th.CPU.PC, th.CPU.NextPC = tc.pc, tc.pc+4
			})
			pre = storeInsn(t, pre, tc.pc, tc.insn)
			want := expectNext(t, pre, func(th *state.Thread) {
				th.CPU.PC, th.CPU.NextPC = tc.pc+4, tc.wantNextPC
				for r, v := range tc.link {
					th.CPU.Regs[r] = v
				}
			})
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestERR_UNALIGNED_PC_JumpDoesNotFault: jr to 0x30002 succeeds; the delay
// slot runs; only the fetch at 0x30002 fails with CodeUnalignedFetch.
func TestERR_UNALIGNED_PC_JumpDoesNotFault(t *testing.T) {
	pre := newPre(t, encR(0, 4, 0, 0, 0, 0x08), regs{4: 0x30002})
	pre = storeInsn(t, pre, basePC+4, encR(0, 0, 0, 0, 0, 0x21)) // addu r0, r0, r0 in the delay slot
	s := mustStep(t, pre, transition.Data{})
	assertPCs(t, top(t, s), 0x10004, 0x30002)
	s = mustStep(t, s, transition.Data{})
	assertPCs(t, top(t, s), 0x30002, 0x30006)
	mustFail(t, s, transition.Data{}, errors.CodeUnalignedFetch)
}

// TestERR_DELAY_SLOT: a branch or jump whose PC is a delay slot (nextPC !=
// PC + 4) has no post-state. Ordinary instructions and syscalls in a delay
// slot execute and continue at the branch target.
func TestERR_DELAY_SLOT(t *testing.T) {
	inSlot := func(t *testing.T, insn uint32, r regs) state.State {
		pre := editTop(t, newPre(t, insn, r), func(th *state.Thread) { th.CPU.NextPC = 0x40000 })
		return pre
	}
	for _, tc := range []struct {
		name string
		insn uint32
		code errors.Code
	}{
		{"beq", encI(0x04, 0, 0, 4), errors.CodeBranchInDelaySlot},
		{"bne", encI(0x05, 4, 0, 4), errors.CodeBranchInDelaySlot},
		{"blez", encI(0x06, 0, 0, 4), errors.CodeBranchInDelaySlot},
		{"bgtz", encI(0x07, 0, 0, 4), errors.CodeBranchInDelaySlot},
		{"bltz", regimm(0x00, 4), errors.CodeBranchInDelaySlot},
		{"bgezal", regimm(0x11, 4), errors.CodeBranchInDelaySlot},
		{"regimm rt=2 (unknown)", regimm(0x02, 4), errors.CodeBranchInDelaySlot},
		{"j", encJ(0x02, 0x100), errors.CodeJumpInDelaySlot},
		{"jal", encJ(0x03, 0x100), errors.CodeJumpInDelaySlot},
		{"jr", encR(0, 4, 0, 0, 0, 0x08), errors.CodeJumpInDelaySlot},
		{"jalr", encR(0, 4, 0, 31, 0, 0x09), errors.CodeJumpInDelaySlot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mustFail(t, inSlot(t, tc.insn, regs{4: 0x30000}), transition.Data{}, tc.code)
		})
	}

	t.Run("addu in a delay slot", func(t *testing.T) {
		pre := inSlot(t, encR(0, 4, 5, 6, 0, 0x21), regs{4: 1, 5: 2})
		want := expectNext(t, pre, func(th *state.Thread) {
			th.CPU.PC, th.CPU.NextPC = 0x40000, 0x40004
			th.CPU.Regs[6] = 3
		})
		checkStep(t, pre, want, transition.Data{})
	})
	t.Run("syscall getpid in a delay slot", func(t *testing.T) {
		pre := inSlot(t, syscallInsn, regs{2: 5038, 7: 0x77})
		want := expectNext(t, pre, func(th *state.Thread) {
			th.CPU.PC, th.CPU.NextPC = 0x40000, 0x40004
			th.CPU.Regs[2], th.CPU.Regs[7] = 0, 0
		})
		checkStep(t, pre, want, transition.Data{})
	})
	t.Run("branch in the delay slot of a taken branch", func(t *testing.T) {
		pre := newPre(t, encI(0x04, 0, 0, 0x10), nil)          // beq r0, r0, +0x40
		pre = storeInsn(t, pre, basePC+4, encI(0x05, 0, 0, 4)) // bne in its delay slot
		s := mustStep(t, pre, transition.Data{})
		assertPCs(t, top(t, s), 0x10004, 0x10044)
		mustFail(t, s, transition.Data{}, errors.CodeBranchInDelaySlot)
	})
}
