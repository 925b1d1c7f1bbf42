package properties_test

import (
	"encoding/binary"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Laws of single instruction families over generated states: each property
// states what every step of that family must satisfy, whatever its operands.

// withInsn places insn at the current thread's PC and sets the given registers.
func withInsn(s state.State, insn uint32, regs map[int]uint64) state.State {
	t, _ := s.CurrentThread()
	for r, v := range regs {
		t.CPU.Regs[r] = v
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], insn)
	s.Memory = s.Memory.(memory.Memory).SetBytes(t.CPU.PC, b[:])
	s.StepsSinceLastContextSwitch = 0
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

func cur(t *rapid.T, s state.State) state.Thread {
	th, err := s.CurrentThread()
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// TestALU_32BIT_Law: every 32-bit ALU result is a sign-extended word, and it
// depends only on the low words of its operands.
func TestALU_32BIT_Law(t *testing.T) {
	functs := []uint32{0x00, 0x02, 0x03, 0x04, 0x06, 0x07, 0x20, 0x21, 0x22, 0x23}
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		fn := rapid.SampledFrom(functs).Draw(t, "funct")
		sa := rapid.Uint32Range(0, 31).Draw(t, "shamt")
		rs, rt := properties.Word().Draw(t, "rs"), properties.Word().Draw(t, "rt")
		hi1, hi2 := rapid.Uint64().Draw(t, "garbage1")<<32, rapid.Uint64().Draw(t, "garbage2")<<32
		insn := 4<<21 | 5<<16 | 6<<11 | sa<<6 | fn
		a, err1 := spec.Step(withInsn(pre, insn, map[int]uint64{4: rs, 5: rt}), spec.Data{})
		b, err2 := spec.Step(withInsn(pre, insn, map[int]uint64{4: uint64(uint32(rs)) | hi1, 5: uint64(uint32(rt)) | hi2}), spec.Data{})
		if err1 != nil || err2 != nil {
			t.Fatalf("%v %v", err1, err2)
		}
		x, y := cur(t, a).CPU.Regs[6], cur(t, b).CPU.Regs[6]
		if x != uint64(int64(int32(uint32(x)))) || x != y {
			t.Fatalf("funct %#x: results %#x and %#x (upper words of the operands changed)", fn, x, y)
		}
	})
}

// TestQUIRK_HILO_RD_Law: with a nonzero rd, mthi/mtlo/mult/multu/div/divu
// and the 64-bit forms write 0 to rd; mfhi/mflo write HI/LO.
func TestQUIRK_HILO_RD_Law(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		fn := rapid.SampledFrom([]uint32{0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F}).Draw(t, "funct")
		rd := rapid.Uint32Range(1, 31).Draw(t, "rd")
		insn := 4<<21 | 5<<16 | rd<<11 | fn
		pre = withInsn(pre, insn, map[int]uint64{5: properties.Word().Draw(t, "rt") | 1})
		post, err := spec.Step(pre, spec.Data{})
		if err != nil {
			t.Fatal(err)
		}
		want := uint64(0)
		switch fn {
		case 0x10:
			want = cur(t, pre).CPU.HI
		case 0x12:
			want = cur(t, pre).CPU.LO
		}
		if got := cur(t, post).CPU.Regs[rd]; got != want {
			t.Fatalf("funct %#x rd %d: r%d = %#x, want %#x", fn, rd, rd, got, want)
		}
	})
}

