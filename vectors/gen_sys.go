package vectors

import (
	"fmt"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// syscallArgs is one syscall vector: the number and a0..a2.
type syscallArgs struct {
	name       string
	num        uint64
	a0, a1, a2 uint64
}

// SyscallNumbers lists every syscall number the vectors must cover: the
// implemented ones and the no-ops. Unknown numbers are covered by name.
func SyscallNumbers() []uint64 {
	nums := []uint64{transition.SysRead, transition.SysWrite, transition.SysOpen, transition.SysMmap,
		transition.SysBrk, transition.SysSchedYield, transition.SysNanosleep, transition.SysGetpid,
		transition.SysClone, transition.SysExit, transition.SysFcntl, transition.SysGetTID,
		transition.SysFutex, transition.SysExitGroup, transition.SysClockGetTime, transition.SysEventFd2,
		transition.SysGetRandom}
	return append(nums, transition.NoopSyscalls()...)
}

func syscallArgList() []syscallArgs {
	d := uint64(dataAddr)
	cs := []syscallArgs{
		{"mmap/heap", transition.SysMmap, 0, 0x1001, 0}, {"mmap/hint", transition.SysMmap, 0x7000_0000, 0x10, 0},
		{"mmap/zero", transition.SysMmap, 0, 0, 0}, {"mmap/past-heap-end", transition.SysMmap, 0, transition.HeapEnd, 0},
		{"mmap/rounding-overflow", transition.SysMmap, 0, ^uint64(0), 0},
		{"brk", transition.SysBrk, 0x1234, 0, 0}, {"open", transition.SysOpen, d, 0, 0},
		{"getpid", transition.SysGetpid, 0, 0, 0}, {"gettid", transition.SysGetTID, 0, 0, 0},
		{"exit_group", transition.SysExitGroup, 0x1FF, 0, 0}, {"exit/last-thread", transition.SysExit, 3, 0, 0},
		{"clone/ok", transition.SysClone, transition.CloneFlags, 0xABC000, 0}, {"clone/bad-flags", transition.SysClone, transition.CloneFlags | 1, 0, 0},
		{"sched_yield", transition.SysSchedYield, 0, 0, 0}, {"nanosleep", transition.SysNanosleep, d, 0, 0},
		{"futex/wait-match", transition.SysFutex, d + 4, transition.FutexWaitPrivate, 0}, // value patched below
		{"futex/wait-mismatch", transition.SysFutex, d + 6, transition.FutexWaitPrivate, 0xFFFF_FFFF_0000_0001},
		{"futex/wake", transition.SysFutex, d, transition.FutexWakePrivate, 1}, {"futex/bad-op", transition.SysFutex, d, 0, 0},
		{"clock_gettime/monotonic", transition.SysClockGetTime, 1, d + 3, 0}, {"clock_gettime/realtime", transition.SysClockGetTime, 0, d, 0},
		{"clock_gettime/bad-clock", transition.SysClockGetTime, 2, d, 0},
		{"getrandom/unaligned", transition.SysGetRandom, d + 2, 100, 0}, {"getrandom/zero", transition.SysGetRandom, d, 0, 0},
		{"eventfd2/nonblock", transition.SysEventFd2, 0, 0x80, 0}, {"eventfd2/blocking", transition.SysEventFd2, 0, 0, 0},
		{"unknown/o32", 4001, 0, 0, 0}, {"unknown/5006", 5006, 0, 0, 0}, {"unknown/undefined", ^uint64(0), 0, 0, 0},
	}
	for _, fd := range []uint64{0, 1, 2, 3, 4, 5, 6, 7, 100} {
		cs = append(cs,
			syscallArgs{fmt.Sprintf("read/fd%d", fd), transition.SysRead, fd, d + 5, 8},
			syscallArgs{fmt.Sprintf("write/fd%d", fd), transition.SysWrite, fd, d + 3, 8})
	}
	for _, cmd := range []uint64{1, 3, 4} {
		for _, fd := range []uint64{0, 1, 5, 6, 100} {
			cs = append(cs, syscallArgs{fmt.Sprintf("fcntl/cmd%d/fd%d", cmd, fd), transition.SysFcntl, fd, cmd, 0})
		}
	}
	for _, n := range transition.NoopSyscalls() {
		name, _ := transition.IsNoopSyscall(n)
		cs = append(cs, syscallArgs{"noop/" + name, n, d, 0, 0})
	}
	return cs
}

// syscallCases: every syscall with its edge cases, on a state whose
// preimage oracle serves the state's key.
func syscallCases() []Case {
	var out []Case
	for i, c := range syscallArgList() {
		b := newBuilder("syscall/"+c.name, i)
		s := b.state(0x0000000C)
		t, _ := s.CurrentThread()
		t.CPU.Regs[2], t.CPU.Regs[4], t.CPU.Regs[5], t.CPU.Regs[6] = c.num, c.a0, c.a1, c.a2
		s = withCurrent(s, t)
		if c.name == "futex/wait-match" {
			w, _ := s.Memory.Word(dataAddr)
			t.CPU.Regs[6] = w & 0xFFFF_FFFF
			s = withCurrent(s, t)
		}
		s, oracle := withPreimage(s, []byte("opcity preimage oracle"), 6)
		out = append(out, Case{Name: "syscall/" + c.name, Group: "syscalls",
			Description: fmt.Sprintf("syscall %d (%s) a0=%#x a1=%#x a2=%#x", c.num, c.name, c.a0, c.a1, c.a2),
			Syscall:     c.num, Pre: s, Data: spec.Data{Preimages: oracle}})
	}
	return out
}

// withPreimage gives s a keccak256 key for value at the given offset and
// returns the oracle that serves it.
func withPreimage(s state.State, value []byte, offset uint64) (state.State, spec.PreimageMap) {
	key := memory.Keccak256(value)
	key[0] = spec.KeyTypeKeccak256
	s.PreimageKey, s.PreimageOffset = key, offset
	return s, spec.PreimageMap{key: value}
}

// threadCases: scheduler paths with several threads.
func threadCases() []Case {
	var out []Case
	add := func(name, desc string, s state.State) {
		out = append(out, Case{Name: "threads/" + name, Group: "threads", Description: desc, Pre: s})
	}
	three := func(b builder) state.State {
		s := b.state(0)
		cur, _ := s.CurrentThread()
		cur.ID = 2
		o1, o2 := state.Thread{ID: 0}, state.Thread{ID: 1}
		o1.CPU.PC, o1.CPU.NextPC, o2.CPU.PC, o2.CPU.NextPC = codeAddr, codeAddr+4, codeAddr, codeAddr+4
		s.LeftThreads, s.RightThreads = state.NewThreadStack(o1, cur), state.NewThreadStack(o2)
		s.NextThreadID = 3
		return s
	}
	s := three(newBuilder("threads/preempt", 0))
	s.StepsSinceLastContextSwitch = transition.SchedQuantum
	add("preempt", "a full quantum: the thread moves to the other stack, no instruction runs", s)
	s = three(newBuilder("threads/last-before-preempt", 0))
	s.StepsSinceLastContextSwitch = transition.SchedQuantum - 1
	add("last-before-preempt", "the last instruction of a quantum", s)
	s = three(newBuilder("threads/pop-exited", 0))
	t, _ := s.CurrentThread()
	t.Exited, t.ExitCode = true, 0
	add("pop-exited", "an exited thread is popped", withCurrent(s, t))
	s = three(newBuilder("threads/flip", 0))
	s.LeftThreads = state.NewThreadStack(s.LeftThreads.Threads[1])
	s.StepsSinceLastContextSwitch = transition.SchedQuantum
	add("flip", "preempting the only thread of the active stack flips the traversal", s)
	s = three(newBuilder("threads/exit-not-last", 0))
	t, _ = s.CurrentThread()
	t.CPU.Regs[2], t.CPU.Regs[4] = transition.SysExit, 7
	add("exit-not-last", "exit with other threads alive: only the thread exits", withCurrent(s, t))
	s = three(newBuilder("threads/clone", 0))
	t, _ = s.CurrentThread()
	t.CPU.Regs[2], t.CPU.Regs[4], t.CPU.Regs[5] = transition.SysClone, transition.CloneFlags, 0x7000
	binaryPut(&s, codeAddr, 0x0000000C)
	add("clone", "clone pushes the child on the active stack", withCurrent(s, t))
	s = three(newBuilder("threads/empty-post", 0))
	s.LeftThreads = state.NewThreadStack(s.LeftThreads.Threads[1])
	s.RightThreads = state.NewThreadStack()
	t, _ = s.CurrentThread()
	t.Exited = true
	add("empty-post", "popping the last thread of an unexited VM: no post-state", withCurrent(s, t))
	return out
}

func binaryPut(s *state.State, addr uint64, insn uint32) {
	mem := s.Memory.(memory.Memory)
	s.Memory = mem.SetBytes(addr, []byte{byte(insn >> 24), byte(insn >> 16), byte(insn >> 8), byte(insn)})
}

// oracleCases: preimage reads at every alignment and offset, up to and
// past the end of the stream, and key writes.
func oracleCases() []Case {
	var out []Case
	value := []byte("the quick brown fox jumps over the lazy dog")
	for _, off := range []uint64{0, 5, 8, 40, uint64(len(value)) + 7, uint64(len(value)) + 8} {
		for _, align := range []uint64{0, 3, 7} {
			b := newBuilder(fmt.Sprintf("oracle/read/%d/%d", off, align), 0)
			s := b.state(0x0000000C)
			t, _ := s.CurrentThread()
			t.CPU.Regs[2], t.CPU.Regs[4], t.CPU.Regs[5], t.CPU.Regs[6] = transition.SysRead, 5, dataAddr+align, 8
			s, oracle := withPreimage(withCurrent(s, t), value, off)
			out = append(out, Case{Name: fmt.Sprintf("oracle/read/offset%d/align%d", off, align), Group: "oracle",
				Description: "read(5) of the length-prefixed preimage", Pre: s, Data: spec.Data{Preimages: oracle}})
		}
	}
	for _, n := range []uint64{0, 3, 8, 100} {
		b := newBuilder(fmt.Sprintf("oracle/write/%d", n), 0)
		s := b.state(0x0000000C)
		t, _ := s.CurrentThread()
		t.CPU.Regs[2], t.CPU.Regs[4], t.CPU.Regs[5], t.CPU.Regs[6] = transition.SysWrite, 6, dataAddr+3, n
		out = append(out, Case{Name: fmt.Sprintf("oracle/write/n%d", n), Group: "oracle",
			Description: "write(6): shift key bytes in", Pre: withCurrent(s, t)})
	}
	return out
}

// faultCases: steps with no post-state that are not invalid encodings.
func faultCases() []Case {
	var out []Case
	add := func(name, desc string, s state.State) {
		out = append(out, Case{Name: "faults/" + name, Group: "faults", Description: desc, Pre: s})
	}
	for _, pc := range []uint64{1, 2, 3} {
		s := newBuilder("faults/pc", int(pc)).state(0)
		t, _ := s.CurrentThread()
		t.CPU.PC, t.CPU.NextPC = codeAddr+pc, codeAddr+pc+4
		add(fmt.Sprintf("unaligned-pc/%d", pc), "fetch at PC & 3 != 0", withCurrent(s, t))
	}
	for _, c := range []struct {
		name string
		insn uint32
	}{{"beq", 0x10000004}, {"j", 0x08004008}, {"jr", 0x03E00008}} {
		name, insn := c.name, c.insn
		s := newBuilder("faults/delay/"+name, 0).state(insn)
		t, _ := s.CurrentThread()
		t.CPU.NextPC = 0x30000
		add("delay-slot/"+name, "a branch or jump in a delay slot", withCurrent(s, t))
	}
	s := newBuilder("faults/div", 0).state(0x0085001A) // div r4, r5
	t, _ := s.CurrentThread()
	t.CPU.Regs[5] = 0x1_0000_0000
	add("div-low32-zero", "div by 0x1_0000_0000: only the low word is tested", withCurrent(s, t))
	s = newBuilder("faults/exited", 0).state(0)
	s.Exited, s.ExitCode = true, 1
	add("exited", "an exited VM steps to itself", s)
	return out
}
