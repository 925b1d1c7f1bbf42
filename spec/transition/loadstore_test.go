package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Loads and stores address memory as big-endian 8-byte words. Rows use
// base = r4 = dataAddr, rt = r5, and an offset immediate, so vaddr =
// 0x20000 + off. The word at 0x20000 is memWord; its bytes 0..7 are
// 88 99 aa bb cc dd ee ff.

const (
	memWord = 0x8899_AABB_CCDD_EEFF
	rtWord  = 0x0123_4567_89AB_CDEF // bytes 01 23 45 67 89 ab cd ef
)

type memRow struct {
	name string
	op   uint32
	off  uint16
	mem  uint64 // the word at dataAddr before the step
	rt   uint64 // r5 before the step
	want uint64 // r5 after a load, M[dataAddr] after a store
}

// loadPre returns the pre-state of a row: op rt=r5, off(r4).
func loadPre(t *testing.T, tc memRow) state.State {
	t.Helper()
	pre := newPre(t, encI(tc.op, 4, 5, tc.off), regs{4: dataAddr, 5: tc.rt})
	return setWord(t, pre, dataAddr, tc.mem)
}

// runLoads checks that each load writes want to r5 and changes nothing else.
func runLoads(t *testing.T, rows []memRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			pre := loadPre(t, tc)
			want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[5] = tc.want })
			got := checkStep(t, pre, want, transition.Data{})
			assertReg(t, top(t, got), 5, tc.want)
		})
	}
}

// runStores checks that each store writes want to M[dataAddr], leaves r5 as
// it was and changes nothing else.
func runStores(t *testing.T, rows []memRow) {
	t.Helper()
	for _, tc := range rows {
		t.Run(tc.name, func(t *testing.T) {
			pre := loadPre(t, tc)
			want := setWord(t, expectNext(t, pre, nil), dataAddr, tc.want)
			got := checkStep(t, pre, want, transition.Data{})
			assertWord(t, got, dataAddr, tc.want)
		})
	}
}

// TestLOADSTORE_Loads: lb/lbu/lh/lhu/lw/lwu/ld select the naturally aligned
// sub-word holding vaddr; the signed forms sign-extend.
func TestLOADSTORE_Loads(t *testing.T) {
	const lb, lh, lw, lbu, lhu, lwu, ld = 0x20, 0x21, 0x23, 0x24, 0x25, 0x27, 0x37
	runLoads(t, []memRow{
		{"lb +0", lb, 0, memWord, rtWord, 0xFFFF_FFFF_FFFF_FF88},
		{"lb +3", lb, 3, memWord, rtWord, 0xFFFF_FFFF_FFFF_FFBB},
		{"lb +7", lb, 7, memWord, rtWord, 0xFFFF_FFFF_FFFF_FFFF},
		{"lb positive", lb, 1, 0x0011_2233_4455_6677, rtWord, 0x11},
		{"lbu +0", lbu, 0, memWord, rtWord, 0x88},
		{"lbu +5", lbu, 5, memWord, rtWord, 0xDD},
		{"lh +0", lh, 0, memWord, rtWord, 0xFFFF_FFFF_FFFF_8899},
		{"lh +6", lh, 6, memWord, rtWord, 0xFFFF_FFFF_FFFF_EEFF},
		{"lh positive", lh, 2, 0x0011_2233_4455_6677, rtWord, 0x2233},
		{"lhu +2", lhu, 2, memWord, rtWord, 0xAABB},
		{"lw +0", lw, 0, memWord, rtWord, 0xFFFF_FFFF_8899_AABB},
		{"lw +4", lw, 4, memWord, rtWord, 0xFFFF_FFFF_CCDD_EEFF},
		{"lw positive", lw, 4, 0x0011_2233_4455_6677, rtWord, 0x4455_6677},
		{"lwu +0", lwu, 0, memWord, rtWord, 0x8899_AABB},
		{"lwu +4", lwu, 4, memWord, rtWord, 0xCCDD_EEFF},
		{"ld +0", ld, 0, memWord, rtWord, memWord},
		{"ld negative offset", ld, 0xFFF8, 0, rtWord, 0}, // vaddr 0x1fff8, an empty word
	})
}

