package transition

import "github.com/opcity-spec/opcity/spec/state"

// Output describes the bytes a write syscall to stdout, stderr or the hint
// fd is about to emit. Those bytes change no state, so Step ignores them;
// runners that show program output call PendingOutput before each step and
// read [Addr, Addr+N) from the pre-state's memory.
type Output struct {
	Fd   uint64
	Addr uint64
	N    uint64
}

// PendingOutput reports whether the next Step of s executes write(fd, addr,
// n) with fd 1, 2 or 4, and returns its arguments. It is a pure function of s
// and mirrors Step's order: an exited VM or thread, a full quantum or an
// unaligned PC execute no instruction.
func PendingOutput(s state.State) (Output, bool) {
	if s.Exited || s.StepsSinceLastContextSwitch >= SchedQuantum {
		return Output{}, false
	}
	t, err := s.CurrentThread()
	if err != nil || t.Exited || t.CPU.PC&3 != 0 {
		return Output{}, false
	}
	w, err := s.Memory.Word(t.CPU.PC &^ 7)
	if err != nil {
		return Output{}, false
	}
	if t.CPU.PC&4 == 0 {
		w >>= 32
	}
	in := Decode(uint32(w))
	regs := t.CPU.Regs
	if in.Opcode != opSPECIAL || in.Funct != fnSYSCALL || regs[2] != SysWrite {
		return Output{}, false
	}
	switch regs[4] {
	case FdStdout, FdStderr, FdHintWrite:
		return Output{Fd: regs[4], Addr: regs[5], N: regs[6]}, true
	}
	return Output{}, false
}
