package transition_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// TestOBSERVE_PendingOutput: PendingOutput reports write(fd, addr, n) for fd
// 1, 2 and 4 exactly when the next Step would execute it, mirroring Step's
// order (exited VM, exited thread, full quantum, unaligned PC).
func TestOBSERVE_PendingOutput(t *testing.T) {
	write := func(t *testing.T, fd uint64) state.State {
		return sysPre(t, sysWrite, regs{4: fd, 5: 0x20003, 6: 77})
	}
	for _, fd := range []uint64{1, 2, 4} {
		got, ok := transition.PendingOutput(write(t, fd))
		if want := (transition.Output{Fd: fd, Addr: 0x20003, N: 77}); !ok || got != want {
			t.Fatalf("fd %d: PendingOutput = %+v, %v, want %+v, true", fd, got, ok, want)
		}
	}
	for _, tc := range []struct {
		name string
		pre  func(t *testing.T) state.State
	}{
		{"fd 6 (preimage key)", func(t *testing.T) state.State { return write(t, 6) }},
		{"fd 0", func(t *testing.T) state.State { return write(t, 0) }},
		{"read, not write", func(t *testing.T) state.State { return sysPre(t, sysRead, regs{4: 1}) }},
		{"not a syscall", func(t *testing.T) state.State { return newPre(t, adduInsn, regs{2: sysWrite, 4: 1}) }},
		{"exited VM", func(t *testing.T) state.State {
			s := write(t, 1)
			s.Exited = true
			return s
		}},
		{"exited thread", func(t *testing.T) state.State {
			return editTop(t, write(t, 1), func(th *state.Thread) { th.Exited = true })
		}},
		{"quantum used up", func(t *testing.T) state.State {
			s := write(t, 1)
			s.StepsSinceLastContextSwitch = quantum
			return s
		}},
		{"unaligned PC", func(t *testing.T) state.State {
			return editTop(t, write(t, 1), func(th *state.Thread) { th.CPU.PC = basePC + 2 })
		}},
		{"empty active stack", func(t *testing.T) state.State {
			s := write(t, 1)
			s.TraverseRight = true
			return s
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := transition.PendingOutput(tc.pre(t)); ok {
				t.Fatalf("PendingOutput = %+v, true; want false", got)
			}
		})
	}
	t.Run("write in the lower half of a word", func(t *testing.T) {
		pre := storeInsn(t, write(t, 2), basePC+4, syscallInsn)
		pre = storeInsn(t, pre, basePC, adduInsn)
		pre = editTop(t, pre, func(th *state.Thread) { th.CPU.PC, th.CPU.NextPC = basePC+4, basePC+8 })
		if _, ok := transition.PendingOutput(pre); !ok {
			t.Fatalf("PendingOutput missed a write at PC %#x", basePC+4)
		}
	})
}
