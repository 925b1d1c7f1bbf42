package properties

import (
	"encoding/binary"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/vectors"
)

// Code and data addresses of generated programs.
const (
	CodeBase = 0x10000
	DataBase = 0x20000
)

// Instruction draws an instruction word: usually a supported instruction
// with small register numbers (so operands alias) and edge immediates,
// sometimes any 32-bit word.
func Instruction() *rapid.Generator[uint32] { return InstructionOf(vectors.Encodings(), true) }

// InstructionOf draws an instruction of one of the encodings; with anyWord,
// one draw in ten is any 32-bit word instead.
func InstructionOf(encs [][2]uint32, anyWord bool) *rapid.Generator[uint32] {
	return rapid.Custom(func(t *rapid.T) uint32 {
		if anyWord && rapid.IntRange(0, 9).Draw(t, "anyWord") == 0 {
			return rapid.Uint32().Draw(t, "word")
		}
		e := rapid.SampledFrom(encs).Draw(t, "encoding")
		reg := rapid.Uint32Range(0, 9)
		rs, rt, rd := reg.Draw(t, "rs"), reg.Draw(t, "rt"), reg.Draw(t, "rd")
		sa := rapid.Uint32Range(0, 31).Draw(t, "shamt")
		imm := rapid.SampledFrom([]uint32{0, 1, 4, 8, 0x10, 0x7FFF, 0x8000, 0xFFFF, 0xFFF8}).Draw(t, "imm")
		switch e[0] {
		case 0, 0x1C:
			return e[0]<<26 | rs<<21 | rt<<16 | rd<<11 | sa<<6 | e[1]
		case 1:
			return 1<<26 | rs<<21 | e[1]<<16 | imm&0xF
		case 2, 3:
			return e[0]<<26 | (CodeBase >> 2) + rapid.Uint32Range(0, 16).Draw(t, "target")
		case 4, 5, 6, 7:
			return e[0]<<26 | rs<<21 | rt<<16 | rapid.Uint32Range(0, 8).Draw(t, "offset")
		}
		return e[0]<<26 | rs<<21 | rt<<16 | imm
	})
}

// Word draws a register or memory value: edge values, sign-extended words,
// data pointers, or anything.
func Word() *rapid.Generator[uint64] {
	return rapid.OneOf(
		rapid.SampledFrom([]uint64{0, 1, 2, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
			0xFFFF_FFFF_8000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ^uint64(0)}),
		rapid.Map(rapid.Uint64Range(0, 0x100), func(o uint64) uint64 { return DataBase + o }),
		rapid.Map(rapid.Int32(), func(v int32) uint64 { return uint64(int64(v)) }),
		rapid.Uint64(),
	)
}

// ProgramState draws a state whose current thread runs a short random
// program at CodeBase, with registers pointing into a random data area at
// DataBase, an optional LL reservation, optional extra threads, and a
// context-switch counter that sometimes sits at the quantum boundary.
func ProgramState() *rapid.Generator[state.State] { return ProgramStateOf(Instruction()) }

