package cannon

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/conformance/cannon/internal/stategen"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

var hintRuns = flag.Int("cannon.hint-runs", 200, "generated hint-writing programs TestConformance_CONF_CANNON_HINT_Run runs")

// Where the hint programs keep their code and their hint stream: the stream
// starts below a page boundary, so writes cross it.
const (
	hintCode   = 0x1000
	hintStream = 0x7F80
)

// hintProgram returns a state whose thread writes stream to the hint fd
// (4) in writes of the given sizes, in order, and then exits, with last
// already buffered in LastHint:
//
//	ori a0, zero, 4; ori a1, zero, hintStream
//	each write: ori a2, zero, size; ori v0, zero, 5001; syscall; daddu a1, a1, a2
//	ori a0, zero, 0; ori v0, zero, 5205; syscall
func hintProgram(stream []byte, sizes []int, last []byte) state.State {
	code := []uint32{asmORI(regA0, 0, transition.FdHintWrite), asmORI(regA1, 0, hintStream)}
	for _, n := range sizes {
		code = append(code, asmORI(regA2, 0, uint32(n)))
		code = append(code, asmSyscall(transition.SysWrite)...)
		code = append(code, asmDADDU(regA1, regA1, regA2))
	}
	s := asmState(hintCode, append(code, asmExit()...))
	s.Memory = s.Memory.(memory.Memory).SetBytes(hintStream, stream)
	s.LastHint = last
	return s
}

// genHintRun draws a hint program: half the time a partial frame already
// buffered, a stream of 1 to 1,200 bytes going on from it
// (stategen.HintStream) and its split into writes of 0 to 17 bytes.
func genHintRun(seed uint64) (state.State, []byte) {
	r := rand.New(rand.NewPCG(seed, 0x41e7))
	var last []byte
	if r.IntN(2) == 0 {
		last = stategen.PartialFrame(r)
	}
	stream := stategen.HintStream(r, last, 1+r.IntN(1200))
	var sizes []int
	for rest := len(stream); rest > 0; {
		n := min(rest, r.IntN(18))
		sizes, rest = append(sizes, n), rest-n
	}
	return hintProgram(stream, sizes, last), stream
}

// TestConformance_CONF_CANNON_HINT_Run runs generated programs that write
// a hint stream to fd 4 in pieces, frames split across writes and pages,
// from an empty or a partial LastHint, in the spec (spec.Advance), fpvm and
// Cannon's Go VM side by side. At every step the state hashes, the hints
// delivered (Cannon's oracle Hint calls, the spec's and fpvm's effects) and
// LastHint must agree; at the exit the hints are the stream's complete
// frames and LastHint its partial one. Replay one run with
// go test -run 'TestConformance_CONF_CANNON_HINT_Run$' -cannon.seed=<seed>.
func TestConformance_CONF_CANNON_HINT_Run(t *testing.T) {
	var steps, hints, partial int
	for i := range *hintRuns {
		seed := uint64(i)
		if *replaySeed != 0 {
			seed = *replaySeed
		}
		pre, stream := genHintRun(seed)
		n, h, msg := runHintLockstep(pre)
		if msg == "" {
			wantHints, wantLast := transition.SplitHints(append(append([]byte{}, pre.LastHint...), stream...))
			msg = cannonvm.DiffHints(h.hints, wantHints, h.last, wantLast)
			if msg != "" {
				msg = "against the stream's frames: " + msg
			}
		}
		if msg != "" {
			t.Fatalf("seed %#x: %s\npre-state:\n%s\nLastHint 0x%x\nreplay: cd conformance/cannon && go test -run 'TestConformance_CONF_CANNON_HINT_Run$' -cannon.seed=%#x",
				seed, msg, describeState(pre), pre.LastHint, seed)
		}
		steps, hints = steps+n, hints+len(h.hints)
		if len(h.last) > 0 {
			partial++
		}
		if *replaySeed != 0 {
			break
		}
	}
	t.Logf("%d hint programs, %d steps, %d hints delivered, %d runs ending with a partial frame: spec, fpvm and Cannon agree at every step", *hintRuns, steps, hints, partial)
}

// hintTrace is what a run delivered: every hint in order, and LastHint at
// its end.
type hintTrace struct {
	hints [][]byte
	last  []byte
}

