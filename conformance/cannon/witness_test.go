package cannon

import (
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/spec/transition"
)

// TestConformance_CONF_CANNON_WITNESS_Oracle: preimage reads and key writes
// at every alignment, count and offset up to the end of the stream, where
// the witness carries the preimage. The spec's witness must equal Cannon's
// (state, thread witness, used slots, key, prefixed value, offset) and
// Cannon's witness must verify to Cannon's post-state hash.
func TestConformance_CONF_CANNON_WITNESS_Oracle(t *testing.T) {
	withPreimage := 0
	for i := 0; i < *casesPerInsn; i++ {
		r := rand.New(rand.NewPCG(uint64(i), 0x0dd))
		pre := genState(r, 0x0000000C)
		pre.Exited = false
		th, err := pre.CurrentThread()
		if err != nil {
			continue
		}
		th.Exited = false
		regs := &th.CPU.Regs
		regs[2] = []uint64{transition.SysRead, transition.SysWrite}[i%2]
		regs[4] = []uint64{transition.FdPreimageRead, transition.FdPreimageWrite}[i%2]
		regs[5] = 0x20000 + uint64(r.IntN(16))
		regs[6] = uint64(r.IntN(12))
		active, _ := pre.ActiveStack().ReplaceTop(th)
		pre = pre.WithStacks(active, pre.InactiveStack())
		pre.StepsSinceLastContextSwitch = 0
		po := genOracle(r, &pre)
		cres := cannonvm.Step(pre, po)
		if cres.Panic != "" {
			continue // offset at the end of the stream: both fail, checked elsewhere
		}
		if cres.StepWitness.HasPreimage() {
			withPreimage++
		}
		if msg := compareWitness(pre, po, cres); msg != "" {
			t.Fatalf("case %d: %s\n%s", i, msg, describeState(pre))
		}
	}
	if withPreimage == 0 {
		t.Fatal("no case read a preimage")
	}
	t.Logf("%d oracle cases, %d witnesses carrying a preimage, all equal to Cannon's and verified", *casesPerInsn, withPreimage)
}
