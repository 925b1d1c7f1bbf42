package transition_test

import (
	"slices"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Syscalls (MIPS64 n64: number in r2, arguments in r4..r6; results in r2 =
// v0 and r7 = a3). Numbers are 5000 + the n64 index
// (cannon/mipsevm/arch/arch64.go:29-90); they are written out here rather
// than taken from the spec.

const (
	sysRead         = 5000
	sysWrite        = 5001
	sysOpen         = 5002
	sysMmap         = 5009
	sysBrk          = 5012
	sysSchedYield   = 5023
	sysNanosleep    = 5034
	sysGetpid       = 5038
	sysClone        = 5055
	sysExit         = 5058
	sysFcntl        = 5070
	sysGettid       = 5178
	sysFutex        = 5194
	sysExitGroup    = 5205
	sysClockGettime = 5222
	sysEventfd2     = 5284
	sysGetrandom    = 5313

	eBADF  = 0x9
	eAGAIN = 0xB
	eINVAL = 0x16

	preA3 = 0x1234 // r7 before every syscall, so that a3 = 0 shows
)

// sysPre returns a pre-state that runs syscall num with the registers r
// (r7 = preA3 unless r sets it).
func sysPre(t *testing.T, num uint64, r regs) state.State {
	t.Helper()
	all := regs{2: num, 7: preA3}
	for i, v := range r {
		all[i] = v
	}
	return newPre(t, syscallInsn, all)
}

// expectReturn is the state after a syscall that returns (v0, a3) and
// advances.
func expectReturn(t *testing.T, pre state.State, v0, a3 uint64) state.State {
	t.Helper()
	return expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[2], th.CPU.Regs[7] = v0, a3 })
}

// expectPreempted is the state after a syscall that returns 0 and yields:
// the thread advances and moves to the top of the other stack; with one
// thread the traversal direction flips; the context-switch counter resets.
func expectPreempted(t *testing.T, pre state.State) state.State {
	t.Helper()
	want := expectReturn(t, pre, 0, 0)
	th := top(t, want)
	active := want.ActiveStack()
	rest := state.ThreadStack{Base: active.Base, Threads: append([]state.Thread(nil), active.Threads[:len(active.Threads)-1]...)}
	other := want.InactiveStack()
	moved := state.ThreadStack{Base: other.Base, Threads: append(append([]state.Thread(nil), other.Threads...), th)}
	if want.TraverseRight {
		want.RightThreads, want.LeftThreads = rest, moved
	} else {
		want.LeftThreads, want.RightThreads = rest, moved
	}
	if len(rest.Threads) == 0 {
		want.TraverseRight = !want.TraverseRight
	}
	want.StepsSinceLastContextSwitch = 0
	return want
}

// TestSYS_ClockGettime: MONOTONIC gives (step/10^7, step%10^7*100) from the
// incremented step at ts&^7 and ts&^7+8; REALTIME writes zeros to both words
// (cannon/mipsevm/multithreaded/mips.go:135-157, HZ at
// exec/mips_syscalls.go:99).
//
// The worked example: pre-step 12,345,678 becomes 12,345,679; secs =
// 12,345,679 / 10^7 = 1 and nsecs = (12,345,679 mod 10^7) · 100 =
// 234,567,900 = 0x0DFB_38DC, at ts = 0x20003 aligned down to 0x20000 and at
// 0x20008. Cannon v1.19.6's Go VM writes the same two words.
func TestSYS_ClockGettime(t *testing.T) {
	for _, tc := range []struct {
		name                string
		clock, ts, preStep  uint64
		wantAddr            uint64
		wantSecs, wantNsecs uint64
	}{
		{"monotonic worked example", 1, 0x20003, 12_345_678, 0x20000, 1, 0x0DFB_38DC},
		{"monotonic aligned", 1, 0x20000, 9_999_999, 0x20000, 1, 0},
		{"realtime writes zeros", 0, 0x20007, 12_345_678, 0x20000, 0, 0},
		{"monotonic ts wraps to address 0", 1, 0xFFFF_FFFF_FFFF_FFF8, 10_000_004, 0xFFFF_FFFF_FFFF_FFF8, 1, 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysClockGettime, regs{4: tc.clock, 5: tc.ts})
			pre.Step = tc.preStep
			pre = setWord(t, pre, tc.wantAddr, maxWord)
			pre = setWord(t, pre, tc.wantAddr+8, maxWord)
			want := expectReturn(t, pre, 0, 0)
			want = setWord(t, want, tc.wantAddr, tc.wantSecs)
			want = setWord(t, want, tc.wantAddr+8, tc.wantNsecs)
			got := checkStep(t, pre, want, transition.Data{})
			assertWord(t, got, tc.wantAddr, tc.wantSecs)
			assertWord(t, got, tc.wantAddr+8, tc.wantNsecs)
		})
	}
	t.Run("clock 2 is EINVAL and writes nothing", func(t *testing.T) {
		pre := sysPre(t, sysClockGettime, regs{4: 2, 5: 0x20000})
		checkStep(t, pre, expectReturn(t, pre, eINVAL, maxWord), transition.Data{})
	})
}

