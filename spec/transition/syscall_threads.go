package transition

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// Thread, exit and scheduling syscalls: clone, exit, exit_group, futex,
// sched_yield, nanosleep. Cannon: multithreaded/mips.go:35-128, 264-269.

// CloneFlags is the only flag set clone accepts: CLONE_VM | CLONE_FS |
// CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM | CLONE_THREAD.
const CloneFlags = 0x50F00

// ExitCodeClonePanic is the exit code of a VM whose guest called clone with
// other flags: the VM exits with the panic status (SYS-CLONE-FLAGS).
const ExitCodeClonePanic = 2

// Futex operations Cannon implements (private futexes only).
const (
	FutexWaitPrivate = 128
	FutexWakePrivate = 129
)

// sysClone creates a thread. The child copies the parent's registers and
// HI/LO as they were before the syscall, with id = NextThreadID, PC = the
// parent's nextPC, sp (r29) = a1, r2 = r7 = 0. The parent returns the child's
// id. The child is pushed on the active stack and runs next. Other flags end
// the VM with exit code 2 and leave the thread as it was.
func (m *machine) sysClone(a sysArgs) error {
	if a.a0 != CloneFlags {
		m.s.Exited, m.s.ExitCode = true, ExitCodeClonePanic
		return nil
	}
	child := state.Thread{ID: m.s.NextThreadID, CPU: m.t.CPU}
	child.CPU.PC, child.CPU.NextPC = m.t.CPU.NextPC, m.t.CPU.NextPC+4
	child.CPU.Regs[29], child.CPU.Regs[2], child.CPU.Regs[7] = a.a1, 0, 0
	m.s.NextThreadID++
	if err := m.returnValue(child.ID); err != nil {
		return err
	}
	if err := m.commitThread(); err != nil {
		return err
	}
	m.s = ApplyPushThread(m.s, child)
	return nil
}

// sysExit marks the current thread exited with code uint8(a0), without
// advancing. When it is the only thread, the VM exits with the same code.
func (m *machine) sysExit(a sysArgs) error {
	m.t.Exited, m.t.ExitCode = true, uint8(a.a0)
	if IsLastThreadRemaining(m.s) {
		m.s.Exited, m.s.ExitCode = true, uint8(a.a0)
	}
	return nil
}

// sysExitGroup exits the VM with code uint8(a0); threads are untouched.
func (m *machine) sysExitGroup(a sysArgs) error {
	m.s.Exited, m.s.ExitCode = true, uint8(a.a0)
	return nil
}

// sysYield returns 0 and then preempts the current thread (sched_yield,
// nanosleep; the rem pointer is not written).
func (m *machine) sysYield(sysArgs) error {
	if err := m.returnValue(0); err != nil {
		return err
	}
	s, err := ApplyPreempt(m.s, m.t)
	if err != nil {
		return err
	}
	m.s, m.detached = s, true
	return nil
}

// sysFutex implements FUTEX_WAIT_PRIVATE and FUTEX_WAKE_PRIVATE on the
// 32-bit value at a0 & ^3. WAIT returns EAGAIN when the value differs from
// uint32(a2), else yields; WAKE yields. Other ops return EINVAL; the timeout
// is ignored (SYS-FUTEX).
func (m *machine) sysFutex(a sysArgs) error {
	addr := a.a0 &^ 3
	switch a.a1 {
	case FutexWaitPrivate:
		mem, err := m.readWord(addr)
		if err != nil {
			return err
		}
		if uint32(selectSubWord(addr, mem, 4, false)) != uint32(a.a2) {
			return m.returnErrno(errors.EAGAIN)
		}
		return m.sysYield(a)
	case FutexWakePrivate:
		return m.sysYield(a)
	}
	return m.returnErrno(errors.EINVAL)
}
