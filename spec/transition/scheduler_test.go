package transition_test

import (
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Scheduling (cannon/mipsevm/multithreaded/mips.go:271-359, 427-483;
// exec/mips_syscalls.go:91 for SchedQuantum): the step order, preemption after
// SchedQuantum = 100,000 instructions, popping exited threads and the
// empty-stack checks.

const quantum = 100_000

// addu r6, r4, r5 with r4 = 1, r5 = 2: a step that executes it sets r6 = 3.
var adduInsn = encR(0, 4, 5, 6, 0, 0x21)

// thread returns a thread with the given id at basePC that runs adduInsn.
func thread(id uint64) state.Thread {
	th := state.Thread{ID: id}
	th.CPU.PC, th.CPU.NextPC = basePC, basePC+4
	th.CPU.Regs[4], th.CPU.Regs[5] = 1, 2
	return th
}

// schedPre returns a state with the given stacks (bottom first) and adduInsn
// at basePC.
func schedPre(t *testing.T, left, right []state.Thread, traverseRight bool) state.State {
	t.Helper()
	s := storeInsn(t, state.NewEmpty(), basePC, adduInsn)
	s.LeftThreads = state.NewThreadStack(left...)
	s.RightThreads = state.NewThreadStack(right...)
	s.TraverseRight = traverseRight
	s.Step = 1000
	return s
}

// TestSCHED_QuantumBoundary: with stepsSinceLastContextSwitch = 99,999 the
// instruction runs (counter becomes 100,000); at 100,000 or more the step
// only preempts: Step+1, counter 0, the thread moves unchanged to the other
// stack and, being alone, flips the direction (cannon/mipsevm/multithreaded/
// mips.go:301-314, 427-456; Cannon's Go VM at 100,000 gives step 1, counter 0,
// the thread on the right stack and TraverseRight set).
func TestSCHED_QUANTUM_Boundary(t *testing.T) {
	t.Run("99,999 executes", func(t *testing.T) {
		pre := schedPre(t, []state.Thread{thread(0)}, nil, false)
		pre.StepsSinceLastContextSwitch = quantum - 1
		want := expectNext(t, pre, func(th *state.Thread) { th.CPU.Regs[6] = 3 })
		got := checkStep(t, pre, want, transition.Data{})
		if got.StepsSinceLastContextSwitch != quantum {
			t.Fatalf("counter %d, want %d", got.StepsSinceLastContextSwitch, quantum)
		}
	})
	for _, tc := range []struct {
		name          string
		ssc           uint64
		traverseRight bool
	}{
		{"100,000 preempts (left to right)", quantum, false},
		{"100,001 preempts", quantum + 1, false},
		{"100,000 preempts (right to left)", quantum, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var pre state.State
			if tc.traverseRight {
				pre = schedPre(t, nil, []state.Thread{thread(0)}, true)
			} else {
				pre = schedPre(t, []state.Thread{thread(0)}, nil, false)
			}
			pre.StepsSinceLastContextSwitch = tc.ssc
			want := pre
			want.Step, want.StepsSinceLastContextSwitch = 1001, 0
			want.TraverseRight = !tc.traverseRight
			want.LeftThreads, want.RightThreads = pre.RightThreads, pre.LeftThreads
			got := checkStep(t, pre, want, transition.Data{})
			assertReg(t, top(t, got), 6, 0) // the add did not run
		})
	}
	t.Run("two threads: no flip", func(t *testing.T) {
		pre := schedPre(t, []state.Thread{thread(0), thread(1)}, nil, false)
		pre.StepsSinceLastContextSwitch = quantum
		want := pre
		want.Step, want.StepsSinceLastContextSwitch = 1001, 0
		want.LeftThreads = state.NewThreadStack(thread(0))
		want.RightThreads = state.NewThreadStack(thread(1))
		checkStep(t, pre, want, transition.Data{})
	})
	t.Run("last instruction then preemption", func(t *testing.T) {
		pre := schedPre(t, []state.Thread{thread(0)}, nil, false)
		pre.StepsSinceLastContextSwitch = quantum - 1
		s := mustStep(t, pre, transition.Data{})
		s = mustStep(t, s, transition.Data{})
		if !s.TraverseRight || s.StepsSinceLastContextSwitch != 0 || s.Step != 1002 {
			t.Fatalf("after the 100,001st step: traverseRight=%v ssc=%d step=%d, want true 0 1002",
				s.TraverseRight, s.StepsSinceLastContextSwitch, s.Step)
		}
		assertPCs(t, top(t, s), 0x10004, 0x10008)
	})
}

// TestSCHED_PopExitedThread: an exited current thread is dropped from the
// active stack and nothing else happens; the direction flips only when the
// active stack empties; the counter resets. This takes priority over the
// quantum.
func TestSCHED_POP_EXITED(t *testing.T) {
	exited := thread(1)
	exited.Exited, exited.ExitCode = true, 4
	for _, tc := range []struct {
		name                string
		left, right         []state.Thread
		ssc                 uint64
		wantLeft, wantRight []state.Thread
		wantTraverseRight   bool
	}{
		{"thread below remains", []state.Thread{thread(0), exited}, nil, 5, []state.Thread{thread(0)}, nil, false},
		{"active empties and flips", []state.Thread{exited}, []state.Thread{thread(0)}, 5, nil, []state.Thread{thread(0)}, true},
		{"pop beats the quantum", []state.Thread{thread(0), exited}, nil, quantum, []state.Thread{thread(0)}, nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pre := schedPre(t, tc.left, tc.right, false)
			pre.StepsSinceLastContextSwitch = tc.ssc
			want := pre
			want.Step, want.StepsSinceLastContextSwitch = 1001, 0
			want.LeftThreads = state.NewThreadStack(tc.wantLeft...)
			want.RightThreads = state.NewThreadStack(tc.wantRight...)
			want.TraverseRight = tc.wantTraverseRight
			checkStep(t, pre, want, transition.Data{})
		})
	}
}