// TestMEM_LL_INVALIDATE_ClockGettime: both words clock_gettime writes clear
// a reservation on them.
func TestMEM_LL_INVALIDATE_ClockGettime(t *testing.T) {
	for _, tc := range []struct {
		name    string
		res     reservation
		cleared bool
	}{
		{"first word", reservation{1, 0x20004, 0}, true},
		{"second word", reservation{2, 0x2000F, 4}, true},
		{"next word is kept", reservation{1, 0x20010, 0}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := withReservation(sysPre(t, sysClockGettime, regs{4: 1, 5: 0x20000}), tc.res)
			got := mustStep(t, pre, transition.Data{})
			want := tc.res
			if tc.cleared {
				want = reservation{}
			}
			assertReservation(t, got, want)
		})
	}
}

// TestSYS_GetRandom: bytes [i, i+n) of the word at buf&^7 (i = buf&7,
// n = min(len, 8-i)) take the same bytes of splitmix64(step), step already
// incremented; v0 = n (cannon/mipsevm/multithreaded/mips.go:217-257).
// Vectors: the worked example below and the Apache Commons RNG SplitMix64
// sequence for seed 0x1a2b3c4d5e6f7531 used by Cannon's TestSplitmix64
// (cannon/mipsevm/multithreaded/instrumented_test.go:10-33).
//
// The worked example: pre-step 99 becomes 100 and splitmix64(100) =
// 0x2325_9B94_F13C_F544 (mips.go:252-257 by hand); buf = 0x20002 gives i = 2
// and n = min(100, 6) = 6, so bytes 2..7 of the zero word become
// 9b 94 f1 3c f5 44: 0x0000_9B94_F13C_F544. Cannon v1.19.6's Go VM writes the
// same word and returns 6.
func TestSYS_GetRandom(t *testing.T) {
	for _, tc := range []struct {
		name            string
		preStep, buf, n uint64
		mem             uint64
		wantN, wantMem  uint64
	}{
		{"worked example", 99, 0x20002, 100, 0, 6, 0x0000_9B94_F13C_F544},
		{"last byte only", 99, 0x20007, 3, 0x1111_1111_1111_1111, 1, 0x1111_1111_1111_1144},
		{"commons-rng first output", 0x1A2B_3C4D_5E6F_7530, 0x20000, 8, 0, 8, 0x4141_3027_68C9_E9D0},
		{"commons-rng second output", 0xB862_B606_DDB9_F145, 0x20000, 8, 0, 8, 0x64DF_48C4_EAB5_1B1A},
		{"two bytes keep the rest", 0x1A2B_3C4D_5E6F_7530, 0x20003, 2, maxWord, 2, 0xFFFF_FF27_68FF_FFFF},
		{"len 0 writes nothing", 99, 0x20000, 0, 0x1234, 0, 0x1234},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysGetrandom, regs{4: tc.buf, 5: tc.n})
			pre.Step = tc.preStep
			pre = setWord(t, pre, dataAddr, tc.mem)
			want := setWord(t, expectReturn(t, pre, tc.wantN, 0), dataAddr, tc.wantMem)
			got := checkStep(t, pre, want, transition.Data{})
			assertWord(t, got, dataAddr, tc.wantMem)
		})
	}
	t.Run("len 0 still clears a reservation on the word", func(t *testing.T) {
		pre := withReservation(sysPre(t, sysGetrandom, regs{4: 0x20000, 5: 0}), reservation{1, 0x20004, 0})
		assertReservation(t, mustStep(t, pre, transition.Data{}), reservation{})
	})
}

