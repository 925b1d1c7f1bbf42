package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// ALU rows use one register layout: rs = r4, rt = r5, destination r6 (rd
// for R-type and SPECIAL2, rt for the immediate forms). The destination
// starts at a marker value so a missing write shows.

const aluMarker = 0x5A5A_5A5A_5A5A_5A5A

// aluRow is one ALU instruction with its operands and the expected r6.
type aluRow struct {
	name   string
	insn   uint32
	rs, rt uint64
	want   uint64
}

// runALU checks that insn computes want into r6, changes nothing else and
// advances PC by one instruction.
func runALU(t *testing.T, rows []aluRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, tc.insn, regs{4: tc.rs, 5: tc.rt, 6: aluMarker})
			want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[6] = tc.want })
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// special returns the SPECIAL word rd=r6, rs=r4, rt=r5 with shamt sa.
func special(fn, sa uint32) uint32 { return encR(0, 4, 5, 6, sa, fn) }

// immediate returns the I-type word rt=r6, rs=r4.
func immediate(op uint32, imm uint16) uint32 { return encI(op, 4, 6, imm) }

// special2 returns the SPECIAL2 word rd=r6, rs=r4, rt=r5.
func special2(fn uint32) uint32 { return encR(0x1C, 4, 5, 6, 0, fn) }

// TestALU_32BIT_Arithmetic: 32-bit operations read only the low words of
// their operands and sign-extend the 32-bit result (MIPS64 vol. II ADDU,
// SUBU; cannon/mipsevm/exec/mips_instructions.go:278-285).
func TestALU_32BIT_Arithmetic(t *testing.T) {
	runALU(t, []aluRow{
		{"addu ignores upper words", special(0x21, 0), 0xDEAD_BEEF_0000_0001, 0x1234_5678_0000_0002, 3},
		{"addu wraps the low word to 0", special(0x21, 0), 0xFFFF_FFFF, 1, 0},
		{"addu sign-extends bit 31", special(0x21, 0), 0x7FFF_FFFF, 0x7FFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE},
		{"add positive", special(0x20, 0), 40, 2, 42},
		{"subu 0-1", special(0x23, 0), 0, 1, maxWord},
		{"subu ignores upper words", special(0x23, 0), 0x1_0000_0005, 0xFFFF_FFFF_0000_0003, 2},
		{"sub INT32_MIN-1 wraps", special(0x22, 0), 0xFFFF_FFFF_8000_0000, 1, 0x7FFF_FFFF},
	})
}

// TestALU_Logic: and/or/xor/nor work on all 64 bits.
func TestALU_Logic(t *testing.T) {
	const a, b = 0xF0F0_0000_FFFF_1234, 0x0FF0_FFFF_0000_FF00
	runALU(t, []aluRow{
		{"and", special(0x24, 0), a, b, 0x00F0_0000_0000_1200},
		{"or", special(0x25, 0), a, b, 0xFFF0_FFFF_FFFF_FF34},
		{"xor", special(0x26, 0), a, b, 0xFF00_FFFF_FFFF_ED34},
		{"nor", special(0x27, 0), a, b, 0x000F_0000_0000_00CB},
		{"nor of zeros is all ones", special(0x27, 0), 0, 0, maxWord},
	})
}

// TestALU_SetLessThan: slt compares signed, sltu unsigned, all 64 bits.
func TestALU_SetLessThan(t *testing.T) {
	runALU(t, []aluRow{
		{"slt -1 < 1", special(0x2A, 0), maxWord, 1, 1},
		{"slt 1 < -1 is false", special(0x2A, 0), 1, maxWord, 0},
		{"slt equal", special(0x2A, 0), 7, 7, 0},
		{"slt uses the upper word", special(0x2A, 0), 0x1_0000_0000, 0x2_0000_0000, 1},
		{"sltu max < 1 is false", special(0x2B, 0), maxWord, 1, 0},
		{"sltu 1 < max", special(0x2B, 0), 1, maxWord, 1},
	})
}

// TestALU_64BitArithmetic: dadd/daddu/dsub/dsubu wrap mod 2^64.
func TestALU_64BitArithmetic(t *testing.T) {
	runALU(t, []aluRow{
		{"daddu", special(0x2D, 0), 0x1_0000_0000, 0x2_FFFF_FFFF, 0x3_FFFF_FFFF},
		{"daddu wraps", special(0x2D, 0), maxWord, 2, 1},
		{"dadd INT64_MAX+1", special(0x2C, 0), 0x7FFF_FFFF_FFFF_FFFF, 1, 0x8000_0000_0000_0000},
		{"dsubu", special(0x2F, 0), 0x3_0000_0000, 1, 0x2_FFFF_FFFF},
		{"dsub INT64_MIN-1", special(0x2E, 0), 0x8000_0000_0000_0000, 1, 0x7FFF_FFFF_FFFF_FFFF},
	})
}

