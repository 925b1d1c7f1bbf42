package cannon

import (
	"github.com/opcity-spec/opcity/conformance/cannon/internal/stategen"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Registers the hand-assembled programs use.
const (
	regV0 = 2
	regA0 = 4
	regA1 = 5
	regA2 = 6
)

// The instructions the hand-assembled programs use (MIPS64 encodings).
func asmLUI(rt, imm uint32) uint32     { return 0x0F<<26 | rt<<16 | imm&0xFFFF }
func asmORI(rt, rs, imm uint32) uint32 { return 0x0D<<26 | rs<<21 | rt<<16 | imm&0xFFFF }
func asmDADDU(rd, rs, rt uint32) uint32 {
	return rs<<21 | rt<<16 | rd<<11 | 0x2D
}

const asmSYSCALL = 0x0000000C

// asmSyscall is the two instructions of a syscall: v0 = num, then syscall.
func asmSyscall(num uint64) []uint32 { return []uint32{asmORI(regV0, 0, uint32(num)), asmSYSCALL} }

// asmExit is exit_group(0).
func asmExit() []uint32 {
	return append([]uint32{asmORI(regA0, 0, 0)}, asmSyscall(transition.SysExitGroup)...)
}

// asmState returns the empty state with code at pc and thread 0 about to
// run it.
func asmState(pc uint64, code []uint32) state.State {
	mem := memory.Memory{}
	for i, w := range code {
		mem = stategen.PlaceInstruction(mem, pc+4*uint64(i), w)
	}
	s := state.NewInitial(pc, transition.HeapStart)
	s.Memory = mem
	return s
}
