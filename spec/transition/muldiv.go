package transition

import (
	"math/bits"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// The HI/LO group: SPECIAL functs 0x10-0x13 and 0x18-0x1F.
// Cannon: exec/mips_instructions.go:539-629 (HandleHiLo).
//
// QUIRK-HILO-RD: every instruction of the group writes a value to rd when
// the rd field is nonzero. That value is HI for mfhi, LO for mflo and 0 for
// all others, so a nonzero rd on mthi, mtlo, mult, div, ... zeroes rd.

// hiLoOp updates HI/LO and returns the value written to a nonzero rd.
type hiLoOp struct {
	name string
	fn   func(cpu *state.CPU, rs, rt uint64) (uint64, error)
}

var hiLoOps = map[uint32]hiLoOp{
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
	val, err := op.fn(m.cpu(), m.reg(in.Rs), m.reg(in.Rt))
	if err != nil {
		return errors.New(errors.CodeDivideByZero, "%s %s", op.name, in)
	}
	return m.writeRegAndAdvance(in.Rd, val)
}

func execMFHI(cpu *state.CPU, _, _ uint64) (uint64, error) { return cpu.HI, nil }
func execMFLO(cpu *state.CPU, _, _ uint64) (uint64, error) { return cpu.LO, nil }

func execMTHI(cpu *state.CPU, rs, _ uint64) (uint64, error) {
	cpu.HI = rs
	return 0, nil
}

func execMTLO(cpu *state.CPU, rs, _ uint64) (uint64, error) {
	cpu.LO = rs
	return 0, nil
}

// execMULT: the 64-bit product of the signed low words; HI and LO each get a
// sign-extended half.
func execMULT(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	setHiLo32(cpu, uint64(int64(int32(uint32(rs)))*int64(int32(uint32(rt)))))
	return 0, nil
}

// execMULTU: as mult with unsigned low words; HI and LO are still
// sign-extended from bit 31.
func execMULTU(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	setHiLo32(cpu, uint64(uint32(rs))*uint64(uint32(rt)))
	return 0, nil
}

func setHiLo32(cpu *state.CPU, acc uint64) {
	cpu.HI = sext32(acc >> 32)
	cpu.LO = sext32(acc)
}

// errDivZero is an internal marker; execHiLo turns it into CodeDivideByZero.
var errDivZero = errors.ErrDivideByZero

// execDIV divides the signed low words, truncating; the remainder takes the
// dividend's sign. Only the low 32 bits of rt are tested for zero
// (QUIRK-DIV-LOW32). INT32_MIN / -1 gives LO = INT32_MIN, HI = 0.
func execDIV(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	if uint32(rt) == 0 {
		return 0, errDivZero
	}
	n, d := int32(uint32(rs)), int32(uint32(rt))
	cpu.HI = sext32(uint64(uint32(n % d)))
	cpu.LO = sext32(uint64(uint32(n / d)))
	return 0, nil
}

// execDIVU divides the unsigned low words; results are sign-extended from bit 31.
func execDIVU(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	if uint32(rt) == 0 {
		return 0, errDivZero
	}
	n, d := uint32(rs), uint32(rt)
	cpu.HI = sext32(uint64(n % d))
	cpu.LO = sext32(uint64(n / d))
	return 0, nil
}

// execDMULT: the signed 128-bit product; HI the upper, LO the lower 64 bits.
func execDMULT(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	hi, lo := bits.Mul64(rs, rt)
	// Signed correction of the unsigned product (Hacker's Delight 8-3).
	if int64(rs) < 0 {
		hi -= rt
	}
	if int64(rt) < 0 {
		hi -= rs
	}
	cpu.HI, cpu.LO = hi, lo
	return 0, nil
}

// execDMULTU: the unsigned 128-bit product.
func execDMULTU(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	cpu.HI, cpu.LO = bits.Mul64(rs, rt)
	return 0, nil
}

// execDDIV: signed 64-bit division; rt == 0 fails. INT64_MIN / -1 gives
// LO = INT64_MIN, HI = 0.
func execDDIV(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	if rt == 0 {
		return 0, errDivZero
	}
	n, d := int64(rs), int64(rt)
	if d == -1 {
		cpu.HI, cpu.LO = 0, uint64(-n)
		return 0, nil
	}
	cpu.HI, cpu.LO = uint64(n%d), uint64(n/d)
	return 0, nil
}

// execDDIVU: unsigned 64-bit division; rt == 0 fails.
func execDDIVU(cpu *state.CPU, rs, rt uint64) (uint64, error) {
	if rt == 0 {
		return 0, errDivZero
	}
	cpu.HI, cpu.LO = rs%rt, rs/rt
	return 0, nil
}
