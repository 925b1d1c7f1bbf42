package program

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// StackTop is the initial stack pointer (Cannon: arch.HighMemoryStart).
const StackTop = 0x0000_7FFF_FFFF_F000

// PatchStack returns s with the initial stack Cannon's PatchStack lays out
// for the current thread: sp = StackTop, and at sp (64-bit big-endian words)
//
//	sp+0   argc = 1                sp+40  AT_PAGESZ (6)
//	sp+8   argv[0] = sp+0x80       sp+48  4096
//	sp+16  0                       sp+56  AT_RANDOM (25)
//	sp+24  envp[0] = sp+0x60       sp+64  sp+0x50
//	sp+32  0                       sp+72  AT_NULL (0)
//	sp+0x50  "4;byfairdiceroll"                      (16 bytes)
//	sp+0x60  "GODEBUG=memprofilerate=0\0", zero padded to 32 bytes
//	sp+0x80  "op-program\0", zero padded to 16 bytes
//
// The 20 KiB [sp-16 KiB, sp+4 KiB) are written with zeros first; that does
// not change the root. Requirement PROG-STACK.
func PatchStack(s state.State) state.State {
	mem := s.Memory.(memory.Memory)
	mem = mem.SetBytes(StackTop-4*4096, make([]byte, 5*4096))
	mem = mem.SetBytes(StackTop+0x50, []byte("4;byfairdiceroll"))
	mem = mem.SetBytes(StackTop+0x60, padded("GODEBUG=memprofilerate=0\x00", 32))
	mem = mem.SetBytes(StackTop+0x80, padded("op-program\x00", 16))
	words := []uint64{1, StackTop + 0x80, 0, StackTop + 0x60, 0, 6, 4096, 25, StackTop + 0x50, 0}
	for i, w := range words {
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], w)
		mem = mem.SetBytes(StackTop+8*uint64(i), b[:])
	}
	s.Memory = mem
	t, err := s.CurrentThread()
	if err != nil {
		return s
	}
	t.CPU.Regs[29] = StackTop
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

func padded(str string, n int) []byte {
	b := make([]byte, n)
	copy(b, str)
	return b
}
