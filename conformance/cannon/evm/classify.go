package evm

import (
	"encoding/binary"
	"fmt"

	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

// Class is what a step does, read from its pre-state and proof alone: the
// instruction family (vectors.Family: alu, branch, muldiv, loadstore, llsc,
// syscall), or "scheduler" for a step that runs no instruction (preempt,
// pop an exited thread), or "exited" for an exited VM; Name is the
// mnemonic, the syscall (number and name), or the scheduler action.
type Class struct{ Family, Name string }

func (c Class) String() string { return c.Family + "/" + c.Name }

// syscallNames names the syscalls MIPS64.sol implements beyond the no-ops.
var syscallNames = map[uint64]string{
	transition.SysRead: "read", transition.SysWrite: "write", transition.SysOpen: "open",
	transition.SysMmap: "mmap", transition.SysBrk: "brk", transition.SysSchedYield: "sched_yield",
	transition.SysNanosleep: "nanosleep", transition.SysGetpid: "getpid", transition.SysClone: "clone",
	transition.SysExit: "exit", transition.SysFcntl: "fcntl", transition.SysGetTID: "gettid",
	transition.SysFutex: "futex", transition.SysExitGroup: "exit_group",
	transition.SysClockGetTime: "clock_gettime", transition.SysEventFd2: "eventfd2",
	transition.SysGetRandom: "getrandom",
}

// ClassOf classifies the step from stateData (188 bytes) and proof (the
// thread witness, then the fetch proof of slot 0). It returns
// Class{"undecodable", ...} when the bytes do not decode.
func ClassOf(stateData, proof []byte) Class {
	w, err := state.DecodeWitness(stateData)
	if err != nil {
		return Class{"undecodable", "state"}
	}
	if w.Exited {
		return Class{"exited", "exited"}
	}
	if len(proof) < state.ThreadWitnessSize+32 {
		return Class{"undecodable", "proof"}
	}
	t, err := state.DecodeThread(proof[:state.ThreadSize])
	switch {
	case err != nil:
		return Class{"undecodable", "thread"}
	case t.Exited:
		return Class{"scheduler", "pop-exited-thread"}
	case w.StepsSinceLastContextSwitch >= transition.SchedQuantum:
		return Class{"scheduler", "preempt"}
	case t.CPU.PC&3 != 0:
		return Class{"fault", "unaligned-pc"}
	}
	leaf := proof[state.ThreadWitnessSize : state.ThreadWitnessSize+32]
	word := binary.BigEndian.Uint64(leaf[t.CPU.PC&24:])
	insn := uint32(word >> 32)
	if t.CPU.PC&4 != 0 {
		insn = uint32(word)
	}
	return classOfInstruction(insn, t.CPU.Regs[2])
}

// classOfInstruction classifies instruction word insn; v0 is register 2,
// the syscall number.
func classOfInstruction(insn uint32, v0 uint64) Class {
	op := insn >> 26
	sel := uint32(0)
	switch op {
	case 0, 0x1C:
		sel = insn & 0x3F
	case 1:
		sel = (insn >> 16) & 0x1F
	}
	family := vectors.Family([2]uint32{op, sel})
	if family == "syscall" {
		return Class{family, syscallName(v0)}
	}
	name := transition.MnemonicOf(insn)
	if name == "" {
		name = fmt.Sprintf("unknown-0x%08x", insn)
	}
	return Class{family, name}
}

func syscallName(num uint64) string {
	if name, ok := syscallNames[num]; ok {
		return fmt.Sprintf("%d %s", num, name)
	}
	if name, ok := transition.IsNoopSyscall(num); ok {
		return fmt.Sprintf("%d %s (no-op)", num, name)
	}
	return fmt.Sprintf("%d unknown", num)
}

// NextSyscall returns the syscall number (v0) and first argument (a0) of
// the syscall the next step of s executes; ok is false when that step runs
// no syscall (another instruction, a scheduler step, an exited VM).
func NextSyscall(s state.State) (num, a0 uint64, ok bool) {
	t, err := s.CurrentThread()
	if err != nil || s.Exited || t.Exited || s.StepsSinceLastContextSwitch >= transition.SchedQuantum || t.CPU.PC&3 != 0 {
		return 0, 0, false
	}
	w, err := s.Memory.Word(t.CPU.PC &^ 7)
	if err != nil {
		return 0, 0, false
	}
	insn := uint32(w >> 32)
	if t.CPU.PC&4 != 0 {
		insn = uint32(w)
	}
	if insn>>26 != 0 || insn&0x3F != 0x0C {
		return 0, 0, false
	}
	return t.CPU.Regs[2], t.CPU.Regs[4], true
}

// IsOracleSyscall reports whether the next step of s reads from the
// preimage oracle (read on fd 5) or writes a key to it (write on fd 6).
func IsOracleSyscall(s state.State) bool {
	num, a0, ok := NextSyscall(s)
	return ok && (num == transition.SysRead && a0 == 5 || num == transition.SysWrite && a0 == 6)
}