// TestLLSC_EXCLUSIVE_Law: sc/scd succeed exactly when the reservation's
// status, owner and address all match; success stores and clears, failure
// stores nothing and keeps the reservation.
func TestLLSC_EXCLUSIVE_Law(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		wide := rapid.Bool().Draw(t, "scd")
		op, status := uint32(0x38), uint8(1)
		if wide {
			op, status = 0x3C, 2
		}
		addr := properties.DataBase + 8*rapid.Uint64Range(0, 8).Draw(t, "word") + rapid.Uint64Range(0, 7).Draw(t, "offset")
		pre = withInsn(pre, op<<26|4<<21|5<<16, map[int]uint64{4: addr, 5: rapid.Uint64().Draw(t, "value")})
		th := cur(t, pre)
		pre.LLReservationStatus = rapid.Uint8Range(0, 2).Draw(t, "status")
		pre.LLOwnerThread = th.ID + rapid.Uint64Range(0, 1).Draw(t, "otherOwner")
		pre.LLAddress = addr + rapid.SampledFrom([]uint64{0, 0, 1, 8}).Draw(t, "delta")
		match := pre.LLReservationStatus == status && pre.LLOwnerThread == th.ID && pre.LLAddress == addr
		post, err := spec.Step(pre, spec.Data{})
		if err != nil {
			t.Fatal(err)
		}
		ok := cur(t, post).CPU.Regs[5] == 1
		changed := len(properties.ChangedWords(pre.Memory.(memory.Memory), post.Memory.(memory.Memory))) > 0
		kept := post.LLReservationStatus == pre.LLReservationStatus && post.LLAddress == pre.LLAddress
		if ok != match || (match && post.LLReservationStatus != 0) || (!match && (changed || !kept)) {
			t.Fatalf("match %v: success %v, memory changed %v, reservation %d/%#x -> %d/%#x", match, ok, changed, pre.LLReservationStatus, pre.LLAddress, post.LLReservationStatus, post.LLAddress)
		}
	})
}

// TestSYS_MMAP_Law: an anonymous mmap (a0 = 0) either returns the old heap
// pointer and advances it by the page-rounded size, staying within HeapEnd,
// or fails with EINVAL and leaves the heap alone.
func TestSYS_MMAP_Law(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		pre.Heap = rapid.SampledFrom([]uint64{transition.HeapStart, transition.HeapEnd - 0x3000, transition.HeapEnd}).Draw(t, "heap")
		size := rapid.OneOf(rapid.Uint64Range(0, 0x5000), rapid.Uint64()).Draw(t, "size")
		pre = withInsn(pre, 0x0C, map[int]uint64{2: transition.SysMmap, 4: 0, 5: size})
		post, err := spec.Step(pre, spec.Data{})
		if err != nil {
			t.Fatal(err)
		}
		v0, a3 := cur(t, post).CPU.Regs[2], cur(t, post).CPU.Regs[7]
		if a3 != 0 {
			if v0 != 0x16 || a3 != ^uint64(0) || post.Heap != pre.Heap {
				t.Fatalf("failed mmap: v0 %#x a3 %#x heap %#x -> %#x", v0, a3, pre.Heap, post.Heap)
			}
			return
		}
		grown := post.Heap - pre.Heap
		if v0 != pre.Heap || grown%4096 != 0 || grown < size || grown-size >= 4096 || post.Heap > transition.HeapEnd {
			t.Fatalf("mmap(0, %#x): v0 %#x, heap %#x -> %#x", size, v0, pre.Heap, post.Heap)
		}
	})
}

// TestSYS_ERRNO_Law: whatever the syscall and arguments, a return with a3 != 0
// has a3 = -1 and v0 one of EBADF, EAGAIN, EINVAL.
func TestSYS_ERRNO_Law(t *testing.T) {
	nums := append(append(append([]uint64{}, properties.SyscallFamilies["io"]...), properties.SyscallFamilies["memory"]...), properties.SyscallFamilies["threads"]...)
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.SyscallState(nums).Draw(t, "pre")
		pre.StepsSinceLastContextSwitch = 0
		post, err := spec.Step(pre, spec.Data{Preimages: spec.PreimageMap{pre.PreimageKey: []byte("x")}})
		if err != nil || post.Exited {
			return
		}
		if pt, err := post.CurrentThread(); err == nil && pt.ID == cur(t, pre).ID && pt.CPU.PC == cur(t, pre).CPU.NextPC {
			v0, a3 := pt.CPU.Regs[2], pt.CPU.Regs[7]
			if a3 != 0 && (a3 != ^uint64(0) || (v0 != 9 && v0 != 11 && v0 != 0x16)) {
				t.Fatalf("syscall %d: v0 %#x a3 %#x", cur(t, pre).CPU.Regs[2], v0, a3)
			}
		}
	})
}

