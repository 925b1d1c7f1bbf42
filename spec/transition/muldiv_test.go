package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// The HI/LO group (SPECIAL functs 0x10-0x13, 0x18-0x1F). Rows use rs = r4,
// rt = r5 and an rd field of 0 unless the row is about rd.

// Pre-step HI and LO of every row, so that an untouched register shows.
const (
	preHI = 0x4848_4848_4848_4848
	preLO = 0x4C4C_4C4C_4C4C_4C4C
)

type hiLoRow struct {
	name           string
	fn             uint32
	rs, rt         uint64
	wantHI, wantLO uint64
}

func hiLo(fn uint32) uint32 { return encR(0, 4, 5, 0, 0, fn) }

func runHiLo(t *testing.T, rows []hiLoRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			pre := editTop(t, newPre(t, hiLo(tc.fn), regs{4: tc.rs, 5: tc.rt}), func(th *state.Thread) {
				th.CPU.HI, th.CPU.LO = preHI, preLO
			})
			want := expectNext(t, pre, func(th *state.Thread) { th.CPU.HI, th.CPU.LO = tc.wantHI, tc.wantLO })
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestMULDIV_Mult: mult/multu multiply the low words; HI and LO each get a
// sign-extended 32-bit half (even for multu).
func TestMULDIV_Mult(t *testing.T) {
	runHiLo(t, []hiLoRow{
		{"mult 3*5 ignores upper words", 0x18, 0xFFFF_FFFF_0000_0003, 0xABCD_0000_0000_0005, 0, 0xF},
		{"mult -1*1", 0x18, 0xFFFF_FFFF, 1, maxWord, maxWord},
		{"mult INT32_MAX^2", 0x18, 0x7FFF_FFFF, 0x7FFF_FFFF, 0x3FFF_FFFF, 1},
		{"mult INT32_MIN^2", 0x18, 0x8000_0000, 0x8000_0000, 0x4000_0000, 0},
		{"mult LO sign-extended", 0x18, 0x8000_0000, 1, maxWord, 0xFFFF_FFFF_8000_0000},
		{"multu max^2", 0x19, 0xFFFF_FFFF, 0xFFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE, 1},
		{"multu carries into HI", 0x19, 0x8000_0000, 2, 1, 0},
		{"multu HI sign-extended", 0x19, 0xFFFF_FFFF, 0x8000_0001, 0xFFFF_FFFF_8000_0000, 0x7FFF_FFFF},
	})
}

// TestMULDIV_Div: div/divu divide the low words with truncation; the
// remainder takes the dividend's sign; both results are sign-extended.
func TestMULDIV_Div(t *testing.T) {
	runHiLo(t, []hiLoRow{
		{"div 7/-2", 0x1A, 7, 0xFFFF_FFFE, 1, 0xFFFF_FFFF_FFFF_FFFD},
		{"div -7/2", 0x1A, 0xFFFF_FFF9, 2, maxWord, 0xFFFF_FFFF_FFFF_FFFD},
		{"div ignores upper word of rt", 0x1A, 9, 0x1_0000_0002, 1, 4},
		{"div INT32_MIN/-1", 0x1A, 0xFFFF_FFFF_8000_0000, maxWord, 0, 0xFFFF_FFFF_8000_0000},
		{"divu max/2", 0x1B, 0xFFFF_FFFF, 2, 1, 0x7FFF_FFFF},
		{"divu max/1 sign-extends LO", 0x1B, 0xFFFF_FFFF, 1, 0, maxWord},
		{"divu remainder sign-extended", 0x1B, 0xFFFF_FFFF, 0x8000_0000, 0x7FFF_FFFF, 1},
	})
}

// TestMULDIV_Dmult: dmult/dmultu give the 128-bit product, HI the upper and
// LO the lower 64 bits.
func TestMULDIV_Dmult(t *testing.T) {
	const minInt64 = 0x8000_0000_0000_0000
	runHiLo(t, []hiLoRow{
		{"dmult -1*-1", 0x1C, maxWord, maxWord, 0, 1},
		{"dmult 2*-3", 0x1C, 2, 0xFFFF_FFFF_FFFF_FFFD, maxWord, 0xFFFF_FFFF_FFFF_FFFA},
		{"dmult INT64_MIN*-1", 0x1C, minInt64, maxWord, 0, minInt64},
		{"dmult INT64_MIN^2", 0x1C, minInt64, minInt64, 0x4000_0000_0000_0000, 0},
		{"dmult 0*-1", 0x1C, 0, maxWord, 0, 0},
		{"dmult 2^32*2^32", 0x1C, 0x1_0000_0000, 0x1_0000_0000, 1, 0},
		{"dmultu max^2", 0x1D, maxWord, maxWord, 0xFFFF_FFFF_FFFF_FFFE, 1},
		{"dmultu 2^63*2", 0x1D, minInt64, 2, 1, 0},
	})
}

// TestMULDIV_Ddiv: ddiv/ddivu are 64-bit truncating divisions.
func TestMULDIV_Ddiv(t *testing.T) {
	runHiLo(t, []hiLoRow{
		{"ddiv -7/2", 0x1E, 0xFFFF_FFFF_FFFF_FFF9, 2, maxWord, 0xFFFF_FFFF_FFFF_FFFD},
		{"ddiv 7/-2", 0x1E, 7, 0xFFFF_FFFF_FFFF_FFFE, 1, 0xFFFF_FFFF_FFFF_FFFD},
		{"ddiv INT64_MIN/-1", 0x1E, 0x8000_0000_0000_0000, maxWord, 0, 0x8000_0000_0000_0000},
		{"ddiv by 2^32 is not zero", 0x1E, 0x5_0000_0003, 0x1_0000_0000, 3, 5},
		{"ddivu max/2", 0x1F, maxWord, 2, 1, 0x7FFF_FFFF_FFFF_FFFF},
		{"ddivu 10/max", 0x1F, 10, maxWord, 10, 0},
	})
}

// TestMULDIV_MoveHILO: mfhi/mflo copy HI/LO to rd; mthi/mtlo copy rs.
func TestMULDIV_MoveHILO(t *testing.T) {
	for _, tc := range []struct {
		name string
		insn uint32
		want func(th *state.Thread)
	}{
		{"mfhi", encR(0, 0, 0, 6, 0, 0x10), func(th *state.Thread) { th.CPU.Regs[6] = preHI }},
		{"mflo", encR(0, 0, 0, 6, 0, 0x12), func(th *state.Thread) { th.CPU.Regs[6] = preLO }},
		{"mthi", encR(0, 4, 0, 0, 0, 0x11), func(th *state.Thread) { th.CPU.HI = 0x77 }},
		{"mtlo", encR(0, 4, 0, 0, 0, 0x13), func(th *state.Thread) { th.CPU.LO = 0x77 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := editTop(t, newPre(t, tc.insn, regs{4: 0x77, 6: aluMarker}), func(th *state.Thread) {
				th.CPU.HI, th.CPU.LO = preHI, preLO
			})
			checkStep(t, pre, expectNext(t, pre, tc.want), transition.Data{})
		})
	}
}

// TestQUIRK_HILO_RD_MultZeroesRd: every HI/LO instruction writes a value to
// a nonzero rd field; for all but mfhi/mflo that value is 0
// (cannon/mipsevm/exec/mips_instructions.go:539-541, 622-624; Cannon
// v1.19.6's Go VM gives mult rd=9, rs=3, rt=5 → LO=0xf, HI=0, r9=0; mthi rd=9,
// rs=0x77 → HI=0x77, r9=0).
func TestQUIRK_HILO_RD_MultZeroesRd(t *testing.T) {
	for _, tc := range []struct {
		name           string
		fn             uint32
		rs, rt         uint64
		wantHI, wantLO uint64
	}{
		{"mult", 0x18, 3, 5, 0, 0xF},
		{"mthi", 0x11, 0x77, 0, 0x77, preLO},
		{"mtlo", 0x13, 0x77, 0, preHI, 0x77},
		{"multu", 0x19, 3, 5, 0, 0xF},
		{"div", 0x1A, 7, 2, 1, 3},
		{"divu", 0x1B, 7, 2, 1, 3},
		{"dmult", 0x1C, 3, 5, 0, 0xF},
		{"dmultu", 0x1D, 3, 5, 0, 0xF},
		{"ddiv", 0x1E, 7, 2, 1, 3},
		{"ddivu", 0x1F, 7, 2, 1, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := editTop(t, newPre(t, encR(0, 4, 5, 9, 0, tc.fn), regs{4: tc.rs, 5: tc.rt, 9: 0xDEAD_BEEF}), func(th *state.Thread) {
				th.CPU.HI, th.CPU.LO = preHI, preLO
			})
			want := expectNext(t, pre, func(th *state.Thread) {
				th.CPU.HI, th.CPU.LO = tc.wantHI, tc.wantLO
				th.CPU.Regs[9] = 0
			})
			got := checkStep(t, pre, want, transition.Data{})
			assertReg(t, top(t, got), 9, 0)
		})
	}
}

// TestQUIRK_DIV_LOW32_ERR_DIV_ZERO: div/divu test only the low 32 bits of rt for zero, so
// rt = 0x1_0000_0000 has no post-state; ddiv/ddivu test all 64 bits.
func TestQUIRK_DIV_LOW32_ERR_DIV_ZERO(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   uint32
		rt   uint64
	}{
		{"div by 0x1_0000_0000", 0x1A, 0x1_0000_0000},
		{"divu by 0x1_0000_0000", 0x1B, 0x1_0000_0000},
		{"div by 0", 0x1A, 0},
		{"divu by 0xffffffff00000000", 0x1B, 0xFFFF_FFFF_0000_0000},
		{"ddiv by 0", 0x1E, 0},
		{"ddivu by 0", 0x1F, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, hiLo(tc.fn), regs{4: 100, 5: tc.rt})
			e := mustFail(t, pre, transition.Data{}, errors.CodeDivideByZero)
			if got := errors.OutcomeOf(e); got != errors.OutcomeNoPostState {
				t.Fatalf("OutcomeOf = %v, want %v", got, errors.OutcomeNoPostState)
			}
		})
	}
}