// TestSYS_MMAP: with addr 0 the heap grows by len rounded up to 4 KiB and
// the old heap is returned; passing HEAP_END (0x6000_0000_0000), wrapping or
// overflowing the rounding is EINVAL with the heap unchanged; a nonzero addr
// is returned as is (cannon/mipsevm/exec/mips_syscalls.go:117-141; for the
// first two rows Cannon v1.19.6's Go VM returns the same v0, a3 and heap).
func TestSYS_MMAP(t *testing.T) {
	for _, tc := range []struct {
		name               string
		heap, addr, length uint64
		wantV0, wantA3     uint64
		wantHeap           uint64
	}{
		{"past HEAP_END is EINVAL", 0x5FFF_FFFF_F000, 0, 0x1001, eINVAL, maxWord, 0x5FFF_FFFF_F000},
		{"rounds up to pages", 0x1000_0000_0000, 0, 0x1001, 0x1000_0000_0000, 0, 0x1000_0000_2000},
		{"exactly HEAP_END is allowed", 0x5FFF_FFFF_F000, 0, 0x1000, 0x5FFF_FFFF_F000, 0, 0x6000_0000_0000},
		{"length 0 returns the heap", 0x1000_0000_0000, 0, 0, 0x1000_0000_0000, 0, 0x1000_0000_0000},
		{"page-aligned length", 0x1000_0000_0000, 0, 0x3000, 0x1000_0000_0000, 0, 0x1000_0000_3000},
		{"rounding overflow is EINVAL", 0x1000_0000_0000, 0, 0xFFFF_FFFF_FFFF_F001, eINVAL, maxWord, 0x1000_0000_0000},
		{"heap wrap is EINVAL", 0xFFFF_FFFF_FFFF_F000, 0, 0x1000, eINVAL, maxWord, 0xFFFF_FFFF_FFFF_F000},
		{"hint is returned unchecked", 0x1000_0000_0000, 0x7000_0000_0000, maxWord, 0x7000_0000_0000, 0, 0x1000_0000_0000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysMmap, regs{4: tc.addr, 5: tc.length})
			pre.Heap = tc.heap
			want := expectReturn(t, pre, tc.wantV0, tc.wantA3)
			want.Heap = tc.wantHeap
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestSYS_Brk: brk returns PROGRAM_BREAK 0x4000_0000_0000 whatever a0 is.
func TestSYS_Brk(t *testing.T) {
	pre := sysPre(t, sysBrk, regs{4: 0x1234_5678})
	checkStep(t, pre, expectReturn(t, pre, 0x4000_0000_0000, 0), transition.Data{})
}

// TestSYS_Clone: clone(0x50f00, sp) pushes a child that copies the parent's
// pre-syscall registers and HI/LO, with id = nextThreadId, PC = the parent's
// nextPC, r29 = sp, r2 = r7 = 0; the parent gets v0 = child id, a3 = 0;
// nextThreadId += 1; the counter resets (cannon/mipsevm/multithreaded/
// mips.go:35-72, 458-465; Cannon v1.19.6's Go VM on clone(0x50f00, sp
// 0xabc000) with parent r7 = 0x77 gives child r2 = r7 = 0, r29 = 0xabc000;
// parent r2 = 1, r7 = 0).
func TestSYS_Clone(t *testing.T) {
	for _, right := range []bool{false, true} {
		name := map[bool]string{false: "left stack active", true: "right stack active"}[right]
		t.Run(name, func(t *testing.T) {
			parent := state.Thread{ID: 0}
			parent.CPU.PC, parent.CPU.NextPC = basePC, basePC+4
			parent.CPU.HI, parent.CPU.LO = 0x1111, 0x2222
			parent.CPU.Regs[2], parent.CPU.Regs[4], parent.CPU.Regs[5] = sysClone, 0x50F00, 0xABC000
			parent.CPU.Regs[7], parent.CPU.Regs[10], parent.CPU.Regs[29] = 0x77, 0xAAAA, 0x7FFF_0000

			pre := storeInsn(t, state.NewEmpty(), basePC, syscallInsn)
			pre.StepsSinceLastContextSwitch = 40
			pre.Step = 5
			pre.TraverseRight = right
			pre = withStacks(pre, state.NewThreadStack(parent), state.NewThreadStack())

			child := parent
			child.ID = 1
			child.CPU.PC, child.CPU.NextPC = 0x10004, 0x10008
			child.CPU.Regs[2], child.CPU.Regs[7], child.CPU.Regs[29] = 0, 0, 0xABC000
			after := parent
			after.CPU.PC, after.CPU.NextPC = 0x10004, 0x10008
			after.CPU.Regs[2], after.CPU.Regs[7] = 1, 0

			want := pre
			want.Step, want.StepsSinceLastContextSwitch, want.NextThreadID = 6, 0, 2
			want = withStacks(want, state.NewThreadStack(after, child), state.NewThreadStack())
			got := checkStep(t, pre, want, transition.Data{})
			cur := top(t, got)
			assertPCs(t, cur, 0x10004, 0x10008)
			assertReg(t, cur, 29, 0xABC000)
		})
	}
	t.Run("child id is nextThreadId", func(t *testing.T) {
		pre := sysPre(t, sysClone, regs{4: 0x50F00, 5: 0x8000})
		pre.NextThreadID = 7
		got := mustStep(t, pre, transition.Data{})
		if cur := top(t, got); cur.ID != 7 {
			t.Fatalf("current thread id %d, want the child 7", cur.ID)
		}
		if got.NextThreadID != 8 {
			t.Fatalf("NextThreadID = %d, want 8", got.NextThreadID)
		}
		parent := got.LeftThreads.Threads[0]
		assertReg(t, parent, 2, 7)
	})
}

// TestSYS_CLONE_FLAGS: clone with flags other than 0x50f00 ends the VM with
// exit code 2 (panic); the thread is untouched and PC does not advance
// (cannon/mipsevm/multithreaded/mips.go:37-41; Cannon v1.19.6's Go VM on
// clone(0x50f01) gives exited = 1, exitCode = 2, PC unchanged).
func TestSYS_CLONE_FLAGS(t *testing.T) {
	for _, flags := range []uint64{0x50F01, 0x50E00, 0, 0x10050F00} {
		pre := sysPre(t, sysClone, regs{4: flags, 5: 0xABC000})
		want := pre
		want.Step++
		want.StepsSinceLastContextSwitch++
		want.Exited, want.ExitCode = true, 2
		got := checkStep(t, pre, want, transition.Data{})
		if h := got.Hash(); h[0] != 2 {
			t.Fatalf("flags %#x: status byte %d, want 2 (panic)", flags, h[0])
		}
	}
}

// TestSYS_Exit: exit marks the current thread exited with code uint8(a0)
// without advancing; when it is the only thread the VM exits too
// (cannon/mipsevm/multithreaded/mips.go:99-106, 481-483; Cannon v1.19.6's Go
// VM on exit(0x1ff) gives thread exitCode 0xff, VM exited with 0xff).
func TestSYS_Exit(t *testing.T) {
	t.Run("only thread", func(t *testing.T) {
		pre := sysPre(t, sysExit, regs{4: 0x1FF})
		want := editTop(t, pre, func(th *state.Thread) { th.Exited, th.ExitCode = true, 0xFF })
		want.Step++
		want.StepsSinceLastContextSwitch++
		want.Exited, want.ExitCode = true, 0xFF
		checkStep(t, pre, want, transition.Data{})
	})
	for _, tc := range []struct {
		name  string
		other func(s state.State, th state.Thread) state.State
	}{
		{"other thread below", func(s state.State, th state.Thread) state.State {
			s.LeftThreads = state.NewThreadStack(th, s.LeftThreads.Threads[0])
			return s
		}},
		{"other thread on the inactive stack", func(s state.State, th state.Thread) state.State {
			s.RightThreads = state.NewThreadStack(th)
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := tc.other(sysPre(t, sysExit, regs{4: 3}), state.Thread{ID: 9})
			want := editTop(t, pre, func(th *state.Thread) { th.Exited, th.ExitCode = true, 3 })
			want.Step++
			want.StepsSinceLastContextSwitch++
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestSYS_ExitGroup: exit_group ends the VM with code uint8(a0); threads are
// untouched.
func TestSYS_ExitGroup(t *testing.T) {
	pre := sysPre(t, sysExitGroup, regs{4: 0x1FF})
	pre.RightThreads = state.NewThreadStack(state.Thread{ID: 4})
	want := pre
	want.Step++
	want.StepsSinceLastContextSwitch++
	want.Exited, want.ExitCode = true, 0xFF
	checkStep(t, pre, want, transition.Data{})
}

// TestSYS_FUTEX: WAIT_PRIVATE (128) compares the 32-bit word at a0&^3 with
// uint32(a2): unequal → EAGAIN, equal → return 0 and yield. WAKE_PRIVATE
// (129) yields. Any other op is EINVAL (cannon/mipsevm/multithreaded/
// mips.go:107-128, 485-488; Cannon v1.19.6's Go VM on addr 0x20006, word
// 0x0000000100000002: a2 = 0xffffffff00000001 → EAGAIN; a2 = …00000002 →
// preempted).
func TestSYS_FUTEX(t *testing.T) {
	futex := func(t *testing.T, addr, op, val uint64) state.State {
		pre := sysPre(t, sysFutex, regs{4: addr, 5: op, 6: val})
		return setWord(t, pre, dataAddr, 0x0000_0001_0000_0002)
	}
	t.Run("wait mismatch is EAGAIN", func(t *testing.T) {
		pre := futex(t, 0x20006, 128, 0xFFFF_FFFF_0000_0001)
		checkStep(t, pre, expectReturn(t, pre, eAGAIN, maxWord), transition.Data{})
	})
	t.Run("wait match yields", func(t *testing.T) {
		pre := futex(t, 0x20006, 128, 0xFFFF_FFFF_0000_0002)
		want := expectPreempted(t, pre)
		got := checkStep(t, pre, want, transition.Data{})
		if !got.TraverseRight || got.LeftThreads.Len() != 0 || got.RightThreads.Len() != 1 || got.StepsSinceLastContextSwitch != 0 {
			t.Fatalf("after yield: traverseRight=%v L=%d R=%d ssc=%d, want true 0 1 0",
				got.TraverseRight, got.LeftThreads.Len(), got.RightThreads.Len(), got.StepsSinceLastContextSwitch)
		}
	})
	t.Run("wait on the upper half", func(t *testing.T) {
		pre := futex(t, 0x20001, 128, 1)
		checkStep(t, pre, expectPreempted(t, pre), transition.Data{})
	})
	t.Run("wake yields", func(t *testing.T) {
		pre := futex(t, 0x20000, 129, 0)
		checkStep(t, pre, expectPreempted(t, pre), transition.Data{})
	})
	for _, op := range []uint64{0, 1, 130, 128 + 0x1_0000_0000} {
		pre := futex(t, 0x20000, op, 1)
		checkStep(t, pre, expectReturn(t, pre, eINVAL, maxWord), transition.Data{})
	}
}

// TestSYS_Yield: sched_yield and nanosleep return 0 and preempt; with two
// threads on the active stack the direction does not flip.
func TestSYS_Yield(t *testing.T) {
	for _, num := range []uint64{sysSchedYield, sysNanosleep} {
		pre := sysPre(t, num, regs{4: dataAddr})
		checkStep(t, pre, expectPreempted(t, pre), transition.Data{})

		two := sysPre(t, num, nil)
		two.LeftThreads = state.NewThreadStack(state.Thread{ID: 8}, two.LeftThreads.Threads[0])
		got := checkStep(t, two, expectPreempted(t, two), transition.Data{})
		if got.TraverseRight {
			t.Fatalf("syscall %d: direction flipped with a thread left on the active stack", num)
		}
	}
}

// TestPRE_KEY_FIFO: write(6, buf, n) shifts n' = min(n, 8 - buf&7) bytes from
// memory into the low end of the 32-byte key and resets the offset
// (cannon/mipsevm/exec/mips_syscalls.go:236-253).
//
// The worked example: key aa 01 02 … 1f, buf 0x20003, n 100, word
// 0x0011223344556677: n' = min(100, 8 − 3) = 5, the key drops its first 5
// bytes (aa 01 02 03 04) and takes bytes 3..7 of the word (33 44 55 66 77):
// 0x05060708…1f3344556677, offset 0. Cannon v1.19.6's Go VM gives the same
// key and returns 5.
func TestPRE_KEY_FIFO(t *testing.T) {
	var key [32]byte
	key[0] = 0xAA
	for i := 1; i < 32; i++ {
		key[i] = byte(i)
	}
	shifted := func(n int, tail ...byte) [32]byte {
		var k [32]byte
		copy(k[:], key[n:])
		copy(k[32-n:], tail)
		return k
	}
	for _, tc := range []struct {
		name    string
		buf, n  uint64
		wantN   uint64
		wantKey [32]byte
	}{
		{"worked example", 0x20003, 100, 5, shifted(5, 0x33, 0x44, 0x55, 0x66, 0x77)},
		{"aligned 8 bytes", 0x20000, 8, 8, shifted(8, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77)},
		{"two bytes", 0x20000, 2, 2, shifted(2, 0x00, 0x11)},
		{"n 0 keeps the key", 0x20005, 0, 0, key},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysWrite, regs{4: 6, 5: tc.buf, 6: tc.n})
			pre = setWord(t, pre, dataAddr, 0x0011_2233_4455_6677)
			pre.PreimageKey, pre.PreimageOffset = key, 17
			want := expectReturn(t, pre, tc.wantN, 0)
			want.PreimageKey, want.PreimageOffset = tc.wantKey, 0
			checkStep(t, pre, want, transition.Data{})
		})
	}
	t.Run("worked example key literal", func(t *testing.T) {
		want := [32]byte{5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 0x33, 0x44, 0x55, 0x66, 0x77}
		if got := shifted(5, 0x33, 0x44, 0x55, 0x66, 0x77); got != want {
			t.Fatalf("fixture key %x, want %x", got, want)
		}
	})
}

// TestSYS_READ_Preimage: read(5, buf, n) copies min(n, 8 - buf&7, bytes
// left) bytes of len(preimage) as 8 big-endian bytes ‖ preimage from the
// offset to buf, advances the offset and returns the count
// (cannon/mipsevm/exec/mips_syscalls.go:160-182, exec/preimage.go:48-66).
//
// The worked example: "hello world, preimage" (21 bytes) is served as the
// stream 00 00 00 00 00 00 00 15 ‖ "hello…"; from offset 6 with buf = 0x20005
// the count is min(100, 8 − 5, 29 − 6) = 3, so bytes 5..7 of the word become
// 00 15 68 ('h') and the offset becomes 9. Cannon v1.19.6's Go VM gives the
// same word and offset.
func TestSYS_READ_PRE_READ_Preimage(t *testing.T) {
	key := [32]byte{0: 2, 31: 0x42}
	data := transition.Data{Preimages: transition.PreimageMap{key: []byte("hello world, preimage")}} // 21 bytes
	const before = 0x1122_3344_5566_7788
	for _, tc := range []struct {
		name           string
		offset, buf, n uint64
		wantN, wantMem uint64
	}{
		{"worked example", 6, 0x20005, 100, 3, 0x1122_3344_5500_1568},
		{"length prefix", 0, 0x20000, 8, 8, 0x0000_0000_0000_0015},
		{"four data bytes", 8, 0x20000, 4, 4, 0x6865_6C6C_5566_7788},
		{"last byte", 28, 0x20000, 8, 1, 0x6522_3344_5566_7788},
		{"n 0 reads nothing", 6, 0x20000, 0, 0, before},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysRead, regs{4: 5, 5: tc.buf, 6: tc.n})
			pre = setWord(t, pre, dataAddr, before)
			pre.PreimageKey, pre.PreimageOffset = key, tc.offset
			want := setWord(t, expectReturn(t, pre, tc.wantN, 0), dataAddr, tc.wantMem)
			want.PreimageOffset = tc.offset + tc.wantN
			got := checkStep(t, pre, want, data)
			assertWord(t, got, dataAddr, tc.wantMem)
		})
	}
	t.Run("n 0 still clears a reservation on the word", func(t *testing.T) {
		pre := withReservation(sysPre(t, sysRead, regs{4: 5, 5: 0x20000, 6: 0}), reservation{1, 0x20006, 0})
		pre.PreimageKey = key
		assertReservation(t, mustStep(t, pre, data), reservation{})
	})
	t.Run("empty preimage serves its length prefix", func(t *testing.T) {
		empty := [32]byte{0: 2, 1: 0xEE}
		pre := sysPre(t, sysRead, regs{4: 5, 5: 0x20000, 6: 8})
		pre = setWord(t, pre, dataAddr, before)
		pre.PreimageKey = empty
		want := setWord(t, expectReturn(t, pre, 8, 0), dataAddr, 0)
		want.PreimageOffset = 8
		checkStep(t, pre, want, transition.Data{Preimages: transition.PreimageMap{empty: nil}})
	})
}

