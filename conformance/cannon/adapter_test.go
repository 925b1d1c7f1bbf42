package cannon

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm"
	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	specerrors "github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// preimages is the preimage map both VMs are given: the spec reads it as
// spec.Data's oracle, Cannon through cannonvm.Oracle.
type preimages = spec.PreimageMap

// compareStep steps one case in both VMs; it returns "" on agreement or a
// report, and whether the spec produced a post-state.
func compareStep(pre state.State, po preimages) (string, bool) {
	msg := compareStepResult(pre, po)
	_, err := spec.Step(pre, spec.Data{Preimages: po})
	return msg, err == nil
}

// compareStepResult steps pre in Cannon and in the spec (as a runner,
// spec.Advance) and requires the same failure, or the same hints delivered
// and LastHint (CONF-CANNON-HINT), the same post-state witness and hash, and
// the same step witness (compareWitness).
func compareStepResult(pre state.State, po preimages) string {
	cres := cannonvm.Step(pre, po)
	post, hints, err := cannonvm.AdvanceSpec(pre, spec.Data{Preimages: po})
	if cres.Panic != "" || err != nil {
		if msg := comparePanics(cres.Panic, err); msg != "" {
			return msg
		}
		return cannonvm.DiffHints(nil, cres.Hints, nil, nil) // no post-state: no hint is delivered
	}
	if msg := cannonvm.DiffHints(hints, cres.Hints, post.LastHint, cres.LastHint); msg != "" {
		return msg
	}
	w := post.Witness()
	enc := w.Encode()
	if !bytes.Equal(enc[:], cres.Witness) {
		return "post-state witness differs: " + firstWitnessDiff(enc[:], cres.Witness) + firstThreadDiff(post, cres.Post) + "\n" + describeThreads("spec post", post) + describeCannonThreads(cres.Post)
	}
	if h := w.Hash(); h != cres.Hash {
		return fmt.Sprintf("state hash differs: spec %s cannon 0x%x", h, cres.Hash)
	}
	return compareWitness(pre, po, cres)
}

// compareWitness requires the spec's witness to equal Cannon's in every byte
// the step uses (state, thread witness, used memory slots, preimage), and
// Cannon's witness to verify statelessly to Cannon's post-state hash
// (CONF-CANNON-WITNESS).
func compareWitness(pre state.State, po preimages, cres cannonvm.Result) string {
	_, w, err := spec.StepWithWitness(pre, spec.Data{Preimages: po})
	if err != nil {
		return fmt.Sprintf("spec witness generation failed: %v", err)
	}
	cw := cres.StepWitness
	if !bytes.Equal(w.State[:], cw.State) || w.StateHash != memory.Hash(cw.StateHash) {
		return "witness state bytes differ"
	}
	used := state.ThreadWitnessSize + memory.ProofSize*max(1, w.SlotsUsed)
	if !bytes.Equal(w.Proof[:used], cw.ProofData[:used]) {
		return fmt.Sprintf("witness proof differs in its first %d bytes (%d slots used): first difference at byte %d", used, w.SlotsUsed, firstByteDiff(w.Proof[:used], cw.ProofData[:used]))
	}
	if w.HasPreimage != cw.HasPreimage() || w.HasPreimage && (w.PreimageKey != cw.PreimageKey || !bytes.Equal(w.PreimageValue, cw.PreimageValue) || w.PreimageOffset != cw.PreimageOffset) {
		return fmt.Sprintf("witness preimage differs: spec (%v %x %d) cannon (%x %d)", w.HasPreimage, w.PreimageKey, w.PreimageOffset, cw.PreimageKey, cw.PreimageOffset)
	}
	d := spec.Data{}
	if cw.HasPreimage() {
		d.Preimages = preimages{cw.PreimageKey: cw.PreimageValue[8:]}
	}
	got, verr := spec.VerifyStep(cw.State, cw.ProofData, [32]byte{}, d)
	if verr != nil || got != memory.Hash(cres.Hash) {
		return fmt.Sprintf("Cannon's witness does not verify to Cannon's post-state %x: got %s, %v", cres.Hash, got, verr)
	}
	return verifyCannonJSON(cw, memory.Hash(cres.Hash))
}