// TestALU_32BIT_Shifts: 32-bit shifts act on the low word and sign-extend
// the result; garbage in bits 32-63 of rt must not leak (the SLL audit
// issue, "the SLL(V) sign extension issue" in the review of optimism PR
// #14185; PR #14543 added 64-bit SignExtend tests with such bits; Cannon:
// cannon/mipsevm/exec/mips_instructions.go:210-225 and SignExtend, 479-488).
// The variable forms use rs & 0x1F.
func TestALU_32BIT_Shifts(t *testing.T) {
	runALU(t, []aluRow{
		{"sll by 4", special(0x00, 4), 0, 0x0FFF_FFFF, 0xFFFF_FFFF_FFFF_FFF0},
		{"sll drops upper garbage", special(0x00, 31), 0, 0xFFFF_FFFF_0000_0001, 0xFFFF_FFFF_8000_0000},
		{"sll by 0 sign-extends", special(0x00, 0), 0, 0xABCD_0000_7FFF_FFFF, 0x7FFF_FFFF},
		{"srl by 4", special(0x02, 4), 0, 0xFFFF_FFFF_8000_0000, 0x0800_0000},
		{"srl by 0 sign-extends", special(0x02, 0), 0, 0x8000_0000, 0xFFFF_FFFF_8000_0000},
		{"sra by 4 negative", special(0x03, 4), 0, 0x8000_0000, 0xFFFF_FFFF_F800_0000},
		{"sra by 4 positive ignores upper", special(0x03, 4), 0, 0xFFFF_FFFF_7FFF_FFFF, 0x07FF_FFFF},
		{"sra by 31", special(0x03, 31), 0, 0x8000_0000, maxWord},
		{"sllv uses rs&31", special(0x04, 0), 36, 1, 0x10},
		{"srlv uses rs&31", special(0x06, 0), 33, 0xFFFF_FFFF_FFFF_FFFE, 0x7FFF_FFFF},
		{"srav uses rs&31", special(0x07, 0), 0x3F, 0x8000_0000, maxWord},
	})
}

// TestALU_64BitShifts: dsll/dsrl/dsra by sa, the *32 forms by sa+32, the
// variable forms by rs & 0x3F.
func TestALU_64BitShifts(t *testing.T) {
	const v = 0x0102_0304_0506_0708
	runALU(t, []aluRow{
		{"dsll 8", special(0x38, 8), 0, v, 0x0203_0405_0607_0800},
		{"dsrl 8", special(0x3A, 8), 0, v, 0x0001_0203_0405_0607},
		{"dsra 8 negative", special(0x3B, 8), 0, 0x8000_0000_0000_0000, 0xFF80_0000_0000_0000},
		{"dsll32 1", special(0x3C, 1), 0, 1, 0x2_0000_0000},
		{"dsrl32 0", special(0x3E, 0), 0, 0x8000_0000_0000_0000, 0x8000_0000},
		{"dsra32 31", special(0x3F, 31), 0, 0x8000_0000_0000_0000, maxWord},
		{"dsllv uses rs&63", special(0x14, 0), 0x44, 0x1234, 0x12340},
		{"dsrlv 63", special(0x16, 0), 63, 0x8000_0000_0000_0000, 1},
		{"dsrav 63", special(0x17, 0), 63, 0x8000_0000_0000_0000, maxWord},
	})
}