// TestSCHED_QUANTUM_Law: a step at or past the quantum executes nothing:
// the thread moves to the other stack unchanged and the counter resets; a
// step below it executes one instruction and increments the counter.
func TestSCHED_QUANTUM_Law(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		pre.StepsSinceLastContextSwitch = rapid.SampledFrom([]uint64{0, 99_998, 99_999, 100_000, 100_001, 1 << 40}).Draw(t, "ssc")
		post, err := spec.Step(pre, spec.Data{})
		if err != nil {
			return
		}
		if pre.StepsSinceLastContextSwitch >= transition.SchedQuantum {
			if post.StepsSinceLastContextSwitch != 0 || post.Memory.Root() != pre.Memory.Root() || post.Step != pre.Step+1 {
				t.Fatalf("preempting step (ssc %d): ssc %d, step %d -> %d", pre.StepsSinceLastContextSwitch, post.StepsSinceLastContextSwitch, pre.Step, post.Step)
			}
			if err := properties.CheckFrame(pre, post); err != nil {
				t.Fatal(err)
			}
			moved, _ := post.InactiveStack().Top()
			if post.TraverseRight != pre.TraverseRight {
				moved, _ = post.ActiveStack().Top()
			}
			if moved != cur(t, pre) {
				t.Fatalf("the preempted thread changed: %+v -> %+v", cur(t, pre), moved)
			}
			return
		}
		if post.StepsSinceLastContextSwitch != pre.StepsSinceLastContextSwitch+1 && post.StepsSinceLastContextSwitch != 0 {
			t.Fatalf("ssc %d -> %d", pre.StepsSinceLastContextSwitch, post.StepsSinceLastContextSwitch)
		}
	})
}

// TestINV_FRAME_Planted: CheckFrame accepts a real step of `addu r3, r1,
// r2` and rejects the same post-state with a planted change the
// instruction does not name: another register, HI, the heap, a second
// memory word far from the first.
func TestINV_FRAME_Planted(t *testing.T) {
	pre := state.NewEmpty()
	pre.Memory = memory.Memory{}.SetBytes(0, []byte{0x00, 0x22, 0x18, 0x21}) // addu r3, r1, r2
	th, _ := pre.CurrentThread()
	th.CPU.Regs[1], th.CPU.Regs[2] = 5, 7
	pre.LeftThreads = state.NewThreadStack(th)
	post, err := spec.Step(pre, spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	if err := properties.CheckFrame(pre, post); err != nil {
		t.Fatalf("the real step: %v", err)
	}
	plant := func(name string, f func(s *state.State)) {
		bad := post
		bad.LeftThreads = state.NewThreadStack(post.LeftThreads.Threads...)
		f(&bad)
		if err := properties.CheckFrame(pre, bad); err == nil {
			t.Errorf("%s: CheckFrame accepted it", name)
		}
	}
	setCPU := func(f func(c *state.CPU)) func(s *state.State) {
		return func(s *state.State) {
			ts := append([]state.Thread(nil), s.LeftThreads.Threads...)
			f(&ts[len(ts)-1].CPU)
			s.LeftThreads = state.NewThreadStack(ts...)
		}
	}
	plant("r4 changed", setCPU(func(c *state.CPU) { c.Regs[4] = 1 }))
	plant("HI changed", setCPU(func(c *state.CPU) { c.HI = 1 }))
	plant("heap changed", func(s *state.State) { s.Heap += 4096 })
	plant("two far words", func(s *state.State) {
		s.Memory = s.Memory.(memory.Memory).SetBytes(0x1000, []byte{1}).SetBytes(0x2000, []byte{1})
	})
}