// verifyCannonJSON writes Cannon's witness in the JSON shape of `opcity
// witness` and checks that the file parses, that its claims about the
// pre-state (step, state_hash, preimage key and offset) agree with the
// state, and that it verifies to Cannon's post-state hash, as `opcity
// verify` does.
func verifyCannonJSON(cw *mipsevm.StepWitness, post memory.Hash) string {
	pre, err := state.DecodeWitness(cw.State)
	if err != nil {
		return fmt.Sprintf("Cannon's state witness does not decode: %v", err)
	}
	j := format.WitnessJSON{Step: pre.Step, State: format.Hex(cw.State), StateHash: format.Hex(cw.StateHash[:]), Proof: format.Hex(cw.ProofData), PostStateHash: post.String()}
	if cw.HasPreimage() {
		j.PreimageKey, j.PreimageValue, j.PreimageOffset = format.Hex(cw.PreimageKey[:]), format.Hex(cw.PreimageValue), cw.PreimageOffset
	}
	raw, _ := json.Marshal(j)
	in, err := format.ParseWitness(raw)
	if err != nil {
		return fmt.Sprintf("Cannon's witness as JSON does not parse: %v", err)
	}
	if err := in.VerifyClaims(); err != nil {
		return fmt.Sprintf("Cannon's witness as JSON is rejected: %v", err)
	}
	got, err := spec.VerifyStep(in.State, in.Proof, in.LocalContext, spec.Data{Preimages: in.Oracle})
	if err != nil || got != post || *in.Claimed != post {
		return fmt.Sprintf("Cannon's witness as JSON verifies to %s (%v), want %s", got, err, post)
	}
	return ""
}

func firstByteDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// comparePanics checks that Cannon panicked exactly when the spec reported a
// step with no post-state, and that both name the same failure.
func comparePanics(cannonPanic string, err error) string {
	switch {
	case cannonPanic == "":
		return fmt.Sprintf("spec failed (%v) but cannon stepped", err)
	case err == nil:
		return fmt.Sprintf("cannon panicked (%s) but spec stepped", cannonPanic)
	case specerrors.OutcomeOf(err) != specerrors.OutcomeNoPostState:
		return fmt.Sprintf("spec error %v is not a no-post-state failure (cannon: %s)", err, cannonPanic)
	}
	var e *specerrors.Error
	errors.As(err, &e)
	if want := cannonPanicFor(e.Code); !strings.Contains(cannonPanic, want) {
		return fmt.Sprintf("failure differs: spec %v, cannon %q (expected it to contain %q)", err, cannonPanic, want)
	}
	return ""
}

// cannonPanicFor is the fragment of Cannon's panic message for each code.
func cannonPanicFor(c specerrors.Code) string {
	switch c {
	case specerrors.CodeInvalidInstruction:
		return "invalid instruction"
	case specerrors.CodeBranchInDelaySlot:
		return "branch in delay slot"
	case specerrors.CodeJumpInDelaySlot:
		return "jump in delay slot"
	case specerrors.CodeUnalignedFetch:
		return "unaligned instruction fetch"
	case specerrors.CodeDivideByZero:
		return "divide by zero"
	case specerrors.CodeUnknownSyscall:
		return "unrecognized syscall"
	case specerrors.CodeEmptyThreadStack:
		return "Active thread stack is empty"
	case specerrors.CodeEmptyPostStack:
		return "post-state active thread stack is empty"
	case specerrors.CodePreimageOffsetOOB:
		return "Preimage offset out-of-bounds"
	}
	return c.String()
}

var witnessFields = []struct {
	name     string
	off, len int
}{
	{"memRoot", 0, 32}, {"preimageKey", 32, 32}, {"preimageOffset", 64, 8}, {"heap", 72, 8},
	{"llReservationStatus", 80, 1}, {"llAddress", 81, 8}, {"llOwnerThread", 89, 8},
	{"exitCode", 97, 1}, {"exited", 98, 1}, {"step", 99, 8}, {"stepsSinceLastContextSwitch", 107, 8},
	{"traverseRight", 115, 1}, {"leftThreadStack", 116, 32}, {"rightThreadStack", 148, 32},
	{"nextThreadId", 180, 8},
}

