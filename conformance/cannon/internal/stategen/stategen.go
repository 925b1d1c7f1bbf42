// Package stategen holds the pieces the conformance tests draw random
// pre-states from: edge-valued words and addresses, the thread under test,
// data words around the address an instruction touches, the scalar fields
// and the thread stacks. The generators that assemble them around an
// instruction word stay with their tests (conformance/cannon's genState,
// conformance/cannon/evm's drawPreState); a Dist says how each draws.
package stategen

import (
	"encoding/binary"
	"math"
	"math/rand/v2"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Dist is how a generator draws: the edge values it picks from and the odds
// of its rarer shapes. An odds field N means one draw in N; every odds field
// but UnalignedPC (where 0 means never) must be positive.
type Dist struct {
	Words        []uint64 // edge words: Word picks one in a quarter of its draws
	Addrs        []uint64 // edge addresses: Addr picks one in 1 of AddrOdds draws
	AddrOdds     int      // Addr: 1 in AddrOdds an edge address, 1 in AddrOdds any aligned one, else a 48-bit one
	UnalignedPC  int      // odds of a PC with its low two bits set
	ThreadExited int      // odds that the thread under test has exited
	Others       int      // odds of up to two other threads, on either stack
	VMExited     int      // odds that the VM has exited
	NextIDEdge   int      // odds of a next thread ID at 2^64 - 1, 2^64 - 2 or 2^64 - 3 (EdgeNextThreadID)
	LastHint     int      // odds of a partial hint frame in LastHint (Hints)
}

// EdgeWords are word values at the edges of 8-, 16-, 32- and 64-bit
// arithmetic, shifts and the 48-bit address space.
var EdgeWords = []uint64{
	0, 1, 2, 3, 4, 7, 8, 31, 32, 63, 64, 0xFF, 0x7FFF, 0x8000, 0xFFFF,
	0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0xFFFF_FFFF_8000_0000,
	0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, 0xFFFF_FFFF_FFFF_FFFF, 0xFFFF_FFFF_FFFF_FFFE,
	0x0000_7FFF_FFFF_F000, 0x1000_0000_0000, 0xFFFF_FFFF_0000_0000, 0x1_FFFF_FFFF,
}

// EdgeAddrs are 8-aligned addresses at page, leaf and top-of-memory edges.
var EdgeAddrs = []uint64{0, 8, 0xFF8, 0x1000, 0x1FE0, 0xFFFF_FFFF_FFFF_FFF8, 0x7FFF_FFFF_F000, 0x1000_0000_0000}

// Conformance is the draw of conformance/cannon's instruction, witness and
// wrap tests.
var Conformance = Dist{Words: EdgeWords, Addrs: EdgeAddrs, AddrOdds: 5, ThreadExited: 25, Others: 4, VMExited: 50, NextIDEdge: 8, LastHint: 3}

// FourWay is the draw of conformance/cannon/evm's four-way fuzz target. Its
// numbers are those its committed corpus was drawn with: changing them
// changes what every corpus entry replays (EdgeNextThreadID and Hints draw
// last, so they change only the entries they select).
var FourWay = Dist{Words: EdgeWords[:23], Addrs: EdgeAddrs[:7], AddrOdds: 4, UnalignedPC: 40, ThreadExited: 20, Others: 3, VMExited: 40, NextIDEdge: 8, LastHint: 3}

// Word returns an edge word, a sign-extended 32-bit value, a 32-bit value or
// a random word, a quarter of the draws each.
func (d Dist) Word(r *rand.Rand) uint64 {
	switch r.IntN(4) {
	case 0:
		return d.Words[r.IntN(len(d.Words))]
	case 1:
		return uint64(int64(int32(r.Uint32())))
	case 2:
		return uint64(r.Uint32())
	}
	return r.Uint64()
}

// Addr returns an 8-aligned address: an edge address, any aligned address,
// or one in the low 48 bits.
func (d Dist) Addr(r *rand.Rand) uint64 {
	switch r.IntN(d.AddrOdds) {
	case 0:
		return d.Addrs[r.IntN(len(d.Addrs))]
	case 1:
		return r.Uint64() &^ 7
	}
	return r.Uint64N(1<<48) &^ 7
}

// Thread returns the thread under test: id 0..3, random registers (r0 zero),
// HI and LO, a PC at an address edge (4-aligned, or unaligned 1 in
// UnalignedPC) and usually nextPC = PC + 4, else a drawn address (a delay
// slot).
func (d Dist) Thread(r *rand.Rand) state.Thread {
	t := state.Thread{ID: r.Uint64N(4)}
	for i := 1; i < 32; i++ {
		t.CPU.Regs[i] = d.Word(r)
	}
	t.CPU.HI, t.CPU.LO = d.Word(r), d.Word(r)
	t.CPU.PC = d.Addr(r) | uint64(r.IntN(2))*4
	if d.UnalignedPC != 0 && r.IntN(d.UnalignedPC) == 0 {
		t.CPU.PC |= uint64(1 + r.IntN(3))
	}
	t.CPU.NextPC = t.CPU.PC + 4
	if r.IntN(7) == 0 {
		t.CPU.NextPC = d.Addr(r) | uint64(r.IntN(2))*4
	}
	return t
}

// DataWords returns mem with drawn words at the doubleword of vaddr, its two
// neighbours, and the doublewords a1 and a0 point at.
func (d Dist) DataWords(r *rand.Rand, mem memory.Memory, vaddr uint64, regs *[32]uint64) memory.Memory {
	for _, a := range []uint64{vaddr &^ 7, vaddr&^7 + 8, vaddr&^7 - 8, regs[5] &^ 7, regs[4] &^ 7} {
		mem, _ = mem.SetWord(a, d.Word(r))
	}
	return mem
}

// PlaceInstruction returns mem with the 32-bit word insn where a fetch at pc
// reads it (pc &^ 3).
func PlaceInstruction(mem memory.Memory, pc uint64, insn uint32) memory.Memory {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], insn)
	return mem.SetBytes(pc&^3, b[:])
}