// TestALU_Immediate: addi/addiu/slti/sltiu/daddi/daddiu sign-extend the
// immediate, andi/ori/xori zero-extend it, lui shifts it into bits 16-31 and
// sign-extends (destination rt).
func TestALU_Immediate(t *testing.T) {
	runALU(t, []aluRow{
		{"addiu -1", immediate(0x09, 0xFFFF), 0, 0, maxWord},
		{"addiu ignores upper word of rs", immediate(0x09, 1), 0x1234_5678_0000_0001, 0, 2},
		{"addi", immediate(0x08, 0x10), 0x20, 0, 0x30},
		{"slti signed", immediate(0x0A, 0xFFFF), 0xFFFF_FFFF_FFFF_FFFE, 0, 1},
		{"slti false", immediate(0x0A, 0), 5, 0, 0},
		{"sltiu sign-extended immediate is huge", immediate(0x0B, 0xFFFF), 5, 0, 1},
		{"sltiu false", immediate(0x0B, 1), 5, 0, 0},
		{"andi zero-extends", immediate(0x0C, 0x8000), maxWord, 0, 0x8000},
		{"ori zero-extends", immediate(0x0D, 0x8001), 0xFFFF_0000_0000_0000, 0, 0xFFFF_0000_0000_8001},
		{"xori", immediate(0x0E, 0xFFFF), 0xFFFF, 0, 0},
		{"lui positive", immediate(0x0F, 0x1234), 0xFFFF, 0, 0x1234_0000},
		{"lui sign-extends", immediate(0x0F, 0x8000), 0, 0, 0xFFFF_FFFF_8000_0000},
		{"daddi", immediate(0x18, 0xFFFF), 0x1_0000_0000, 0, 0xFFFF_FFFF},
		{"daddiu sign-extends", immediate(0x19, 0x8000), 0, 0, 0xFFFF_FFFF_FFFF_8000},
	})
}

// TestALU_Special2: mul (32-bit product, HI/LO untouched), clz/clo on the
// low word, dclz/dclo on all 64 bits.
func TestALU_Special2(t *testing.T) {
	runALU(t, []aluRow{
		{"mul ignores upper words", special2(0x02), 0xFFFF_FFFF_0000_0003, 0xFFFF_FFFE, 0xFFFF_FFFF_FFFF_FFFA},
		{"mul keeps the low word", special2(0x02), 0x10000, 0x10000, 0},
		{"mul sign-extends", special2(0x02), 0x4000_0000, 2, 0xFFFF_FFFF_8000_0000},
		{"clz 0", special2(0x20), 0, 0, 32},
		{"clz 1", special2(0x20), 1, 0, 31},
		{"clz bit 31", special2(0x20), 0x8000_0000, 0, 0},
		{"clo all ones", special2(0x21), 0xFFFF_FFFF, 0, 32},
		{"clo 4", special2(0x21), 0xF000_0000, 0, 4},
		{"clo ignores upper word", special2(0x21), 0xFFFF_FFFF_0000_0000, 0, 0},
		{"dclz 0", special2(0x24), 0, 0, 64},
		{"dclz 1", special2(0x24), 1, 0, 63},
		{"dclz upper word", special2(0x24), 0x0000_0001_0000_0000, 0, 31},
		{"dclo all ones", special2(0x25), maxWord, 0, 64},
		{"dclo 8", special2(0x25), 0xFF00_0000_0000_0000, 0, 8},
	})
}

// TestALU_Special2_LeavesHILO: mul does not write HI or LO.
func TestALU_Special2_LeavesHILO(t *testing.T) {
	pre := editTop(t, newPre(t, special2(0x02), regs{4: 3, 5: 5}), func(th *state.Thread) {
		th.CPU.HI, th.CPU.LO = 0x1111, 0x2222
	})
	want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[6] = 15 })
	got := checkStep(t, pre, want, transition.Data{})
	if th := top(t, got); th.CPU.HI != 0x1111 || th.CPU.LO != 0x2222 {
		t.Fatalf("mul changed HI/LO to %#x/%#x", th.CPU.HI, th.CPU.LO)
	}
}

// TestALU_ConditionalMoves: movz writes rs to rd when rt == 0, movn when
// rt != 0; otherwise rd keeps its value (all 64 bits of rt are tested).
func TestALU_ConditionalMoves(t *testing.T) {
	const rs = 0xCAFE_0000_0000_BEEF
	runALU(t, []aluRow{
		{"movz moves", special(0x0A, 0), rs, 0, rs},
		{"movz keeps", special(0x0A, 0), rs, 1, aluMarker},
		{"movz upper word counts", special(0x0A, 0), rs, 0x1_0000_0000, aluMarker},
		{"movn moves", special(0x0B, 0), rs, 0x1_0000_0000, rs},
		{"movn keeps", special(0x0B, 0), rs, 0, aluMarker},
	})
}

