package cannon

import (
	"math"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// cloneChain returns a state whose thread 0 clones with the next thread ID
// at next; every child clones again at once (it starts after its parent's
// syscall), three deep, then each thread reads its ID (gettid) and exits:
//
//	lui a0, 5; ori a0, a0, 0x0F00            a0 = CLONE flags
//	3 × (ori v0, zero, 5055; syscall)        clone
//	ori v0, zero, 5178; syscall              gettid
//	ori a0, zero, 0; ori v0, zero, 5205; syscall
func cloneChain(next uint64) state.State {
	code := []uint32{asmLUI(regA0, transition.CloneFlags>>16), asmORI(regA0, regA0, transition.CloneFlags&0xFFFF)}
	for range 3 {
		code = append(code, asmSyscall(transition.SysClone)...)
	}
	code = append(code, asmSyscall(transition.SysGetTID)...)
	s := asmState(0x1000, append(code, asmExit()...))
	s.NextThreadID = next
	return s
}

// TestConformance_CONF_CANNON_INSN_CloneAtEdge: clones from a next thread ID
// of 2^64 − 3, 2^64 − 2 and 2^64 − 1 step as in Cannon, step by step (state
// hash, and the whole comparison of compareStepResult): a clone takes the
// ID NextThreadID and increments it modulo 2^64, so the last clones take IDs
// 2^64 − 1 and then 0, which thread 0 already has (neither VM checks IDs
// for uniqueness). The generators draw such IDs too (stategen.Dist's
// NextIDEdge); this pins the chain.
func TestConformance_CONF_CANNON_INSN_CloneAtEdge(t *testing.T) {
	for _, next := range []uint64{math.MaxUint64 - 2, math.MaxUint64 - 1, math.MaxUint64} {
		pre := cloneChain(next)
		cs := cannonvm.FromState(pre)
		cvm := cannonvm.NewVM(cs, cannonvm.NewOracle(nil))
		ids := map[uint64]int{}
		s := pre
		for n := 1; !s.Exited && n < 200; n++ {
			if msg := compareStepResult(s, preimages{}); msg != "" {
				t.Fatalf("next thread ID %#x, step %d: %s\n%s", next, n, msg, describeState(s))
			}
			post, err := spec.Step(s, spec.Data{})
			if err != nil {
				t.Fatalf("next thread ID %#x, step %d: %v", next, n, err)
			}
			if _, msg := cannonvm.StepVM(cvm, false); msg != "" {
				t.Fatalf("next thread ID %#x, step %d: cannon: %s", next, n, msg)
			}
			if _, h := cs.EncodeWitness(); memory.Hash(h) != post.Hash() {
				t.Fatalf("next thread ID %#x, step %d: spec %s, cannon %x", next, n, post.Hash(), h)
			}
			if post.NextThreadID != s.NextThreadID {
				if th, err := post.CurrentThread(); err == nil {
					ids[th.ID]++
				}
			}
			s = post
		}
		if want := next + 3; s.NextThreadID != want || ids[math.MaxUint64] == 0 {
			t.Fatalf("next thread ID %#x: ends at %#x (want %#x), clone IDs %v", next, s.NextThreadID, want, ids)
		}
		t.Logf("from next thread ID %#x: clone IDs %v, next thread ID wraps to %d; exit %v code %d at step %d, all equal to Cannon", next, ids, s.NextThreadID, s.Exited, s.ExitCode, s.Step)
	}
}