// TestERR_PREIMAGE_OOB: a read at offset >= 8 + len has no post-state
// (Cannon panics "Preimage offset out-of-bounds"; on-chain the part cannot
// be loaded).
func TestERR_PREIMAGE_OOB(t *testing.T) {
	key := [32]byte{0: 2, 31: 0x42}
	data := transition.Data{Preimages: transition.PreimageMap{key: []byte("hello world, preimage")}}
	for _, off := range []uint64{21 + 8, 21 + 9, maxWord} {
		pre := sysPre(t, sysRead, regs{4: 5, 5: 0x20000, 6: 8})
		pre.PreimageKey, pre.PreimageOffset = key, off
		e := mustFail(t, pre, data, errors.CodePreimageOffsetOOB)
		if got := errors.OutcomeOf(e); got != errors.OutcomeNoPostState {
			t.Fatalf("offset %d: OutcomeOf = %v, want %v", off, got, errors.OutcomeNoPostState)
		}
	}
	t.Run("n 0 at the end is still out of bounds", func(t *testing.T) {
		pre := sysPre(t, sysRead, regs{4: 5, 5: 0x20000, 6: 0})
		pre.PreimageKey, pre.PreimageOffset = key, 29
		mustFail(t, pre, data, errors.CodePreimageOffsetOOB)
	})
}

