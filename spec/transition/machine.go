package transition

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// machine is the working copy of one step. It owns s (a copy of the
// pre-state) and t, the current thread, which is taken off the active stack
// and written back by commitThread. Nothing outside the step ever sees a
// machine, so Step stays a pure function of its arguments.
type machine struct {
	p        Profile
	s        state.State
	t        state.Thread
	d        Data
	detached bool // the thread was already written back by a stack operation
}

// cpu returns the current thread's CPU for in-place update.
func (m *machine) cpu() *state.CPU { return &m.t.CPU }

// reg returns general-purpose register r.
func (m *machine) reg(r uint32) uint64 { return m.t.CPU.Regs[r&31] }

// setReg writes v to register r; writes to r0 are dropped (INV-R0).
func (m *machine) setReg(r uint32, v uint64) {
	if r&31 != 0 {
		m.t.CPU.Regs[r&31] = v
	}
}

// advance moves to the next instruction: PC = nextPC, nextPC += 4.
func (m *machine) advance() {
	m.t.CPU.PC = m.t.CPU.NextPC
	m.t.CPU.NextPC += 4
}

// writeRegAndAdvance is the common tail of an instruction with a register
// result (Cannon's HandleRd): write v to r unless r is 0, then advance.
func (m *machine) writeRegAndAdvance(r uint32, v uint64) error {
	m.setReg(r, v)
	m.advance()
	return nil
}

// isInDelaySlot reports whether the current instruction sits in a delay
// slot: nextPC != PC + 4 (REQ INV-DELAY-SLOT).
func (m *machine) isInDelaySlot() bool {
	return m.t.CPU.NextPC != m.t.CPU.PC+4
}

// readWord returns the word at addr & ^7.
func (m *machine) readWord(addr uint64) (uint64, error) {
	return m.s.Memory.Word(addr &^ 7)
}

// writeWord stores v at addr & ^7 and then invalidates a matching LL
// reservation (Cannon's handleMemoryUpdate, mips.go:361-367): if the word is
// the one holding LLAddress, all three reservation fields are cleared,
// whichever thread wrote and whatever the status (MEM-LL-INVALIDATE).
func (m *machine) writeWord(addr, v uint64) error {
	eff := addr &^ 7
	mem, err := m.s.Memory.WithWord(eff, v)
	if err != nil {
		return err
	}
	m.s.Memory = mem
	if eff == m.s.LLAddress&^7 {
		m.clearReservation()
	}
	return nil
}

// clearReservation zeroes the LL reservation fields.
func (m *machine) clearReservation() {
	m.s.LLReservationStatus, m.s.LLAddress, m.s.LLOwnerThread = state.LLNone, 0, 0
}

// commitThread writes the current thread back to the top of the active stack.
func (m *machine) commitThread() error {
	if m.detached {
		return nil
	}
	active, err := m.s.ActiveStack().ReplaceTop(m.t)
	if err != nil {
		return err
	}
	m.s = m.s.WithStacks(active, m.s.InactiveStack())
	m.detached = true
	return nil
}

func invalidInstruction(in Instr) error {
	return errors.New(errors.CodeInvalidInstruction, "%s", in)
}