// firstWitnessDiff names the first field where two witnesses differ.
func firstWitnessDiff(a, b []byte) string {
	if len(a) != len(b) {
		return fmt.Sprintf("length %d vs %d", len(a), len(b))
	}
	for _, f := range witnessFields {
		x, y := a[f.off:f.off+f.len], b[f.off:f.off+f.len]
		if !bytes.Equal(x, y) {
			return fmt.Sprintf("field %s: spec 0x%x cannon 0x%x", f.name, x, y)
		}
	}
	return "none"
}

func describeThreads(label string, s state.State) string {
	var b strings.Builder
	for _, st := range []struct {
		name string
		ts   state.ThreadStack
	}{{"left", s.LeftThreads}, {"right", s.RightThreads}} {
		for i, t := range st.ts.Threads {
			fmt.Fprintf(&b, "%s %s[%d]: id=%d exited=%v code=%d pc=0x%x npc=0x%x hi=0x%x lo=0x%x regs=%x\n",
				label, st.name, i, t.ID, t.Exited, t.ExitCode, t.CPU.PC, t.CPU.NextPC, t.CPU.HI, t.CPU.LO, t.CPU.Regs)
		}
	}
	return b.String()
}

// describeState prints a state for a reproducer.
func describeState(s state.State) string {
	w := s.Witness()
	enc := w.Encode()
	return fmt.Sprintf("witness 0x%x\nhash %s\n%s", enc, w.Hash(), describeThreads("pre", s))
}

// firstThreadDiff names the first thread field where the two post-states
// differ, comparing stacks position by position.
func firstThreadDiff(s state.State, cs *multithreaded.State) string {
	pairs := []struct {
		name string
		ours state.ThreadStack
		them []*multithreaded.ThreadState
	}{{"left", s.LeftThreads, cs.LeftThreadStack}, {"right", s.RightThreads, cs.RightThreadStack}}
	for _, p := range pairs {
		if len(p.ours.Threads) != len(p.them) {
			return fmt.Sprintf("; %s stack: spec %d threads, cannon %d", p.name, len(p.ours.Threads), len(p.them))
		}
		for i, t := range p.ours.Threads {
			if d := threadDiff(t, p.them[i]); d != "" {
				return fmt.Sprintf("; %s[%d]: %s", p.name, i, d)
			}
		}
	}
	return ""
}

func threadDiff(t state.Thread, c *multithreaded.ThreadState) string {
	type f struct {
		name       string
		spec, cann uint64
	}
	fields := []f{{"id", t.ID, c.ThreadId}, {"exitCode", uint64(t.ExitCode), uint64(c.ExitCode)},
		{"exited", b2u(t.Exited), b2u(c.Exited)}, {"pc", t.CPU.PC, c.Cpu.PC}, {"nextPC", t.CPU.NextPC, c.Cpu.NextPC},
		{"lo", t.CPU.LO, c.Cpu.LO}, {"hi", t.CPU.HI, c.Cpu.HI}}
	for i := range t.CPU.Regs {
		fields = append(fields, f{fmt.Sprintf("r%d", i), t.CPU.Regs[i], c.Registers[i]})
	}
	for _, x := range fields {
		if x.spec != x.cann {
			return fmt.Sprintf("%s: spec 0x%x cannon 0x%x", x.name, x.spec, x.cann)
		}
	}
	return ""
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// describeCannonThreads prints Cannon's post-state threads for a reproducer.
func describeCannonThreads(cs *multithreaded.State) string {
	var b strings.Builder
	w, h := cs.EncodeWitness()
	fmt.Fprintf(&b, "cannon post witness 0x%x\ncannon post hash 0x%x\n", w, h)
	for _, st := range []struct {
		name string
		ts   []*multithreaded.ThreadState
	}{{"left", cs.LeftThreadStack}, {"right", cs.RightThreadStack}} {
		for i, t := range st.ts {
			fmt.Fprintf(&b, "cannon post %s[%d]: id=%d exited=%v code=%d pc=0x%x npc=0x%x hi=0x%x lo=0x%x regs=%x\n",
				st.name, i, t.ThreadId, t.Exited, t.ExitCode, t.Cpu.PC, t.Cpu.NextPC, t.Cpu.HI, t.Cpu.LO, t.Registers)
		}
	}
	return b.String()
}