// TestERR_MISSING_PREIMAGE: a read whose key the data does not hold needs
// more data: CodeMissingPreimage, OutcomeNeedsData.
func TestERR_MISSING_PREIMAGE(t *testing.T) {
	key := [32]byte{0: 2, 31: 0x42}
	for _, tc := range []struct {
		name string
		d    transition.Data
	}{
		{"no oracle", transition.Data{}},
		{"oracle without the key", transition.Data{Preimages: transition.PreimageMap{{0: 2}: []byte("x")}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysRead, regs{4: 5, 5: 0x20005, 6: 8})
			pre.PreimageKey = key
			e := mustFail(t, pre, tc.d, errors.CodeMissingPreimage)
			if got := errors.OutcomeOf(e); got != errors.OutcomeNeedsData {
				t.Fatalf("OutcomeOf = %v, want %v", got, errors.OutcomeNeedsData)
			}
		})
	}
}

// TestSYS_READ_WRITE_Fds: the non-preimage descriptors
// (cannon/mipsevm/exec/mips_syscalls.go:157-193, 214-262).
// stdout/stderr/hint-write report the full count (not capped at 8); the
// hint-read fd reports the count without writing memory.
func TestSYS_READ_WRITE_Fds(t *testing.T) {
	for _, tc := range []struct {
		name           string
		num, fd, n     uint64
		wantV0, wantA3 uint64
	}{
		{"read stdin", sysRead, 0, 100, 0, 0},
		{"read hint", sysRead, 3, 1000, 1000, 0},
		{"read stdout is EBADF", sysRead, 1, 8, eBADF, maxWord},
		{"read fd 6 is EBADF", sysRead, 6, 8, eBADF, maxWord},
		{"read fd 7 is EBADF", sysRead, 7, 8, eBADF, maxWord},
		{"read eventfd is EAGAIN", sysRead, 100, 8, eAGAIN, maxWord},
		{"write stdout n 0", sysWrite, 1, 0, 0, 0},
		{"write stdout full count", sysWrite, 1, 1000, 1000, 0},
		{"write stderr full count", sysWrite, 2, 33, 33, 0},
		{"write hint full count", sysWrite, 4, 100, 100, 0},
		{"write stdin is EBADF", sysWrite, 0, 8, eBADF, maxWord},
		{"write fd 5 is EBADF", sysWrite, 5, 8, eBADF, maxWord},
		{"write eventfd is EAGAIN", sysWrite, 100, 8, eAGAIN, maxWord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, tc.num, regs{4: tc.fd, 5: dataAddr, 6: tc.n})
			pre = setWord(t, pre, dataAddr, memWord)
			checkStep(t, pre, expectReturn(t, pre, tc.wantV0, tc.wantA3), transition.Data{})
		})
	}
}