// TestINV_R0_NotWritten: an ALU result addressed to r0 is dropped.
func TestINV_R0_NotWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		insn uint32
	}{
		{"addu rd=0", encR(0, 4, 5, 0, 0, 0x21)},
		{"addiu rt=0", encI(0x09, 4, 0, 1)},
		{"lui rt=0", encI(0x0F, 0, 0, 0x1234)},
		{"clz rd=0", encR(0x1C, 4, 0, 0, 0, 0x20)},
		{"movn rd=0", encR(0, 4, 5, 0, 0, 0x0B)},
		{"mfhi rd=0", encR(0, 0, 0, 0, 0, 0x10)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, tc.insn, regs{4: 7, 5: 9})
			got := checkStep(t, pre, expectNext(t, pre, nil), transition.Data{})
			assertReg(t, top(t, got), 0, 0)
		})
	}
}

// TestQUIRK_RESERVED_FIELDS_AddWithShamt: fields MIPS requires to be zero are
// not checked. add with shamt=5 executes as add (cannon/mipsevm/exec/
// mips_instructions.go:278-279 read no shamt; Cannon v1.19.6's Go VM gives
// 0x7fffffff + 1 → 0xffffffff80000000), and so do other encodings with stray
// fields.
func TestQUIRK_RESERVED_FIELDS_AddWithShamt(t *testing.T) {
	runALU(t, []aluRow{
		{"add shamt=5", special(0x20, 5), 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000},
		{"addu shamt=31", special(0x21, 31), 2, 3, 5},
		{"sll with rs field set", encR(0, 4, 5, 6, 4, 0x00), 0xFFFF, 1, 0x10},
		{"lui with rs field set", encI(0x0F, 4, 6, 0x0001), 0xFFFF, 0, 0x1_0000},
		{"clz with rt field set", encR(0x1C, 4, 5, 6, 7, 0x20), 1, 0xFFFF, 31},
	})
}

// TestQUIRK_NO_OVERFLOW_TRAP: add, addi, sub, dadd, daddi and dsub never trap
// on signed overflow; they wrap like their unsigned forms.
func TestQUIRK_NO_OVERFLOW_TRAP(t *testing.T) {
	runALU(t, []aluRow{
		{"add 0x7fffffff+1", special(0x20, 0), 0x7FFF_FFFF, 1, 0xFFFF_FFFF_8000_0000},
		{"addi 0x7fffffff+1", immediate(0x08, 1), 0x7FFF_FFFF, 0, 0xFFFF_FFFF_8000_0000},
		{"sub INT32_MIN-1", special(0x22, 0), 0x8000_0000, 1, 0x7FFF_FFFF},
		{"dadd INT64_MAX+1", special(0x2C, 0), 0x7FFF_FFFF_FFFF_FFFF, 1, 0x8000_0000_0000_0000},
		{"daddi INT64_MAX+1", immediate(0x18, 1), 0x7FFF_FFFF_FFFF_FFFF, 0, 0x8000_0000_0000_0000},
		{"dsub INT64_MIN-1", special(0x2E, 0), 0x8000_0000_0000_0000, 1, 0x7FFF_FFFF_FFFF_FFFF},
	})
}

// TestQUIRK_SYNC_COPY: sync is not special-cased, so a nonzero rd field
// receives rs (cannon/mipsevm/exec/mips_instructions.go:238-239, then
// HandleRd at 164-165; Cannon v1.19.6's Go VM gives sync rd=9, rs=0x1234 →
// r9=0x1234).
func TestQUIRK_SYNC_COPY(t *testing.T) {
	pre := newPre(t, encR(0, 4, 0, 9, 0, 0x0F), regs{4: 0x1234, 9: 0xDEAD})
	want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[9] = 0x1234 })
	got := checkStep(t, pre, want, transition.Data{})
	assertReg(t, top(t, got), 9, 0x1234)

	t.Run("rd=0 is a no-op", func(t *testing.T) {
		pre := newPre(t, encR(0, 4, 0, 0, 0, 0x0F), regs{4: 0x1234})
		checkStep(t, pre, expectNext(t, pre, nil), transition.Data{})
	})
}

// TestQUIRK_CLZ_32: clz counts from bit 31 down, so the upper word never
// matters and the count stops at 32 (cannon/mipsevm/exec/
// mips_instructions.go:344-352; Cannon v1.19.6's Go VM gives
// clz(0xffffffff00000000) = 32; optimism PR #19717).
func TestQUIRK_CLZ_32(t *testing.T) {
	runALU(t, []aluRow{
		{"clz(0xffffffff00000000)", special2(0x20), 0xFFFF_FFFF_0000_0000, 0, 32},
		{"clz(0xffffffff00008000)", special2(0x20), 0xFFFF_FFFF_0000_8000, 0, 16},
		{"clo(0x00000000ffffffff)", special2(0x21), 0x0000_0000_FFFF_FFFF, 0, 32},
	})
}
