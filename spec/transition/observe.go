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
	if err != nil || t.Exited || t.CPU.PC&3 != 0 || !isOutputWrite(t.CPU.Regs) {
		return Output{}, false // checked before the fetch: runners call this every step
	}
	w, err := s.Memory.Word(t.CPU.PC &^ 7)
	if err != nil {
		return Output{}, false
	}
	if t.CPU.PC&4 == 0 {
		w >>= 32
	}
	if in := Decode(uint32(w)); in.Opcode != opSPECIAL || in.Funct != fnSYSCALL {
		return Output{}, false
	}
	regs := t.CPU.Regs
	return Output{Fd: regs[4], Addr: regs[5], N: regs[6]}, true
}

// isOutputWrite reports whether the registers set up write(fd, ...) with fd
// 1, 2 or 4, should the instruction be a syscall.
func isOutputWrite(regs [32]uint64) bool {
	switch regs[4] {
	case FdStdout, FdStderr, FdHintWrite:
		return regs[2] == SysWrite
	}
	return false
}

// Effects is what the next step does outside the state commitment: the
// bytes a write to stdout (fd 1) or stderr (fd 2) emits, or, for the hint fd
// (4), the hint frames it completes and the new LastHint buffer. Cannon keeps
// LastHint in its off-chain state (exec/mips_syscalls.go:221-235); it is not
// part of the witness or the hash, so Step leaves it alone and runners apply
// it (spec.Run does). Requirement SYS-HINT.
type Effects struct {
	Fd       uint64
	Data     []byte   // the bytes written (fd 1, 2 or 4)
	Hints    [][]byte // complete hint frames, without their length prefixes (fd 4)
	LastHint []byte   // the partial frame left buffered (fd 4)
}

// PendingEffects returns the effects of the next Step of s and whether it
// has any. maxBytes caps how many bytes of one write are read (the VM's
// result never depends on them); memory that cannot be read (a witnessed
// back-end) yields no effects.
func PendingEffects(s state.State, maxBytes uint64) (Effects, bool) {
	o, ok := PendingOutput(s)
	if !ok {
		return Effects{}, false
	}
	data, err := readBytes(s.Memory, o.Addr, min(o.N, maxBytes))
	if err != nil {
		return Effects{}, false
	}
	e := Effects{Fd: o.Fd, Data: data}
	if o.Fd == FdHintWrite {
		e.Hints, e.LastHint = SplitHints(append(append([]byte(nil), s.LastHint...), data...))
	}
	return e, true
}

// SplitHints splits a hint buffer into complete frames (a 4-byte big-endian
// length, then that many bytes) and the partial frame that remains.
func SplitHints(buf []byte) (hints [][]byte, rest []byte) {
	for len(buf) >= 4 {
		n := uint64(buf[0])<<24 | uint64(buf[1])<<16 | uint64(buf[2])<<8 | uint64(buf[3])
		if n > uint64(len(buf)-4) {
			break
		}
		hints = append(hints, buf[4:4+n])
		buf = buf[4+n:]
	}
	return hints, append([]byte{}, buf...)
}

// readBytes reads n bytes at addr (any alignment, wrapping) word by word.
func readBytes(mem interface {
	Word(uint64) (uint64, error)
}, addr, n uint64) ([]byte, error) {
	out := make([]byte, 0, n)
	for i := uint64(0); i < n; {
		a := addr + i
		w, err := mem.Word(a &^ 7)
		if err != nil {
			return nil, err
		}
		for off := a & 7; off < 8 && i < n; off, i = off+1, i+1 {
			out = append(out, byte(w>>(56-8*off)))
		}
	}
	return out, nil
}