// runHintLockstep steps pre to its exit in the spec, fpvm and Cannon and
// returns the steps run, the spec's hints and final LastHint, and "" or the
// first disagreement.
func runHintLockstep(pre state.State) (int, hintTrace, string) {
	d := spec.Data{}
	cs := cannonvm.FromState(pre)
	oracle := cannonvm.NewOracle(nil)
	cvm := cannonvm.NewVM(cs, oracle)
	vm, err := fpvm.FromState(pre)
	if err != nil {
		return 0, hintTrace{}, fmt.Sprintf("fpvm.FromState: %v", err)
	}
	var fhints [][]byte
	vm.Observe = func(e transition.Effects) { fhints = append(fhints, e.Hints...) }
	var trace hintTrace
	s := pre
	for n := 1; !s.Exited; n++ {
		next, hints, err := cannonvm.AdvanceSpec(s, d)
		if err != nil {
			return n, trace, fmt.Sprintf("step %d: spec: %v", n, err)
		}
		if _, msg := cannonvm.StepVM(cvm, false); msg != "" {
			return n, trace, fmt.Sprintf("step %d: cannon: %s", n, msg)
		}
		if err := vm.Step(d); err != nil {
			return n, trace, fmt.Sprintf("step %d: fpvm: %v", n, err)
		}
		if _, h := cs.EncodeWitness(); memory.Hash(h) != next.Hash() || vm.Hash() != next.Hash() {
			return n, trace, fmt.Sprintf("step %d: state hash: spec %s, cannon %x, fpvm %s", n, next.Hash(), h, vm.Hash())
		}
		if msg := cannonvm.DiffHints(hints, oracle.TakeHints(), next.LastHint, cs.LastHint); msg != "" {
			return n, trace, fmt.Sprintf("step %d: spec and cannon: %s", n, msg)
		}
		if msg := cannonvm.DiffHints(hints, fhints, next.LastHint, vm.LastHint); msg != "" {
			return n, trace, fmt.Sprintf("step %d: spec and fpvm: %s", n, msg)
		}
		fhints = nil
		trace.hints, trace.last = append(trace.hints, hints...), next.LastHint
		s = next
		if n > 1<<16 {
			return n, trace, "the program did not exit"
		}
	}
	return int(s.Step - pre.Step), trace, ""
}

// hintWrite returns a state about to execute write(4, 0x100000, n) with
// frame at 0x100000 (the rest of memory there is zero).
func hintWrite(n uint64, frame []byte) state.State {
	s := asmState(0x1000, []uint32{asmSYSCALL})
	th, _ := s.CurrentThread()
	th.CPU.Regs[regV0], th.CPU.Regs[regA0], th.CPU.Regs[regA1], th.CPU.Regs[regA2] = transition.SysWrite, transition.FdHintWrite, 0x100000, n
	active, _ := s.ActiveStack().ReplaceTop(th)
	s = s.WithStacks(active, s.InactiveStack())
	s.Memory = s.Memory.(memory.Memory).SetBytes(0x100000, frame)
	return s
}

// TestConformance_CONF_CANNON_HINT_MaxOutput pins the one known difference
// of the hints: spec.Advance (and fpvm) read at most spec.MaxOutput (16 MiB)
// bytes of one write, where Cannon reads all a2 bytes
// (exec/mips_syscalls.go:222, io.ReadAll of the whole range). A write of
// exactly MaxOutput bytes completing a frame agrees; a write of MaxOutput +
// 4 bytes holding one frame of MaxOutput data bytes completes it in Cannon
// (one hint, LastHint empty) and leaves it partial in the spec (no hint,
// LastHint the first MaxOutput bytes). The state hash, which LastHint is no
// part of, agrees in both.
func TestConformance_CONF_CANNON_HINT_MaxOutput(t *testing.T) {
	within := hintWrite(spec.MaxOutput, []byte{0x00, 0xFF, 0xFF, 0xFC}) // a frame of MaxOutput - 4 bytes
	if msg := compareStepResult(within, preimages{}); msg != "" {
		t.Fatalf("a write of MaxOutput bytes: %s", msg)
	}
	if _, hints, _ := cannonvm.AdvanceSpec(within, spec.Data{}); len(hints) != 1 {
		t.Fatalf("a write of MaxOutput bytes completes %d hints, want 1", len(hints))
	}
	over := hintWrite(spec.MaxOutput+4, []byte{0x01, 0x00, 0x00, 0x00}) // a frame of MaxOutput bytes
	cres := cannonvm.Step(over, nil)
	post, hints, err := cannonvm.AdvanceSpec(over, spec.Data{})
	if err != nil || cres.Panic != "" || post.Hash() != memory.Hash(cres.Hash) {
		t.Fatalf("a write of MaxOutput + 4 bytes: spec %s (%v), cannon %x (%s)", post.Hash(), err, cres.Hash, cres.Panic)
	}
	if len(cres.Hints) != 1 || len(cres.Hints[0]) != spec.MaxOutput || len(cres.LastHint) != 0 {
		t.Errorf("cannon: %d hints, LastHint of %d bytes; want one hint of MaxOutput bytes and no LastHint", len(cres.Hints), len(cres.LastHint))
	}
	if len(hints) != 0 || len(post.LastHint) != spec.MaxOutput {
		t.Errorf("spec: %d hints, LastHint of %d bytes; want none and MaxOutput bytes (its read stops there)", len(hints), len(post.LastHint))
	}
}
