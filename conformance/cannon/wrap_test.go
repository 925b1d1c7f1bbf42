package cannon

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/transition"
)

// TestConformance_INV_STEP_WRAP_Cannon: from Step = 2^64 − 2 and 2^64 − 1,
// Cannon's step and the spec's agree byte for byte (post-state, hash,
// witness) on random states running a nop or clock_gettime (which reads
// the counter), so the spec's wrapping counter is Cannon's; from 2^64 − 1
// the post-state is at step 0.
func TestConformance_INV_STEP_WRAP_Cannon(t *testing.T) {
	wrapped := 0
	for i := range 200 {
		r := rand.New(rand.NewPCG(uint64(i), 0x57e9))
		insn := []uint32{0, 0x0000000C}[i%2]
		pre := genState(r, insn)
		if insn != 0 {
			if th, err := pre.CurrentThread(); err == nil {
				th.CPU.Regs[2], th.CPU.Regs[4] = transition.SysClockGetTime, uint64(r.IntN(2))
				active, _ := pre.ActiveStack().ReplaceTop(th)
				pre = pre.WithStacks(active, pre.InactiveStack())
			}
		}
		pre.Step = math.MaxUint64 - uint64(i%4/2)
		if msg := compareStepResult(pre, preimages{}); msg != "" {
			t.Fatalf("case %d from step %d: %s\n%s", i, pre.Step, msg, describeState(pre))
		}
		if post, err := spec.Step(pre, spec.Data{}); err == nil && pre.Step == math.MaxUint64 && !pre.Exited {
			if post.Step != 0 {
				t.Fatalf("case %d: from 2^64 - 1 the spec gives step %d", i, post.Step)
			}
			wrapped++
		}
	}
	if wrapped == 0 {
		t.Fatal("no case stepped from 2^64 - 1")
	}
	t.Logf("%d cases stepped from 2^64 - 1 to 0, all equal to Cannon", wrapped)
}