// Scalars sets the scalar fields of s around the thread t and the address
// vaddr its instruction touches: the heap at its limits, a step count, a
// quantum that is fresh, partly used or full, one time in three an LL
// reservation at or near vaddr owned by t or another thread, and a next
// thread ID above t's.
func Scalars(r *rand.Rand, s *state.State, t state.Thread, vaddr uint64) {
	s.Heap = []uint64{transition.HeapStart, transition.HeapEnd - 0x1000, transition.HeapEnd, r.Uint64()}[r.IntN(4)]
	s.Step = r.Uint64N(1 << 40)
	s.StepsSinceLastContextSwitch = []uint64{0, r.Uint64N(transition.SchedQuantum), transition.SchedQuantum - 1, transition.SchedQuantum}[r.IntN(4)]
	if r.IntN(3) == 0 {
		s.LLReservationStatus = uint8(r.IntN(3))
		s.LLAddress = []uint64{vaddr, vaddr ^ uint64(r.IntN(8)), vaddr + 8, t.CPU.Regs[5], r.Uint64()}[r.IntN(5)]
		s.LLOwnerThread = []uint64{t.ID, t.ID + 1}[r.IntN(2)]
	}
	s.NextThreadID = t.ID + 1 + r.Uint64N(3)
}

// Threads returns s with t on top of a random active stack and, sometimes,
// other threads on either stack; t may have exited, and so may the VM.
func (d Dist) Threads(r *rand.Rand, s state.State, t state.Thread) state.State {
	if r.IntN(d.ThreadExited) == 0 {
		t.Exited, t.ExitCode = true, uint8(r.IntN(3))
	}
	var active, inactive []state.Thread
	if r.IntN(d.Others) == 0 {
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
	if r.IntN(d.VMExited) == 0 {
		s.Exited, s.ExitCode = true, uint8(r.IntN(3))
	}
	return s
}

// EdgeNextThreadID sets, one draw in NextIDEdge, the next thread ID of s to
// 2^64 - 1, 2^64 - 2 or 2^64 - 3: a clone there takes one of the last IDs,
// and from 2^64 - 1 the counter wraps to 0.
func (d Dist) EdgeNextThreadID(r *rand.Rand, s *state.State) {
	if r.IntN(d.NextIDEdge) == 0 {
		s.NextThreadID = math.MaxUint64 - r.Uint64N(3)
	}
}

// Hints returns s with, one draw in LastHint, a partial hint frame in
// LastHint (part of a 4-byte big-endian length, or a length and part of its
// data), and, where the current thread's registers set up write(4, a1, a2),
// the a2 bytes at a1 drawn as a hint stream that goes on from LastHint: the
// rest of its frame, then frames of 0 to 12 bytes, now and then one longer
// than the write, so a write completes none, one or several frames and
// leaves a partial one. The bytes are not written where they would overlap
// the instruction word at PC.
func (d Dist) Hints(r *rand.Rand, s state.State) state.State {
	if r.IntN(d.LastHint) == 0 {
		s.LastHint = PartialFrame(r)
	}
	t, err := s.CurrentThread()
	regs := t.CPU.Regs
	if err != nil || regs[2] != transition.SysWrite || regs[4] != transition.FdHintWrite {
		return s
	}
	a1, n := regs[5], regs[6]
	if n > 1<<16 || overlaps(a1, n, t.CPU.PC&^3, 4) {
		return s
	}
	stream := HintStream(r, s.LastHint, int(n))
	s.Memory = s.Memory.(memory.Memory).SetBytes(a1, stream)
	return s
}

// PartialFrame returns the start of a hint frame that is not complete: 1 to
// 3 bytes of its length, or its 4-byte length and fewer data bytes than it
// says (the length 0xFFFFFFFF now and then: a frame no write completes).
func PartialFrame(r *rand.Rand) []byte {
	n := uint32(1 + r.IntN(24))
	if r.IntN(8) == 0 {
		n = math.MaxUint32
	}
	f := binary.BigEndian.AppendUint32(nil, n)
	if r.IntN(3) == 0 {
		return f[:1+r.IntN(3)]
	}
	for i := r.IntN(int(min(n, 24))); i > 0; i-- {
		f = append(f, byte(r.Uint32()))
	}
	return f
}

// HintStream returns n bytes a program could write to the hint fd after
// last was buffered: the rest of last's frame (as much as fits), then
// frames of drawn lengths (mostly 0 to 12 bytes, one in eight up to 300).
func HintStream(r *rand.Rand, last []byte, n int) []byte {
	var out []byte
	frame := append([]byte{}, last...)
	for len(frame) > 0 && len(frame) < 4 {
		b := byte(r.IntN(13))
		if len(frame) < 3 {
			b = byte(r.IntN(2)) // a length prefix that can complete: below 2^17
		}
		frame, out = append(frame, b), append(out, b)
	}
	if len(frame) >= 4 {
		if want := uint64(binary.BigEndian.Uint32(frame)); want > uint64(len(frame)-4) {
			out = append(out, randomBytes(r, int(min(want-uint64(len(frame)-4), uint64(n))))...)
		}
	}
	for len(out) < n {
		size := r.IntN(13)
		if r.IntN(8) == 0 {
			size = r.IntN(301)
		}
		out = binary.BigEndian.AppendUint32(out, uint32(size))
		out = append(out, randomBytes(r, size)...)
	}
	return out[:n]
}

func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// overlaps reports whether [a, a+n) and [b, b+m) share a byte, addresses
// wrapping modulo 2^64.
func overlaps(a, n, b, m uint64) bool {
	return n > 0 && m > 0 && (b-a < n || a-b < m)
}
