package vectors

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Addresses of generated states.
const (
	codeAddr = 0x10000
	dataAddr = 0x20000
)

// perInstruction is how many random-state vectors each instruction gets.
const perInstruction = 3

var edgeWords = []uint64{0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000,
	0xFFFF_FFFF_8000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ^uint64(0)}

// builder makes deterministic pre-states; every choice comes from its PCG.
type builder struct{ r *rand.Rand }

func newBuilder(name string, i int) builder {
	var seed uint64 = 14695981039346656037
	for _, c := range []byte(fmt.Sprintf("%s/%d", name, i)) {
		seed = (seed ^ uint64(c)) * 1099511628211
	}
	return builder{rand.New(rand.NewPCG(seed, 0x0BC1))}
}

func (b builder) word() uint64 {
	switch b.r.IntN(3) {
	case 0:
		return edgeWords[b.r.IntN(len(edgeWords))]
	case 1:
		return dataAddr + b.r.Uint64N(0x40)
	}
	return b.r.Uint64()
}

// state returns a single-thread state running insn at codeAddr, registers
// mixing edge values and pointers into a data area of random words.
func (b builder) state(insn uint32) state.State {
	s := state.NewInitial(codeAddr, transition.HeapStart)
	t, _ := s.CurrentThread()
	for i := 1; i < 32; i++ {
		t.CPU.Regs[i] = b.word()
	}
	t.CPU.HI, t.CPU.LO = b.word(), b.word()
	mem := memory.Memory{}
	for a := uint64(dataAddr - 0x40); a < dataAddr+0x80; a += 8 {
		mem, _ = mem.SetWord(a, b.r.Uint64())
	}
	var w [4]byte
	binary.BigEndian.PutUint32(w[:], insn)
	s.Memory = mem.SetBytes(codeAddr, w[:])
	s.Step = b.r.Uint64N(1 << 32)
	s.StepsSinceLastContextSwitch = b.r.Uint64N(1000)
	if b.r.IntN(3) == 0 {
		s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = uint8(1+b.r.IntN(2)), t.CPU.Regs[4]+uint64(b.r.IntN(8)), 0
	}
	return withCurrent(s, t)
}

// withCurrent replaces the current thread of s.
func withCurrent(s state.State, t state.Thread) state.State {
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

// encode builds an instruction word for an (opcode, sel) pair with small
// random register fields and an edge immediate.
func (b builder) encode(e [2]uint32) uint32 {
	rs, rt, rd, sa := b.r.Uint32N(8), b.r.Uint32N(8), b.r.Uint32N(8), b.r.Uint32N(32)
	imm := []uint32{0, 4, 8, 0x7FFF, 0x8000, 0xFFF8}[b.r.IntN(6)]
	switch e[0] {
	case 0, 0x1C:
		return e[0]<<26 | rs<<21 | rt<<16 | rd<<11 | sa<<6 | e[1]
	case 1:
		return 1<<26 | rs<<21 | e[1]<<16 | 4
	case 2, 3:
		return e[0]<<26 | (codeAddr>>2 + 8)
	}
	return e[0]<<26 | rs<<21 | rt<<16 | imm
}

// instructionCases: every implemented instruction on random states, and
// invalid encodings.
func instructionCases() []Case {
	var out []Case
	for _, e := range Encodings() {
		if e[0] == 0 && e[1] == 0x0C {
			continue // syscalls have their own group
		}
		for i := 0; i < perInstruction; i++ {
			b := newBuilder(fmt.Sprintf("insn/%x/%x", e[0], e[1]), i)
			insn := b.encode(e)
			name := transition.MnemonicOf(insn)
			out = append(out, Case{Name: fmt.Sprintf("%s/%d", name, i), Group: "instructions",
				Description: fmt.Sprintf("%s (0x%08x) on a random state", name, insn), Mnemonic: name, Pre: b.state(insn)})
		}
	}
	for i, insn := range []uint32{0x70000003, 0xBC000000, 0x0000000D, 0x44000000, 0x50000000, 0x0000003D} {
		b := newBuilder("invalid", i)
		out = append(out, Case{Name: fmt.Sprintf("invalid/0x%08x", insn), Group: "instructions",
			Description: "an encoding Cannon does not implement: no post-state", Pre: b.state(insn)})
	}
	return out
}