// TestSYS_Fcntl: F_GETFD (1) answers 0 for fds 0-6; F_GETFL (3) answers
// O_RDONLY for 0, 3, 5 and O_WRONLY for 1, 2, 4, 6; other fds are EBADF
// (fd 100 included); other commands are EINVAL, checked before the fd.
func TestSYS_Fcntl(t *testing.T) {
	for _, tc := range []struct {
		name           string
		fd, cmd        uint64
		wantV0, wantA3 uint64
	}{
		{"F_GETFL eventfd is EBADF", 100, 3, eBADF, maxWord},
		{"F_GETFL stdin", 0, 3, 0, 0},
		{"F_GETFL preimage read", 5, 3, 0, 0},
		{"F_GETFL stdout", 1, 3, 1, 0},
		{"F_GETFL preimage write", 6, 3, 1, 0},
		{"F_GETFL fd 7 is EBADF", 7, 3, eBADF, maxWord},
		{"F_GETFD fd 6", 6, 1, 0, 0},
		{"F_GETFD fd 7 is EBADF", 7, 1, eBADF, maxWord},
		{"F_SETFD is EINVAL", 0, 2, eINVAL, maxWord},
		{"bad cmd before bad fd", 100, 4, eINVAL, maxWord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, sysFcntl, regs{4: tc.fd, 5: tc.cmd})
			checkStep(t, pre, expectReturn(t, pre, tc.wantV0, tc.wantA3), transition.Data{})
		})
	}
}

