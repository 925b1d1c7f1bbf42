package cannon

import (
	"flag"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/stategen"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

var casesPerInsn = flag.Int("cannon.cases", 1000, "generated cases per instruction template")

// templates returns every encoding class under test: all 64 SPECIAL functs,
// all 64 SPECIAL2 functs, all 32 REGIMM rt values, every other opcode, and
// the syscall instruction. Invalid encodings are included on purpose: Cannon
// and the spec must agree that they have no post-state.
func templates() []template {
	var ts []template
	for f := uint32(0); f < 64; f++ {
		if f == 0x0C {
			continue
		}
		ts = append(ts, template{name: fmt.Sprintf("special/%#02x", f), form: formR, opcode: 0, sel: f})
	}
	for f := uint32(0); f < 64; f++ {
		ts = append(ts, template{name: fmt.Sprintf("special2/%#02x", f), form: formR, opcode: 0x1C, sel: f})
	}
	for rt := uint32(0); rt < 32; rt++ {
		ts = append(ts, template{name: fmt.Sprintf("regimm/%#02x", rt), form: formRegimm, sel: rt})
	}
	for op := uint32(2); op < 64; op++ {
		switch op {
		case 0x1C:
			continue
		case 2, 3:
			ts = append(ts, template{name: fmt.Sprintf("op/%#02x", op), form: formJ, opcode: op})
		default:
			ts = append(ts, template{name: fmt.Sprintf("op/%#02x", op), form: formI, opcode: op})
		}
	}
	for _, num := range syscallNumbers {
		ts = append(ts, template{name: fmt.Sprintf("syscall/%d", int64(num)), form: formSyscall, sel: uint32(num)})
	}
	return ts
}

// seedFor derives a case seed from the template name and the case index.
func seedFor(name string, i int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s/%d", name, i)
	return h.Sum64()
}

// genCase builds the pre-state and oracle for one case, with a partial
// hint frame now and then and a hint stream where the case writes fd 4.
func genCase(t template, seed uint64) (state.State, preimages) {
	r := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	insn := t.encode(r)
	s := genState(r, insn)
	if t.form == formSyscall {
		s = genSyscallArgs(r, s, syscallNumberOf(t))
	}
	po := genOracle(r, &s)
	return stategen.Conformance.Hints(r, s), po
}

// TestConformance_CONF_CANNON_INSN steps the spec and Cannon from the same
// generated pre-states and requires the same post-state witness and hash, or
// the same failure. Replay one case with
// go test -run 'TestConformance_CONF_CANNON_INSN/<template>' -cannon.seed=<seed>.
func TestConformance_CONF_CANNON_INSN(t *testing.T) {
	var total, valid, faults, ran atomic.Int64
	t.Cleanup(func() {
		if !t.Failed() {
			t.Logf("compared %d templates (%d supported instructions + invalid encodings): %d cases, %d with a post-state, %d without; 0 mismatches",
				ran.Load(), countSupported(), total.Load(), valid.Load(), faults.Load())
		}
	})
	for _, tp := range templates() {
		t.Run(tp.name, func(t *testing.T) {
			t.Parallel()
			ran.Add(1)
			for i := 0; i < *casesPerInsn; i++ {
				seed := seedFor(tp.name, i)
				if *replaySeed != 0 {
					seed = *replaySeed
				}
				pre, po := genCase(tp, seed)
				msg, stepped := compareStep(pre, po)
				if msg != "" {
					t.Fatalf("MISMATCH template %s seed %#x\ninstruction word 0x%08x\n%s\npre-state:\n%s\nreplay: cd conformance/cannon && go test -run 'TestConformance_CONF_CANNON_INSN/%s$' -cannon.seed=%#x",
						tp.name, seed, currentInsn(pre), msg, describeState(pre), tp.name, seed)
				}
				total.Add(1)
				if stepped {
					valid.Add(1)
				} else {
					faults.Add(1)
				}
				if *replaySeed != 0 {
					break
				}
			}
		})
	}
}

var replaySeed = flag.Uint64("cannon.seed", 0, "replay a single case seed")

func currentInsn(s state.State) uint32 {
	t, err := s.CurrentThread()
	if err != nil {
		return 0
	}
	w, err := s.Memory.Word(t.CPU.PC &^ 7)
	if err != nil {
		return 0
	}
	if t.CPU.PC&4 == 0 {
		w >>= 32
	}
	return uint32(w)
}

// countSupported returns the number of mnemonics the spec implements.
func countSupported() int { return len(transition.Mnemonics()) }
