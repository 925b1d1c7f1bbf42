package cannon

import (
	"math/rand/v2"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/stategen"
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

// edgeWord returns a word drawn as the conformance tests draw them
// (stategen.Conformance.Word).
func edgeWord(r *rand.Rand) uint64 { return stategen.Conformance.Word(r) }

// genState builds a random pre-state around the instruction word insn
// (stategen.Conformance): data words near the address a memory instruction
// touches, an LL reservation near it, sometimes a delay slot, extra
// threads, an exited thread, a full quantum or a next thread ID at the top
// of its range.
func genState(r *rand.Rand, insn uint32) state.State {
	d := stategen.Conformance
	t := d.Thread(r)
	in := transition.Decode(insn)
	vaddr := t.CPU.Regs[in.Rs] + in.SImm()
	mem := d.DataWords(r, memory.Memory{}, vaddr, &t.CPU.Regs)
	s := state.NewEmpty()
	s.Memory = stategen.PlaceInstruction(mem, t.CPU.PC, insn)
	stategen.Scalars(r, &s, t, vaddr)
	s = d.Threads(r, s, t)
	d.EdgeNextThreadID(r, &s)
	return s
}
