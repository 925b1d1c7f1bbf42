package transition

import "github.com/opcity-spec/opcity/spec/state"

// Load-linked and store-conditional: ll (0x30), lld (0x34), sc (0x38),
// scd (0x3C). Cannon: multithreaded/mips.go:376-425 (handleRMWOps).
//
// One reservation exists per VM: (status, exact vaddr, owner thread). ll/lld
// replace it. sc/scd succeed only when the status matches their width, the
// owner is the current thread and the address equals vaddr exactly; success
// clears the reservation, stores and sets rt = 1; failure stores nothing,
// sets rt = 0 and keeps the reservation (LLSC-EXCLUSIVE). Any memory write to
// the word holding the reserved address clears it (MEM-LL-INVALIDATE).

// execLLSC executes one of the four LL/SC opcodes.
func (m *machine) execLLSC(in Instr) error {
	vaddr := m.reg(in.Rs) + in.SImm()
	status, size := state.LLWord, uint64(4)
	if in.Opcode == opLLD || in.Opcode == opSCD {
		status, size = state.LLDword, 8
	}
	if in.Opcode == opLL || in.Opcode == opLLD {
		return m.execLoadLinked(in, vaddr, status, size)
	}
	return m.execStoreConditional(in, vaddr, status, size)
}

// execLoadLinked loads the sign-extended size-byte sub-word at vaddr into rt
// and takes the reservation.
func (m *machine) execLoadLinked(in Instr, vaddr uint64, status uint8, size uint64) error {
	mem, err := m.readWord(vaddr)
	if err != nil {
		return err
	}
	m.s.LLReservationStatus, m.s.LLAddress, m.s.LLOwnerThread = status, vaddr, m.t.ID
	return m.writeRegAndAdvance(in.Rt, selectSubWord(vaddr, mem, size, true))
}

// execStoreConditional stores rt when the reservation matches and reports
// the outcome in rt. A failed attempt touches no memory.
func (m *machine) execStoreConditional(in Instr, vaddr uint64, status uint8, size uint64) error {
	ok := m.s.LLReservationStatus == status && m.s.LLOwnerThread == m.t.ID && m.s.LLAddress == vaddr
	if !ok {
		return m.writeRegAndAdvance(in.Rt, 0)
	}
	m.clearReservation()
	mem, err := m.readWord(vaddr)
	if err != nil {
		return err
	}
	if err := m.writeWord(vaddr, updateSubWord(vaddr, mem, size, m.reg(in.Rt))); err != nil {
		return err
	}
	return m.writeRegAndAdvance(in.Rt, 1)
}