// TestQUIRK_UNALIGNED_CONTAINER: an unaligned lh/lw/ld reads the naturally
// aligned container of its size; nothing faults (cannon/mipsevm/exec/
// mips_instructions.go:679-710; Cannon v1.19.6's Go VM gives lw at +1 of
// 0x8899aabbccddeeff → 0xffffffff8899aabb; ld at +3 → the whole dword).
func TestQUIRK_UNALIGNED_CONTAINER(t *testing.T) {
	const lh, lw, lhu, lwu, ld = 0x21, 0x23, 0x25, 0x27, 0x37
	runLoads(t, []memRow{
		{"lw +1", lw, 1, memWord, rtWord, 0xFFFF_FFFF_8899_AABB},
		{"lw +3", lw, 3, memWord, rtWord, 0xFFFF_FFFF_8899_AABB},
		{"lw +6", lw, 6, memWord, rtWord, 0xFFFF_FFFF_CCDD_EEFF},
		{"lwu +7", lwu, 7, memWord, rtWord, 0xCCDD_EEFF},
		{"lh +1", lh, 1, memWord, rtWord, 0xFFFF_FFFF_FFFF_8899},
		{"lhu +5", lhu, 5, memWord, rtWord, 0xCCDD},
		{"ld +3", ld, 3, memWord, rtWord, memWord},
		{"ld +7", ld, 7, memWord, rtWord, memWord},
	})
	t.Run("stores", func(t *testing.T) {
		const sh, sw, sd = 0x29, 0x2B, 0x3F
		runStores(t, []memRow{
			{"sh +3 writes bytes 2..3", sh, 3, memWord, rtWord, 0x8899_CDEF_CCDD_EEFF},
			{"sw +6 writes bytes 4..7", sw, 6, memWord, rtWord, 0x8899_AABB_89AB_CDEF},
			{"sd +5 writes the whole word", sd, 5, memWord, rtWord, rtWord},
		})
	})
}

// TestLOADSTORE_AddressWraps: vaddr = rs + sext(imm) wraps mod 2^64.
func TestLOADSTORE_AddressWraps(t *testing.T) {
	pre := newPre(t, encI(0x37, 4, 5, 0x0008), regs{4: 0xFFFF_FFFF_FFFF_FFF8}) // ld r5, 8(r4): vaddr 0
	pre = setWord(t, pre, 0, 0x0102_0304_0506_0708)
	want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[5] = 0x0102_0304_0506_0708 })
	checkStep(t, pre, want, transition.Data{})
}

// TestLOADSTORE_LwlLwr: lwl/lwr merge inside the 4-byte word holding vaddr
// (MIPS big-endian LWL/LWR). lwl sign-extends its 32-bit result.
func TestLOADSTORE_LwlLwr(t *testing.T) {
	const lwl, lwr = 0x22, 0x26
	runLoads(t, []memRow{
		{"lwl +0", lwl, 0, memWord, rtWord, 0xFFFF_FFFF_8899_AABB},
		{"lwl +1", lwl, 1, memWord, rtWord, 0xFFFF_FFFF_99AA_BBEF},
		{"lwl +2", lwl, 2, memWord, rtWord, 0xFFFF_FFFF_AABB_CDEF},
		{"lwl +3", lwl, 3, memWord, rtWord, 0xFFFF_FFFF_BBAB_CDEF},
		{"lwl +4", lwl, 4, memWord, rtWord, 0xFFFF_FFFF_CCDD_EEFF},
		{"lwl +6", lwl, 6, memWord, rtWord, 0xFFFF_FFFF_EEFF_CDEF},
		{"lwl positive drops rt's upper word", lwl, 1, 0x0011_2233_4455_6677, rtWord, 0x1122_33EF},
		{"lwr +0", lwr, 0, memWord, rtWord, 0x0123_4567_89AB_CD88},
		{"lwr +1", lwr, 1, memWord, rtWord, 0x0123_4567_89AB_8899},
		{"lwr +2", lwr, 2, memWord, rtWord, 0x0123_4567_8988_99AA},
		{"lwr +3 full word sign-extends", lwr, 3, memWord, rtWord, 0xFFFF_FFFF_8899_AABB},
		{"lwr +7 full word sign-extends", lwr, 7, memWord, rtWord, 0xFFFF_FFFF_CCDD_EEFF},
		{"lwr +3 positive full word", lwr, 3, 0x0011_2233_4455_6677, rtWord, 0x0011_2233},
	})
}

// TestQUIRK_LWR_PARTIAL: an lwr that loads fewer than four bytes keeps the
// upper word of rt (cannon/mipsevm/exec/mips_instructions.go:393-405; Cannon
// v1.19.6's Go VM gives lwr at +5, rt = 0x1122334455667788, mem =
// 0x8899aabbccddeeff → 0x112233445566ccdd).
func TestQUIRK_LWR_PARTIAL(t *testing.T) {
	runLoads(t, []memRow{
		{"lwr +5", 0x26, 5, memWord, 0x1122_3344_5566_7788, 0x1122_3344_5566_CCDD},
		{"lwr +4 negative rt keeps upper", 0x26, 4, memWord, 0x8000_0000_0000_0000, 0x8000_0000_0000_00CC},
	})
}

