package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Edge rows added for mutants that survived the first mutation run
// (docs/mutation.md): equal operands for the comparisons, the 32+ shift
// forms at their largest shift, and 128-bit products with a zero operand.

func TestALU_32BIT_CompareEqualOperands(t *testing.T) {
	runALU(t, []aluRow{
		{"sltu equal", special(0x2B, 0), 7, 7, 0},
		{"slt equal", special(0x2A, 0), maxWord, maxWord, 0},
		{"sltu below", special(0x2B, 0), 6, 7, 1},
		{"slt negative below", special(0x2A, 0), maxWord, 0, 1},
	})
}

func TestALU_32BIT_Shift32Forms(t *testing.T) {
	runALU(t, []aluRow{
		{"dsra32 by 31 (shift 63)", special(0x3F, 31), 0, 0x8000_0000_0000_0000, maxWord},
		{"dsra32 by 0 (shift 32)", special(0x3F, 0), 0, 0x8000_0001_0000_0000, 0xFFFF_FFFF_8000_0001},
		{"dsrl32 by 31", special(0x3E, 31), 0, 0x8000_0000_0000_0000, 1},
		{"dsll32 by 31", special(0x3C, 31), 0, 1, 0x8000_0000_0000_0000},
	})
}

func TestMULDIV_DmultZeroOperand(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fn     uint32
		rs, rt uint64
		hi, lo uint64
	}{
		{"dmult negative by zero", 0x1C, 0xFFFF_FFFF_FFFF_FFFB, 0, 0, 0},
		{"dmult zero by negative", 0x1C, 0, 0xFFFF_FFFF_FFFF_FFFB, 0, 0},
		{"dmult -1 by -1", 0x1C, maxWord, maxWord, 0, 1},
		{"dmult -2 by 3", 0x1C, 0xFFFF_FFFF_FFFF_FFFE, 3, maxWord, 0xFFFF_FFFF_FFFF_FFFA},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := newPre(t, encR(0, 4, 5, 0, 0, tc.fn), regs{4: tc.rs, 5: tc.rt})
			want := expectNext(t, pre, func(th *state.Thread) { th.CPU.HI, th.CPU.LO = tc.hi, tc.lo })
			checkStep(t, pre, want, transition.Data{})
		})
	}
}
