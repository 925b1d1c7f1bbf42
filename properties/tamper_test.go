package properties_test

import (
	"flag"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

var tamperPerFamily = flag.Int("tamper.n", 5_000, "witness mutations per instruction family in TestVER_SOUND_PerFamily")

// families groups the implemented encodings by instruction family.
func families() map[string][][2]uint32 {
	out := map[string][][2]uint32{}
	for _, e := range vectors.Encodings() {
		out[vectors.Family(e)] = append(out[vectors.Family(e)], e)
	}
	return out
}

// TestVER_SOUND_PerFamily flips -tamper.n bits per instruction family in
// honest witnesses (state, thread witness, used memory slots) and requires
// that no flip verifies to a wrong post-state. The figure for the note:
// go test ./properties -run TestVER_SOUND_PerFamily -tamper.n=100000 -v
func TestVER_SOUND_PerFamily(t *testing.T) {
	const flipsPerWitness = 50
	sysNums := []uint64{transition.SysRead, transition.SysWrite, transition.SysMmap, transition.SysClone,
		transition.SysFutex, transition.SysClockGetTime, transition.SysGetRandom, transition.SysSchedYield,
		transition.SysExit, transition.SysFcntl, transition.SysEventFd2, 5003}
	for fam, encs := range families() {
		t.Run(fam, func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(len(fam)), 7))
			done := 0
			for i := 0; done < *tamperPerFamily; i++ {
				pre := tamperState(r, encs[r.IntN(len(encs))], sysNums[r.IntN(len(sysNums))])
				n, err := properties.TamperStep(pre, spec.Data{Preimages: spec.PreimageMap{}}, flipsPerWitness, r.Uint64)
				if err != nil {
					t.Fatal(err)
				}
				done += n
				if i > 100*(*tamperPerFamily) {
					t.Fatalf("only %d mutations: too few steps succeed", done)
				}
			}
			t.Logf("%s: %d mutations, no false accept", fam, done)
		})
	}
}

// tamperState builds a state running one instruction of encoding e (and, for
// a syscall, number num) with registers pointing into mapped data.
func tamperState(r *rand.Rand, e [2]uint32, num uint64) state.State {
	b := make([]byte, 400)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	rs, rt, rd := r.Uint32N(8), r.Uint32N(8), r.Uint32N(8)
	var insn uint32
	switch e[0] {
	case 0, 0x1C:
		insn = e[0]<<26 | rs<<21 | rt<<16 | rd<<11 | r.Uint32N(32)<<6 | e[1]
	case 1:
		insn = 1<<26 | rs<<21 | e[1]<<16 | 4
	default:
		insn = e[0]<<26 | rs<<21 | rt<<16 | r.Uint32N(16)*8
	}
	b[4], b[5], b[6], b[7] = byte(insn>>24), byte(insn>>16), byte(insn>>8), byte(insn)
	s, _ := properties.StateFromBytes(b)
	t, _ := s.CurrentThread()
	t.CPU.NextPC = t.CPU.PC + 4
	for i := 1; i < 8; i++ {
		t.CPU.Regs[i] = t.CPU.Regs[4]&^0xFF | uint64(r.IntN(64))
	}
	t.CPU.Regs[2] = num
	t.CPU.Regs[4] = []uint64{5, 6, 0x50F00, t.CPU.Regs[4]}[r.IntN(4)]
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}