// TestLOADSTORE_LdlLdr: ldl/ldr are the MIPS64 big-endian double-word
// partial loads.
func TestLOADSTORE_LdlLdr(t *testing.T) {
	const ldl, ldr = 0x1A, 0x1B
	runLoads(t, []memRow{
		{"ldl +0 whole word", ldl, 0, memWord, rtWord, memWord},
		{"ldl +3", ldl, 3, memWord, rtWord, 0xBBCC_DDEE_FFAB_CDEF},
		{"ldl +7", ldl, 7, memWord, rtWord, 0xFF23_4567_89AB_CDEF},
		{"ldr +7 whole word", ldr, 7, memWord, rtWord, memWord},
		{"ldr +0", ldr, 0, memWord, rtWord, 0x0123_4567_89AB_CD88},
		{"ldr +4", ldr, 4, memWord, rtWord, 0x0123_4588_99AA_BBCC},
	})
}

// TestLOADSTORE_Stores: sb/sh/sw/sd replace the aligned sub-word holding
// vaddr with the low bytes of rt; the rest of the word is kept.
func TestLOADSTORE_Stores(t *testing.T) {
	const sb, sh, sw, sd = 0x28, 0x29, 0x2B, 0x3F
	runStores(t, []memRow{
		{"sb +0", sb, 0, memWord, rtWord, 0xEF99_AABB_CCDD_EEFF},
		{"sb +7", sb, 7, memWord, rtWord, 0x8899_AABB_CCDD_EEEF},
		{"sh +2", sh, 2, memWord, rtWord, 0x8899_CDEF_CCDD_EEFF},
		{"sh +6", sh, 6, memWord, rtWord, 0x8899_AABB_CCDD_CDEF},
		{"sw +0", sw, 0, memWord, rtWord, 0x89AB_CDEF_CCDD_EEFF},
		{"sw +4", sw, 4, memWord, rtWord, 0x8899_AABB_89AB_CDEF},
		{"sd +0", sd, 0, memWord, rtWord, rtWord},
	})
}

// TestLOADSTORE_PartialStores: swl/swr inside the 4-byte word holding vaddr;
// sdl/sdr on the double word (MIPS big-endian SWL/SWR/SDL/SDR).
func TestLOADSTORE_PartialStores(t *testing.T) {
	const swl, swr, sdl, sdr = 0x2A, 0x2E, 0x2C, 0x2D
	runStores(t, []memRow{
		{"swl +0", swl, 0, memWord, rtWord, 0x89AB_CDEF_CCDD_EEFF},
		{"swl +1", swl, 1, memWord, rtWord, 0x8889_ABCD_CCDD_EEFF},
		{"swl +3", swl, 3, memWord, rtWord, 0x8899_AA89_CCDD_EEFF},
		{"swl +5", swl, 5, memWord, rtWord, 0x8899_AABB_CC89_ABCD},
		{"swr +0", swr, 0, memWord, rtWord, 0xEF99_AABB_CCDD_EEFF},
		{"swr +2", swr, 2, memWord, rtWord, 0xABCD_EFBB_CCDD_EEFF},
		{"swr +3", swr, 3, memWord, rtWord, 0x89AB_CDEF_CCDD_EEFF},
		{"swr +6", swr, 6, memWord, rtWord, 0x8899_AABB_ABCD_EFFF},
		{"sdl +0 whole word", sdl, 0, memWord, rtWord, rtWord},
		{"sdl +3", sdl, 3, memWord, rtWord, 0x8899_AA01_2345_6789},
		{"sdl +7", sdl, 7, memWord, rtWord, 0x8899_AABB_CCDD_EE01},
		{"sdr +7 whole word", sdr, 7, memWord, rtWord, rtWord},
		{"sdr +0", sdr, 0, memWord, rtWord, 0xEF99_AABB_CCDD_EEFF},
		{"sdr +4", sdr, 4, memWord, rtWord, 0x6789_ABCD_EFDD_EEFF},
	})
}

// TestLOADSTORE_StoreTouchesOneWord: a store changes only its own word; the
// neighbours keep their values.
func TestLOADSTORE_StoreTouchesOneWord(t *testing.T) {
	pre := newPre(t, encI(0x3F, 4, 5, 0), regs{4: dataAddr, 5: rtWord}) // sd r5, 0(r4)
	pre = setWord(t, pre, dataAddr-8, 0x1111)
	pre = setWord(t, pre, dataAddr+8, 0x2222)
	got := mustStep(t, pre, transition.Data{})
	assertWord(t, got, dataAddr-8, 0x1111)
	assertWord(t, got, dataAddr, rtWord)
	assertWord(t, got, dataAddr+8, 0x2222)
}
