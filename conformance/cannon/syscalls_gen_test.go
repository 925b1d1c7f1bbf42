package cannon

import (
	"math/rand/v2"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// syscallNumberOf returns the syscall number a syscall template tests; the
// template keeps it in sel, with ^0 stored as 0xFFFFFFFF.
func syscallNumberOf(t template) uint64 {
	if t.sel == 0xFFFF_FFFF {
		return ^uint64(0)
	}
	return uint64(t.sel)
}

// syscallNumbers are the syscall templates: every implemented number, some
// no-ops, and unknown numbers (o32, unlisted n64, 0, the undefined ^0).
var syscallNumbers = []uint64{
	transition.SysRead, transition.SysWrite, transition.SysOpen, transition.SysMmap, transition.SysBrk,
	transition.SysSchedYield, transition.SysNanosleep, transition.SysGetpid, transition.SysClone,
	transition.SysExit, transition.SysFcntl, transition.SysGetTID, transition.SysFutex,
	transition.SysExitGroup, transition.SysClockGetTime, transition.SysEventFd2, transition.SysGetRandom,
	5003, 5010, 5061, 5297, // noops
	4001, 5006, 5399, 0, ^uint64(0), // unknown
}

var fds = []uint64{0, 1, 2, 3, 4, 5, 6, 7, 100, 101}

// genSyscallArgs sets v0 and a0..a2 to a syscall and arguments that reach
// its branches: every fd, clone flags, futex ops, clock ids, sizes at the
// heap limit.
func genSyscallArgs(r *rand.Rand, s state.State, num uint64) state.State {
	t, err := s.CurrentThread()
	if err != nil {
		return s
	}
	regs := &t.CPU.Regs
	regs[2] = num
	regs[4], regs[5], regs[6] = edgeWord(r), edgeWord(r), uint64(r.IntN(40))
	switch regs[2] {
	case transition.SysRead, transition.SysWrite, transition.SysFcntl:
		regs[4] = fds[r.IntN(len(fds))]
		regs[5] = []uint64{regs[5], 1, 3, 4}[r.IntN(4)]
	case transition.SysMmap:
		regs[4] = []uint64{0, 0, regs[4]}[r.IntN(3)]
		regs[5] = []uint64{0, 1, 0x1000, 0x1001, transition.HeapEnd - s.Heap, ^uint64(0), ^uint64(0) - 0x1000, edgeWord(r)}[r.IntN(8)]
	case transition.SysClone:
		regs[4] = []uint64{transition.CloneFlags, transition.CloneFlags, transition.CloneFlags | 1, edgeWord(r)}[r.IntN(4)]
	case transition.SysFutex:
		regs[5] = []uint64{128, 129, 0, 1, 130}[r.IntN(5)]
		regs[6] = edgeWord(r)
	case transition.SysClockGetTime:
		regs[4] = uint64(r.IntN(3))
	case transition.SysEventFd2:
		regs[5] = []uint64{0x80, 0, 0x880, edgeWord(r)}[r.IntN(4)]
	case transition.SysGetRandom:
		regs[5] = []uint64{0, 1, 7, 8, 100, edgeWord(r)}[r.IntN(6)]
	}
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

// genOracle sets a preimage key the oracle can serve, with an offset that
// can reach the end of the stream, and returns the oracle.
func genOracle(r *rand.Rand, s *state.State) preimages {
	var key [32]byte
	for i := range key {
		key[i] = byte(r.Uint32())
	}
	value := make([]byte, r.IntN(80))
	for i := range value {
		value[i] = byte(r.Uint32())
	}
	key[0] = byte(r.IntN(3))
	if key[0] == 2 { // a keccak256 key must hash its value, or the verifier rejects it
		key = memory.Keccak256(value)
		key[0] = 2
	}
	s.PreimageKey = key
	s.PreimageOffset = r.Uint64N(uint64(len(value)) + 9)
	return preimages{key: value}
}