// TestSYS_Misc: getpid, gettid, open, eventfd2.
func TestSYS_Misc(t *testing.T) {
	for _, tc := range []struct {
		name           string
		num            uint64
		r              regs
		wantV0, wantA3 uint64
	}{
		{"getpid", sysGetpid, nil, 0, 0},
		{"open is EBADF", sysOpen, regs{4: dataAddr}, eBADF, maxWord},
		{"eventfd2 nonblock", sysEventfd2, regs{4: 5, 5: 0x80}, 100, 0},
		{"eventfd2 nonblock|cloexec", sysEventfd2, regs{5: 0x80080}, 100, 0},
		{"eventfd2 blocking is EINVAL", sysEventfd2, regs{5: 0x80000}, eINVAL, maxWord},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, tc.num, tc.r)
			checkStep(t, pre, expectReturn(t, pre, tc.wantV0, tc.wantA3), transition.Data{})
		})
	}
	t.Run("gettid", func(t *testing.T) {
		pre := editTop(t, sysPre(t, sysGettid, nil), func(th *state.Thread) { th.ID = 5 })
		checkStep(t, pre, expectReturn(t, pre, 5, 0), transition.Data{})
	})
}

// TestSYS_Noops: the no-op syscalls return v0 = a3 = 0, advance and write
// no output buffer (cannon/mipsevm/multithreaded/mips.go:163-193: empty
// cases, then HandleSyscallUpdates at 213).
func TestSYS_Noops(t *testing.T) {
	noops := map[uint64]string{
		5011: "munmap", 5010: "mprotect", 5196: "sched_getaffinity", 5027: "madvise",
		5014: "rt_sigprocmask", 5129: "sigaltstack", 5013: "rt_sigaction", 5297: "prlimit64",
		5003: "close", 5016: "pread64", 5004: "stat", 5005: "fstat", 5247: "openat",
		5087: "readlink", 5257: "readlinkat", 5015: "ioctl", 5285: "epoll_create1",
		5287: "pipe2", 5208: "epoll_ctl", 5272: "epoll_pwait", 5061: "uname", 5100: "getuid",
		5102: "getgid", 5026: "mincore", 5225: "tgkill", 5095: "getrlimit", 5008: "lseek",
		5036: "setitimer", 5216: "timer_create", 5217: "timer_settime", 5220: "timer_delete",
	}
	if len(noops) != 31 {
		t.Fatalf("fixture lists %d no-ops, want 31", len(noops))
	}
	for num, name := range noops {
		t.Run(name, func(t *testing.T) {
			pre := sysPre(t, num, regs{4: 1, 5: dataAddr, 6: 64})
			pre = setWord(t, pre, dataAddr, memWord)
			checkStep(t, pre, expectReturn(t, pre, 0, 0), transition.Data{})
		})
	}
}

// TestERR_UNKNOWN_SYSCALL: numbers outside Cannon's table have no
// post-state, including o32 numbers and ^0 (UndefinedSysNr,
// cannon/mipsevm/arch/arch64.go:51-52; the default case of
// multithreaded/mips.go:204-211 and its handleUnrecognizedSyscall, 259-262;
// optimism issue #13427 and PR #13470 regrouped the condition under which
// ^0 was a no-op on 64 bits).
func TestERR_UNKNOWN_SYSCALL(t *testing.T) {
	for _, num := range []uint64{5006, maxWord, 0, 4001, 4246, 5399, 5314, 5153, 1<<32 | sysGetpid} {
		pre := sysPre(t, num, nil)
		e := mustFail(t, pre, transition.Data{}, errors.CodeUnknownSyscall)
		if got := errors.OutcomeOf(e); got != errors.OutcomeNoPostState {
			t.Fatalf("syscall %d: OutcomeOf = %v, want %v", num, got, errors.OutcomeNoPostState)
		}
	}
}