// TestERR_EMPTY_STACK: an empty active stack before the step has no
// post-state (CodeEmptyThreadStack); so does a step that leaves the active
// stack empty (CodeEmptyPostStack): popping the only thread, exited while
// the VM is not.
func TestERR_EMPTY_STACK(t *testing.T) {
	t.Run("active stack empty", func(t *testing.T) {
		pre := schedPre(t, nil, []state.Thread{thread(0)}, false)
		mustFail(t, pre, transition.Data{}, errors.CodeEmptyThreadStack)
	})
	t.Run("both stacks empty", func(t *testing.T) {
		pre := schedPre(t, nil, nil, true)
		mustFail(t, pre, transition.Data{}, errors.CodeEmptyThreadStack)
	})
	t.Run("post-state empty", func(t *testing.T) {
		only := thread(0)
		only.Exited = true
		pre := schedPre(t, []state.Thread{only}, nil, false)
		e := mustFail(t, pre, transition.Data{}, errors.CodeEmptyPostStack)
		if got := errors.OutcomeOf(e); got != errors.OutcomeNoPostState {
			t.Fatalf("OutcomeOf = %v, want %v", got, errors.OutcomeNoPostState)
		}
	})
}

// TestSCHED_TraversalOrder: with threads 3, 2, 1, 0 on the left stack (0 on
// top) that all yield, the yields come from 0, 1, 2, 3, then 3, 2, 1, 0,
// then 0, 1, 2, 3: the top runs, a preempted thread lands on top of the
// other stack, and the direction flips when the active stack empties
// (cannon/mipsevm/multithreaded/mips.go:264-269, 427-456). Each thread runs
// "syscall; daddiu r2, r0, 5023" in a loop of straight-line code, starting
// with r2 = sched_yield.
func TestSCHED_TraversalOrder(t *testing.T) {
	reload := encI(0x19, 0, 2, sysSchedYield) // daddiu r2, r0, 5023
	s := state.NewEmpty()
	for pc := uint64(basePC); pc < basePC+0x80; pc += 8 {
		s = storeInsn(t, s, pc, syscallInsn)
		s = storeInsn(t, s, pc+4, reload)
	}
	yielder := func(id uint64) state.Thread {
		th := thread(id)
		th.CPU.Regs[2] = sysSchedYield
		return th
	}
	s.LeftThreads = state.NewThreadStack(yielder(3), yielder(2), yielder(1), yielder(0))
	want := []uint64{0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3}
	var got []uint64
	for steps := 0; len(got) < len(want) && steps < 100; steps++ {
		if cur := top(t, s); cur.CPU.PC&4 == 0 { // at a syscall
			got = append(got, cur.ID)
		}
		s = mustStep(t, s, transition.Data{})
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("threads yield in the order %v, want %v", got, want)
	}
	if s.ThreadCount() != 4 {
		t.Fatalf("%d threads after the run, want 4", s.ThreadCount())
	}
}
