package transition

import (
	"math/bits"

	"github.com/opcity-spec/opcity/spec/errors"
)

// The HI/LO group: SPECIAL functs 0x10-0x13 and 0x18-0x1F.
// Cannon: exec/mips_instructions.go:539-629 (HandleHiLo).
//
// QUIRK-HILO-RD: every instruction of the group writes a value to rd when
// the rd field is nonzero. That value is HI for mfhi, LO for mflo and 0 for
// all others, so a nonzero rd on mthi, mtlo, mult, div, ... zeroes rd.

// hiLo is the HI/LO pair an instruction of the group reads and writes.
type hiLo struct{ hi, lo uint64 }

// hiLoOp maps (HI/LO, rs, rt) to the new HI/LO and the value written to a
// nonzero rd; ok is false for a zero divisor (ERR-DIV-ZERO).
type hiLoOp struct {
	name string
	fn   func(r hiLo, rs, rt uint64) (out hiLo, rd uint64, ok bool)
}

var hiLoOps = [64]hiLoOp{
	0x10: {"mfhi", execMFHI},
	0x11: {"mthi", execMTHI},
	0x12: {"mflo", execMFLO},
	0x13: {"mtlo", execMTLO},
	0x18: {"mult", execMULT},
	0x19: {"multu", execMULTU},
	0x1A: {"div", execDIV},
	0x1B: {"divu", execDIVU},
	0x1C: {"dmult", execDMULT},
	0x1D: {"dmultu", execDMULTU},
	0x1E: {"ddiv", execDDIV},
	0x1F: {"ddivu", execDDIVU},
}

// execHiLo runs one HI/LO instruction, then writes its value to rd (if
// nonzero) and advances.
func (m *machine) execHiLo(in Instr, op hiLoOp) error {
	cpu := m.cpu()
	out, rd, ok := op.fn(hiLo{cpu.HI, cpu.LO}, m.reg(in.Rs), m.reg(in.Rt))
	if !ok {
		return errors.New(errors.CodeDivideByZero, "%s %s", op.name, in)
	}
	cpu.HI, cpu.LO = out.hi, out.lo
	return m.writeRegAndAdvance(in.Rd, rd)
}

func execMFHI(r hiLo, _, _ uint64) (hiLo, uint64, bool)  { return r, r.hi, true }
func execMFLO(r hiLo, _, _ uint64) (hiLo, uint64, bool)  { return r, r.lo, true }
func execMTHI(r hiLo, rs, _ uint64) (hiLo, uint64, bool) { return hiLo{rs, r.lo}, 0, true }
func execMTLO(r hiLo, rs, _ uint64) (hiLo, uint64, bool) { return hiLo{r.hi, rs}, 0, true }

// execMULT: the 64-bit product of the signed low words; HI and LO each get a
// sign-extended half.
func execMULT(_ hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	return split32(uint64(int64(int32(uint32(rs))) * int64(int32(uint32(rt))))), 0, true
}

// execMULTU: as mult with unsigned low words; HI and LO are still
// sign-extended from bit 31.
func execMULTU(_ hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	return split32(uint64(uint32(rs)) * uint64(uint32(rt))), 0, true
}

func split32(acc uint64) hiLo { return hiLo{sext32(acc >> 32), sext32(acc)} }

// execDIV divides the signed low words, truncating; the remainder takes the
// dividend's sign. Only the low 32 bits of rt are tested for zero
// (QUIRK-DIV-LOW32). INT32_MIN / -1 gives LO = INT32_MIN, HI = 0 (Go's
// division wraps the same way).
func execDIV(r hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	if uint32(rt) == 0 {
		return r, 0, false
	}
	n, d := int32(uint32(rs)), int32(uint32(rt))
	return hiLo{sext32(uint64(uint32(n % d))), sext32(uint64(uint32(n / d)))}, 0, true
}

// execDIVU divides the unsigned low words; results are sign-extended from bit 31.
func execDIVU(r hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	if uint32(rt) == 0 {
		return r, 0, false
	}
	n, d := uint32(rs), uint32(rt)
	return hiLo{sext32(uint64(n % d)), sext32(uint64(n / d))}, 0, true
}

// execDMULT: the signed 128-bit product; HI the upper, LO the lower 64 bits.
func execDMULT(_ hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	hi, lo := bits.Mul64(rs, rt)
	// Signed correction of the unsigned product (Hacker's Delight 8-3).
	if int64(rs) < 0 {
		hi -= rt
	}
	if int64(rt) < 0 {
		hi -= rs
	}
	return hiLo{hi, lo}, 0, true
}

// execDMULTU: the unsigned 128-bit product.
func execDMULTU(_ hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	hi, lo := bits.Mul64(rs, rt)
	return hiLo{hi, lo}, 0, true
}

// execDDIV: signed 64-bit division; rt == 0 fails. INT64_MIN / -1 gives
// LO = INT64_MIN, HI = 0.
func execDDIV(r hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	if rt == 0 {
		return r, 0, false
	}
	n, d := int64(rs), int64(rt)
	return hiLo{uint64(n % d), uint64(n / d)}, 0, true
}

// execDDIVU: unsigned 64-bit division; rt == 0 fails.
func execDDIVU(r hiLo, rs, rt uint64) (hiLo, uint64, bool) {
	if rt == 0 {
		return r, 0, false
	}
	return hiLo{rs % rt, rs / rt}, 0, true
}