// TestSYS_ERRNO: every error path returns v0 = errno and a3 =
// 0xFFFF_FFFF_FFFF_FFFF (Cannon PR #16346; the published spec's a3 = errno
// is stale), advances, and changes nothing else.
func TestSYS_ERRNO(t *testing.T) {
	for _, tc := range []struct {
		name  string
		num   uint64
		r     regs
		errno uint64
	}{
		{"mmap", sysMmap, regs{5: 0x5000_0000_0001}, eINVAL}, // heap 0x1000_0000_0000 + 0x5000_0000_1000 > HEAP_END
		{"fcntl EBADF", sysFcntl, regs{4: 100, 5: 1}, eBADF},
		{"fcntl EINVAL", sysFcntl, regs{4: 0, 5: 0}, eINVAL},
		{"futex EAGAIN", sysFutex, regs{4: dataAddr, 5: 128, 6: 1}, eAGAIN},
		{"futex EINVAL", sysFutex, regs{4: dataAddr, 5: 0}, eINVAL},
		{"open", sysOpen, nil, eBADF},
		{"clock_gettime", sysClockGettime, regs{4: 7, 5: dataAddr}, eINVAL},
		{"eventfd2", sysEventfd2, regs{5: 0}, eINVAL},
		{"read EBADF", sysRead, regs{4: 2}, eBADF},
		{"read EAGAIN", sysRead, regs{4: 100}, eAGAIN},
		{"write EBADF", sysWrite, regs{4: 3}, eBADF},
		{"write EAGAIN", sysWrite, regs{4: 100}, eAGAIN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := sysPre(t, tc.num, tc.r)
			pre.Heap = 0x1000_0000_0000
			got := checkStep(t, pre, expectReturn(t, pre, tc.errno, maxWord), transition.Data{})
			cur := top(t, got)
			assertReg(t, cur, 2, tc.errno)
			assertReg(t, cur, 7, 0xFFFF_FFFF_FFFF_FFFF)
		})
	}
}

// TestSYS_WRITE_HintLastHint: write(4, buf, n) appends the n bytes to the
// off-chain LastHint buffer and drops every complete frame (4-byte
// big-endian length, then that many bytes); a partial frame stays buffered.
// This is what State.LastHint documents ("the partial hint frame written to
// fd 4") and what Cannon does (exec/mips_syscalls.go:221-235, HandleSysWrite
// case FdHintWrite; multithreaded/mips.go:85-93 stores the result in
// State.LastHint, and state.go:329 writes it into the binary state file,
// in Serialize, state.go:249-334). LastHint is not part of the witness, so
// the hash must not change.
func TestSYS_HINT_LastHint(t *testing.T) {
	const hintWord = 0x0000_0002_AABB_CCDD // bytes 00 00 00 02 aa bb cc dd
	for _, tc := range []struct {
		name       string
		before     []byte
		buf, n     uint64
		wantBuffer []byte
	}{
		{"partial length prefix", nil, 0x20000, 3, []byte{0x00, 0x00, 0x00}},
		{"partial frame", []byte{0x00, 0x00}, 0x20002, 3, []byte{0x00, 0x00, 0x00, 0x02, 0xAA}},
		{"frame completes and is dispatched", []byte{0x00, 0x00, 0x00, 0x02, 0xAA}, 0x20005, 1, []byte{}},
		{"complete frame then a partial one", nil, 0x20000, 8, []byte{0xCC, 0xDD}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := setWord(t, sysPre(t, sysWrite, regs{4: 4, 5: tc.buf, 6: tc.n}), dataAddr, hintWord)
			pre.LastHint = tc.before
			eff, ok := transition.PendingEffects(pre, 1<<20)
			if !ok || eff.Fd != 4 {
				t.Fatalf("PendingEffects = %+v, %v; want the hint write", eff, ok)
			}
			got := checkStep(t, pre, expectReturn(t, pre, tc.n, 0), transition.Data{})
			if string(got.LastHint) != string(tc.before) {
				t.Fatalf("Step changed LastHint to %x; runners apply it (SYS-HINT)", got.LastHint)
			}
			if string(eff.LastHint) != string(tc.wantBuffer) {
				t.Fatalf("LastHint = %x, want %x", eff.LastHint, tc.wantBuffer)
			}
		})
	}
}

// TestSYS_NoopTable: the no-op syscall table is read through functions
// only: NoopSyscalls returns a fresh sorted copy (changing it changes
// nothing), every number in it is a no-op with a name, and an implemented
// syscall is not.
func TestSYS_NoopTable(t *testing.T) {
	a := transition.NoopSyscalls()
	if len(a) != 31 || !slices.IsSorted(a) {
		t.Fatalf("%d no-op syscalls, sorted %v", len(a), slices.IsSorted(a))
	}
	first := a[0]
	a[0] = transition.SysRead
	if b := transition.NoopSyscalls(); b[0] != first {
		t.Fatalf("changing the returned slice changed the table: %d", b[0])
	}
	for _, n := range transition.NoopSyscalls() {
		if name, ok := transition.IsNoopSyscall(n); !ok || name == "" {
			t.Errorf("syscall %d: %q %v", n, name, ok)
		}
	}
	if _, ok := transition.IsNoopSyscall(transition.SysRead); ok {
		t.Error("read is not a no-op")
	}
}
