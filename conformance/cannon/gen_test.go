package cannon

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// form says how a template fills the fields its opcode does not fix.
type form int

const (
	formR      form = iota // SPECIAL / SPECIAL2: funct fixed, rs rt rd shamt random
	formI                  // opcode fixed; rs rt imm random
	formRegimm             // opcode 1, rt fixed; rs imm random
	formJ                  // opcode fixed; target random
	formSyscall
)

// template is one instruction (or invalid encoding) under test.
type template struct {
	name   string
	form   form
	opcode uint32
	sel    uint32 // funct (formR) or rt (formRegimm)
}

func (t template) encode(r *rand.Rand) uint32 {
	rs, rt, rd, sa := r.Uint32N(32), r.Uint32N(32), r.Uint32N(32), r.Uint32N(32)
	if r.IntN(3) == 0 {
		rs, rt, rd, sa = r.Uint32N(8), r.Uint32N(8), r.Uint32N(8), edgeShift(r)
	}
	imm := uint32(edgeImm(r))
	switch t.form {
	case formR:
		return t.opcode<<26 | rs<<21 | rt<<16 | rd<<11 | sa<<6 | t.sel
	case formRegimm:
		return 1<<26 | rs<<21 | t.sel<<16 | imm
	case formJ:
		return t.opcode<<26 | r.Uint32()&0x03FF_FFFF
	case formSyscall:
		return uint32(r.IntN(1<<20))<<6 | 0x0C
	}
	return t.opcode<<26 | rs<<21 | rt<<16 | imm
}

func edgeShift(r *rand.Rand) uint32 { return []uint32{0, 1, 16, 31}[r.IntN(4)] }

func edgeImm(r *rand.Rand) uint16 {
	if r.IntN(2) == 0 {
		return []uint16{0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7FFF, 0x8000, 0xFFFF, 0xFFF8, 0xFFFC, 0xFFFF - 3}[r.IntN(15)]
	}
	return uint16(r.Uint32())
}

var edgeWords = []uint64{
	0, 1, 2, 3, 4, 7, 8, 31, 32, 63, 64, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
	0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_8000_0000,
	0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE,
	0x0000_7FFF_FFFF_F000, 0x1000_0000_0000, 0xFFFF_FFFF_0000_0000, 0x1_FFFF_FFFF,
}

// edgeWord returns an edge value, a sign-extended 32-bit value or a random word.
func edgeWord(r *rand.Rand) uint64 {
	switch r.IntN(4) {
	case 0:
		return edgeWords[r.IntN(len(edgeWords))]
	case 1:
		return uint64(int64(int32(r.Uint32())))
	case 2:
		return uint64(r.Uint32())
	}
	return r.Uint64()
}

// edgeAddr returns an 8-aligned address at page, leaf or top-of-memory edges,
// or in a random 48-bit location.
func edgeAddr(r *rand.Rand) uint64 {
	switch r.IntN(5) {
	case 0:
		return []uint64{0, 8, 0xFF8, 0x1000, 0x1FE0, 0xFFFF_FFFF_FFFF_FFF8, 0x7FFF_FFFF_F000, 0x1000_0000_0000}[r.IntN(8)]
	case 1:
		return r.Uint64() &^ 7
	}
	return r.Uint64N(1<<48) &^ 7
}

// genState builds a random pre-state around the instruction word insn.
// It places data words near the address a memory instruction touches, an LL
// reservation near it, sometimes a delay slot, extra threads, an exited
// thread or a full quantum.
func genState(r *rand.Rand, insn uint32) state.State {
	s := state.NewEmpty()
	t := state.Thread{ID: r.Uint64N(4)}
	for i := 1; i < 32; i++ {
		t.CPU.Regs[i] = edgeWord(r)
	}
	t.CPU.HI, t.CPU.LO = edgeWord(r), edgeWord(r)
	t.CPU.PC = edgeAddr(r) | uint64(r.IntN(2))*4
	t.CPU.NextPC = t.CPU.PC + 4
	if r.IntN(7) == 0 {
		t.CPU.NextPC = edgeAddr(r) | uint64(r.IntN(2))*4
	}
	mem := memory.Memory{}
	in := transition.Decode(insn)
	vaddr := t.CPU.Regs[in.Rs] + in.SImm()
	for _, a := range []uint64{vaddr &^ 7, vaddr&^7 + 8, vaddr&^7 - 8, t.CPU.Regs[5] &^ 7, t.CPU.Regs[4] &^ 7} {
		mem, _ = mem.SetWord(a, edgeWord(r))
	}
	mem = placeInstruction(mem, t.CPU.PC, insn)
	s.Memory = mem
	s.Heap = []uint64{transition.HeapStart, transition.HeapEnd - 0x1000, transition.HeapEnd, r.Uint64()}[r.IntN(4)]
	s.Step = r.Uint64N(1 << 40)
	s.StepsSinceLastContextSwitch = []uint64{0, r.Uint64N(transition.SchedQuantum), transition.SchedQuantum - 1, transition.SchedQuantum}[r.IntN(4)]
	if r.IntN(3) == 0 {
		s.LLReservationStatus = uint8(r.IntN(3))
		s.LLAddress = []uint64{vaddr, vaddr ^ uint64(r.IntN(8)), vaddr + 8, t.CPU.Regs[5], r.Uint64()}[r.IntN(5)]
		s.LLOwnerThread = []uint64{t.ID, t.ID + 1}[r.IntN(2)]
	}
	s.NextThreadID = t.ID + 1 + r.Uint64N(3)
	return placeThreads(r, s, t)
}

// placeInstruction writes the 32-bit word insn at pc.
func placeInstruction(mem memory.Memory, pc uint64, insn uint32) memory.Memory {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], insn)
	return mem.SetBytes(pc, b[:])
}

// placeThreads puts t on top of a random active stack, with random others.
func placeThreads(r *rand.Rand, s state.State, t state.Thread) state.State {
	if r.IntN(25) == 0 {
		t.Exited, t.ExitCode = true, uint8(r.IntN(3))
	}
	var active, inactive []state.Thread
	if r.IntN(4) == 0 {
		for i := r.IntN(3); i > 0; i-- {
			o := state.Thread{ID: t.ID + 10 + uint64(i)}
			o.CPU.PC, o.CPU.NextPC = 0x4000, 0x4004
			o.CPU.Regs[2] = uint64(i)
			if r.IntN(2) == 0 {
				active = append(active, o)
			} else {
				inactive = append(inactive, o)
			}
		}
	}
	active = append(active, t)
	s.TraverseRight = r.IntN(2) == 0
	s = s.WithStacks(state.NewThreadStack(active...), state.NewThreadStack(inactive...))
	if r.IntN(50) == 0 {
		s.Exited, s.ExitCode = true, uint8(r.IntN(3))
	}
	return s
}