// ProgramStateOf is ProgramState with the program drawn from insn.
func ProgramStateOf(insn *rapid.Generator[uint32]) *rapid.Generator[state.State] {
	return rapid.Custom(func(t *rapid.T) state.State {
		prog := rapid.SliceOfN(insn, 1, 16).Draw(t, "program")
		mem := memory.Memory{}
		for i, w := range prog {
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], w)
			mem = mem.SetBytes(CodeBase+4*uint64(i), b[:])
		}
		for i := range uint64(40) {
			mem, _ = mem.SetWord(DataBase+8*i, Word().Draw(t, "data"))
		}
		th := state.Thread{ID: rapid.Uint64Range(0, 3).Draw(t, "tid")}
		th.CPU.PC, th.CPU.NextPC = CodeBase, CodeBase+4
		for i := 1; i < 32; i++ {
			th.CPU.Regs[i] = Word().Draw(t, "reg")
		}
		th.CPU.Regs[2] = rapid.SampledFrom([]uint64{th.CPU.Regs[2], 5009, 5012, 5178, 5222, 5313, 5023, 5001}).Draw(t, "v0")
		th.CPU.HI, th.CPU.LO = Word().Draw(t, "hi"), Word().Draw(t, "lo")
		s := state.NewEmpty()
		s.Memory = mem
		s.Heap = 0x1000_0000_0000
		s.Step = rapid.Uint64Range(0, 1<<40).Draw(t, "step")
		s.StepsSinceLastContextSwitch = rapid.SampledFrom([]uint64{0, 7, 99_998, 99_999, 100_000}).Draw(t, "ssc")
		if rapid.Bool().Draw(t, "reservation") {
			s.LLReservationStatus = rapid.Uint8Range(1, 2).Draw(t, "llStatus")
			s.LLAddress = DataBase + rapid.Uint64Range(0, 0x140).Draw(t, "llAddr")
			s.LLOwnerThread = th.ID
		}
		others := rapid.SliceOfN(rapid.Uint64Range(10, 20), 0, 3).Draw(t, "others")
		var left []state.Thread
		for _, id := range others {
			o := state.Thread{ID: id}
			o.CPU.PC, o.CPU.NextPC = CodeBase, CodeBase+4
			left = append(left, o)
		}
		s.LeftThreads = state.NewThreadStack(append(left, th)...)
		s.NextThreadID = 21
		return s
	})
}

// Syscall families: the numbers each syscall fuzz target draws from.
var SyscallFamilies = map[string][]uint64{
	"io":      {5000, 5001, 5002, 5070, 5284},
	"memory":  {5009, 5012, 5313, 5222, 5010, 5011},
	"threads": {5055, 5058, 5205, 5194, 5023, 5034, 5178, 5038},
}

// SyscallState draws a state whose first instruction is a syscall from nums
// with arguments that reach its branches (fds, flags, ops, sizes).
func SyscallState(nums []uint64) *rapid.Generator[state.State] {
	return rapid.Custom(func(t *rapid.T) state.State {
		s := ProgramStateOf(InstructionOf([][2]uint32{{0, 0x0C}}, false)).Draw(t, "pre")
		th, _ := s.CurrentThread()
		th.CPU.Regs[2] = rapid.SampledFrom(nums).Draw(t, "syscall")
		th.CPU.Regs[4] = rapid.OneOf(rapid.Uint64Range(0, 8), rapid.SampledFrom([]uint64{100, 0x50F00, 0x50F01}), Word()).Draw(t, "a0")
		th.CPU.Regs[5] = rapid.OneOf(rapid.Uint64Range(0, 4), rapid.SampledFrom([]uint64{128, 129, 0x80, 0x1001}), Word()).Draw(t, "a1")
		th.CPU.Regs[6] = rapid.OneOf(rapid.Uint64Range(0, 16), Word()).Draw(t, "a2")
		active, _ := s.ActiveStack().ReplaceTop(th)
		return s.WithStacks(active, s.InactiveStack())
	})
}

// CheckStepLaws checks, for one pre-state, the laws every step obeys:
// INV-TOTAL, INV-DETERMINISM, INV-PURE, INV-FRAME, INV-R0, INV-STEP-COUNTER
// and VER-COMPLETE (stateless = stateful).
func CheckStepLaws(pre state.State, d spec.Data) error {
	if err := CheckStepTotal(pre, d); err != nil {
		return err
	}
	post, err := spec.Step(pre, d)
	if err == nil {
		for _, check := range []func() error{
			func() error { return CheckFrame(pre, post) },
			func() error { return CheckR0(post) },
			func() error { return CheckStepCounter(pre, post) },
		} {
			if err := check(); err != nil {
				return err
			}
		}
	}
	return CheckVerifyComplete(pre, d)
}
