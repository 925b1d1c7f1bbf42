package evm

import (
	"bytes"
	"crypto/sha256"
	stderrors "errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/conformance/cannon/internal/stategen"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

// FuzzEVM_FUZZ_FourWay steps one drawn pre-state in the spec (Step,
// StepWithWitness, VerifyStep), fpvm, Cannon's Go VM and MIPS64.sol and
// requires them to agree (checkFourWay). The inputs: insn, the instruction
// word (form&3 == 3: used as is, from the whole 32-bit space; else the
// encoding vectors.Encodings()[form>>2] with insn's other bits as its
// fields); seed, the state drawn around it (drawPreState); mut, a
// non-canonical byte to set (drawMutation); raw, memory bytes after the
// instruction and at the data address.
func FuzzEVM_FUZZ_FourWay(f *testing.F) {
	h := newHarness(f)
	f.Add(uint32(0x00851021), uint16(3), uint64(1), uint16(0), []byte{})            // addu v0, a0, a1: an ALU op
	f.Add(uint32(0x8C850010), uint16(3), uint64(2), uint16(0), []byte{1, 2, 3})     // lw a1, 16(a0): a load
	f.Add(uint32(0xAC850008), uint16(3), uint64(3), uint16(0), []byte{})            // sw a1, 8(a0): a store
	f.Add(uint32(0x10850004), uint16(3), uint64(4), uint16(0), []byte{})            // beq a0, a1, +4: a branch
	f.Add(uint32(0x0000000C), uint16(3), uint64(5), uint16(0), []byte{})            // syscall (v0 drawn)
	f.Add(uint32(0x0000000C), uint16(3), uint64(6), uint16(0x0503), []byte{})       // syscall; read on fd 5 is drawn often
	f.Add(uint32(0x00851021), uint16(3), uint64(7), uint16(0x0301), []byte{})       // addu, llReservationStatus = 3 (known difference 1)
	f.Add(uint32(0x00851021), uint16(3), uint64(8), uint16(0x020A), []byte{})       // addu, traverseRight = 2 on the right stack (known difference 2)
	f.Add(uint32(0x00851021), uint16(3), uint64(9), uint16(0x7704), []byte{})       // addu, thread exited = 0x77 (known difference 3)
	f.Add(uint32(0x00851021), uint16(3), uint64(10), uint16(0x0203), []byte{})      // addu, exited = 2: both reject
	f.Add(uint32(0x12345678), uint16(4*30), uint64(11), uint16(0), []byte{})        // an encoding from the valid list
	f.Add(uint32(0x8C8500B6), uint16(38), uint64(0x51), uint16(0x3C), []byte{0x30}) // thread exited = 2 on an exited VM: no step reads it (a fuzz finding of the target's own rule)
	f.Fuzz(func(t *testing.T, insn uint32, form uint16, seed uint64, mut uint16, raw []byte) {
		c := drawCase(insn, form, seed, mut, raw)
		if msg := checkFourWay(h, c); msg != "" {
			enc := c.pre.Witness().Encode()
			t.Fatalf("%s\ninstruction 0x%08x (%s), mutation %+v\npre-state witness 0x%x\npre-state hash %s\nreplay: cd conformance/cannon && go test ./evm -run 'FuzzEVM_FUZZ_FourWay/<corpus file>' (inputs insn=%#x form=%d seed=%#x mut=%#x raw=%x)",
				msg, c.word, transition.MnemonicOf(c.word), c.mut, enc, c.pre.Hash(), insn, form, seed, mut, raw)
		}
	})
}

// fourCase is one drawn step: the pre-state, its oracle, and the
// non-canonical byte MIPS64.sol is given on top of it.
type fourCase struct {
	pre  state.State
	po   spec.PreimageMap
	word uint32
	mut  *drawnMutation
}

// drawnMutation is a non-canonical byte and the value MIPS64.sol reads it as
// (the pinned rules of TestEVM_KNOWN_DIFF).
type drawnMutation struct {
	m         mutation
	canonical byte
	revert    string // set when MIPS64.sol must revert whatever the step
}

func drawCase(insn uint32, form uint16, seed uint64, mut uint16, raw []byte) fourCase {
	word := drawInstruction(insn, form)
	r := rand.New(rand.NewPCG(seed, uint64(word)))
	pre, po := drawPreState(r, word, raw)
	return fourCase{pre: pre, po: po, word: word, mut: drawMutation(mut, pre)}
}

// drawInstruction returns insn itself (form&3 == 3) or a valid encoding
// (form>>2 indexes vectors.Encodings) with insn's other fields.
func drawInstruction(insn uint32, form uint16) uint32 {
	if form&3 == 3 {
		return insn
	}
	encs := vectors.Encodings()
	e := encs[int(form>>2)%len(encs)]
	op, sel := e[0], e[1]
	switch op {
	case 0, 0x1C:
		return insn&^(0x3F<<26|0x3F) | op<<26 | sel
	case 1:
		return insn&^(0x3F<<26|0x1F<<16) | 1<<26 | sel<<16
	}
	return insn&^(0x3F<<26) | op<<26
}

// drawPreState builds a pre-state around word from the pieces the
// conformance module's genState uses, drawn as stategen.FourWay draws:
// edge-valued registers, the instruction at PC, data words (and raw) at the
// address a memory instruction touches, an LL reservation near it, syscall
// arguments, a preimage key and offset, extra threads, an exited thread or
// VM, a full quantum, a next thread ID at the top of its range, a partial
// hint frame and a hint stream at a1 where the step writes fd 4. It returns
// the oracle too.
func drawPreState(r *rand.Rand, word uint32, raw []byte) (state.State, spec.PreimageMap) {
	d := stategen.FourWay
	t := d.Thread(r)
	if word>>26 == 0 && word&0x3F == 0x0C {
		drawSyscallArgs(r, &t.CPU.Regs)
	}
	in := transition.Decode(word)
	vaddr := t.CPU.Regs[in.Rs] + in.SImm()
	mem := d.DataWords(r, memory.Memory{}, vaddr, &t.CPU.Regs)
	half := len(raw) / 2
	mem = mem.SetBytes(t.CPU.PC&^3+4, raw[:half])
	mem = mem.SetBytes(vaddr&^7, raw[half:])
	s := state.NewEmpty()
	s.Memory = stategen.PlaceInstruction(mem, t.CPU.PC, word)
	stategen.Scalars(r, &s, t, vaddr)
	po := drawOracle(r, &s)
	s = d.Threads(r, s, t)
	d.EdgeNextThreadID(r, &s)
	return d.Hints(r, s), po
}

// drawSyscallArgs sets v0 to a syscall (implemented, no-op or unknown) and
// a0..a2 to arguments reaching its branches; reads and writes on the
// preimage fds are drawn often.
func drawSyscallArgs(r *rand.Rand, regs *[32]uint64) {
	nums := vectors.SyscallNumbers()
	regs[2] = nums[r.IntN(len(nums))]
	switch r.IntN(6) {
	case 0:
		regs[2] = []uint64{5003, 5061, 4001, 5006, 0, ^uint64(0)}[r.IntN(6)]
	case 1, 2:
		regs[2] = []uint64{transition.SysRead, transition.SysWrite}[r.IntN(2)]
		regs[4] = []uint64{transition.FdPreimageRead, transition.FdPreimageWrite}[r.IntN(2)]
	}
	if regs[2] != transition.SysRead && regs[2] != transition.SysWrite || r.IntN(4) == 0 {
		regs[4] = []uint64{0, 1, 2, 3, 4, 5, 6, 7, 100, transition.CloneFlags, regs[4]}[r.IntN(11)]
	}
	regs[5] = []uint64{regs[5], 0, 1, 3, 4, 0x1000, 128, 129, 0x80, transition.HeapEnd}[r.IntN(10)]
	regs[6] = uint64(r.IntN(40))
}

// drawOracle sets a preimage key MIPS64.sol's oracle can load (local with at
// most 32 bytes, keccak256 or sha256 of its value) and an offset that can
// reach past the end of the stream; it returns the oracle.
func drawOracle(r *rand.Rand, s *state.State) spec.PreimageMap {
	var key [32]byte
	value := make([]byte, r.IntN(80))
	for i := range value {
		value[i] = byte(r.Uint32())
	}
	switch r.IntN(3) {
	case 0:
		for i := range key {
			key[i] = byte(r.Uint32())
		}
		value = value[:min(len(value), 32)]
		key[0] = spec.KeyTypeLocal
	case 1:
		key = memory.Keccak256(value)
		key[0] = spec.KeyTypeKeccak256
	default:
		key = sha256Key(value)
	}
	s.PreimageKey = key
	s.PreimageOffset = r.Uint64N(uint64(len(value)) + 10)
	return spec.PreimageMap{key: value}
}

// sha256Key is the sha256 preimage key of value (type 4 in byte 0).
func sha256Key(value []byte) [32]byte {
	k := sha256.Sum256(value)
	k[0] = spec.KeyTypeSHA256
	return k
}

// drawMutation returns the non-canonical byte mut selects (mut&7: 1
// llReservationStatus, 2 traverseRight, 3 exited, 4 the thread's exited;
// else none) with value mut>>8 raised into the non-canonical range; bit 3
// swaps the stack roots for traverseRight, so the thread stays findable.
func drawMutation(mut uint16, pre state.State) *drawnMutation {
	v := byte(mut >> 8)
	switch mut & 7 {
	case 1:
		return &drawnMutation{m: mutation{field: "llReservationStatus", off: offLLStatus, value: max(v, 3)}, canonical: 0}
	case 2:
		swap := mut&8 != 0 && !pre.TraverseRight
		return &drawnMutation{m: mutation{field: "traverseRight", off: offTraverseRight, swap: swap, value: max(v, 2)}, canonical: 1}
	case 3:
		return &drawnMutation{m: mutation{field: "exited", off: offExited, value: max(v, 2)}, canonical: 1, revert: "InvalidExitedValue()"}
	case 4:
		return &drawnMutation{m: mutation{field: "thread.exited", off: offThreadExited, inThread: true, value: max(v, 2)}, canonical: 1}
	}
	return nil
}

// checkFourWay steps c in the four VMs and returns "" when they agree, or
// the first disagreement:
//   - spec.Step and spec.StepWithWitness: same error code, same post-state;
//   - fpvm (StepWitness): same error code, same post-state witness and
//     hash, the same step witness (state, proof, slots, preimage);
//   - Cannon: panics exactly when the spec fails; else the same hints
//     delivered and LastHint as spec.Advance, the same post-state witness
//     and hash, and the same witness in the bytes the step uses;
//   - spec.VerifyStep of the witness: the post-state hash;
//   - MIPS64.sol on the witness: the post-state hash, or a revert where the
//     spec fails (with chainRevert's reason for the errors it maps). With
//     c.mut applied, where the spec rejects it (invalid field value),
//     MIPS64.sol must do what chainModel says; where the spec does not read
//     the byte, MIPS64.sol must equal spec.VerifyStep.
func checkFourWay(h *Harness, c fourCase) string {
	d := spec.Data{Preimages: c.po}
	post, serr := spec.Step(c.pre, d)
	wpost, w, werr := spec.StepWithWitness(c.pre, d)
	if codeOf(serr) != codeOf(werr) || serr == nil && wpost.Hash() != post.Hash() {
		return fmt.Sprintf("spec.Step (%v) and spec.StepWithWitness (%v) differ", serr, werr)
	}
	if msg := checkFPVM(c, d, post, serr, w); msg != "" {
		return msg
	}
	if msg := checkCannon(c, post, serr, w); msg != "" {
		return msg
	}
	fw := chainWitness(w)
	got, verr := spec.VerifyStep(fw.State, fw.Proof, fw.LocalContext, spec.Data{Preimages: fw.Oracle})
	if serr == nil && (verr != nil || got != post.Hash()) {
		return fmt.Sprintf("spec.VerifyStep of the step's witness: %s (%v), want %s", got, verr, post.Hash())
	}
	if serr != nil && verr == nil {
		return fmt.Sprintf("spec.Step fails (%v), spec.VerifyStep of its witness returns %s", serr, got)
	}
	if c.mut == nil {
		return checkChain(h, fw, [32]byte(got), verr)
	}
	mw := c.mut.m.applyTo(fw)
	mgot, merr := spec.VerifyStep(mw.State, mw.Proof, mw.LocalContext, spec.Data{Preimages: mw.Oracle})
	if !stderrors.Is(merr, errors.ErrInvalidField) {
		// The step never reads the byte (an exited VM): no difference.
		return checkChain(h, mw, [32]byte(mgot), merr)
	}
	if c.mut.revert != "" {
		return checkChainRevert(h, mw, c.mut.revert)
	}
	want, merr := chainModel(c.mut.m, c.mut.canonical, fw)
	return checkChain(h, mw, want, merr)
}

// chainWitness is the step's witness as MIPS64.sol is given it: the state,
// the proof (zero when the active stack holds no thread) and the preimage
// the step read.
func chainWitness(w spec.Witness) format.Witness {
	fw := format.Witness{State: w.State[:], Proof: w.Proof, Oracle: spec.PreimageMap{}}
	if fw.Proof == nil {
		fw.Proof = make([]byte, spec.ProofSize)
	}
	if w.HasPreimage {
		fw.Oracle[w.PreimageKey] = w.PreimageValue[8:]
	}
	return fw
}

// checkChain runs fw through MIPS64.sol: it must return want when err is
// nil, else revert (with chainRevert's reason for err, if it maps one).
func checkChain(h *Harness, fw format.Witness, want [32]byte, err error) string {
	if isExitedWithEmptyActiveStack(fw.State) {
		return checkChainRevert(h, fw, revertExitedEmptyStack)
	}
	r, herr := h.Step(InputOf(fw))
	if herr != nil {
		return herr.Error()
	}
	switch {
	case err == nil && r.Reverted:
		return fmt.Sprintf("spec %x, MIPS64.sol reverts %q", want, r.RevertReason)
	case err == nil && r.PostStateHash != want:
		return fmt.Sprintf("spec %x, MIPS64.sol %x", want, r.PostStateHash)
	case err == nil:
		return ""
	case !r.Reverted:
		return fmt.Sprintf("spec rejects (%v), MIPS64.sol returns %x", err, r.PostStateHash)
	}
	if reason, ok := chainRevert[codeOf(err).String()]; ok && r.RevertReason != reason {
		return fmt.Sprintf("spec rejects (%v), MIPS64.sol reverts %q, want %q", err, r.RevertReason, reason)
	}
	return ""
}

func checkChainRevert(h *Harness, fw format.Witness, reason string) string {
	r, err := h.Step(InputOf(fw))
	if err != nil {
		return err.Error()
	}
	if !r.Reverted || r.RevertReason != reason {
		return fmt.Sprintf("MIPS64.sol reverted=%v %q %x, want revert %q", r.Reverted, r.RevertReason, r.PostStateHash, reason)
	}
	return ""
}

// checkFPVM steps c in fpvm with its own witness.
func checkFPVM(c fourCase, d spec.Data, post state.State, serr error, w spec.Witness) string {
	vm, err := fpvm.FromState(c.pre)
	if err != nil {
		return fmt.Sprintf("fpvm.FromState: %v", err)
	}
	fw, ferr := vm.StepWitness(d)
	if codeOf(ferr) != codeOf(serr) {
		return fmt.Sprintf("spec error %v, fpvm error %v", serr, ferr)
	}
	if fw.State != w.State || !bytes.Equal(fw.Proof, w.Proof) || fw.SlotsUsed != w.SlotsUsed ||
		fw.HasPreimage != w.HasPreimage || fw.PreimageKey != w.PreimageKey || !bytes.Equal(fw.PreimageValue, w.PreimageValue) || fw.PreimageOffset != w.PreimageOffset {
		return "fpvm's step witness differs from the spec's"
	}
	if serr != nil {
		return ""
	}
	if vm.Witness().Encode() != post.Witness().Encode() || vm.Hash() != post.Hash() || vm.State().Hash() != post.Hash() {
		return fmt.Sprintf("post-state differs: spec %s, fpvm %s", post.Hash(), vm.Hash())
	}
	return ""
}

// checkCannon steps c in Cannon's Go VM.
func checkCannon(c fourCase, post state.State, serr error, w spec.Witness) string {
	cres := cannonvm.Step(c.pre, c.po)
	switch {
	case cres.Panic != "" && serr == nil:
		return fmt.Sprintf("cannon fails (%s), spec steps", cres.Panic)
	case cres.Panic == "" && serr != nil:
		return fmt.Sprintf("spec fails (%v), cannon steps", serr)
	case serr != nil:
		return cannonvm.DiffHints(nil, cres.Hints, nil, nil)
	}
	apost, hints, err := cannonvm.AdvanceSpec(c.pre, spec.Data{Preimages: c.po})
	if err != nil || apost.Hash() != post.Hash() {
		return fmt.Sprintf("spec.Advance (%v) differs from spec.Step", err)
	}
	if msg := cannonvm.DiffHints(hints, cres.Hints, apost.LastHint, cres.LastHint); msg != "" {
		return "cannon: " + msg
	}
	enc := post.Witness().Encode()
	if !bytes.Equal(enc[:], cres.Witness) || post.Hash() != memory.Hash(cres.Hash) {
		return fmt.Sprintf("post-state differs: spec %x, cannon %x", enc, cres.Witness)
	}
	cw := cres.StepWitness
	used := state.ThreadWitnessSize + memory.ProofSize*max(1, w.SlotsUsed)
	if !bytes.Equal(w.State[:], cw.State) || !bytes.Equal(w.Proof[:used], cw.ProofData[:used]) {
		return "cannon's step witness differs from the spec's in the bytes the step uses"
	}
	if w.HasPreimage != cw.HasPreimage() || w.HasPreimage && (w.PreimageKey != cw.PreimageKey || !bytes.Equal(w.PreimageValue, cw.PreimageValue) || w.PreimageOffset != cw.PreimageOffset) {
		return "cannon's witness preimage differs from the spec's"
	}
	return ""
}

// codeOf is the code of a spec error, 0 for nil.
func codeOf(err error) errors.Code {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return ^errors.Code(0)
	}
	return 0
}

// revertExitedEmptyStack is MIPS64.sol's revert on an exited VM whose
// active stack is empty (TestEVM_KNOWN_DIFF_ExitedEmptyStack).
const revertExitedEmptyStack = "MIPS64: post-state active thread stack is empty"

// isExitedWithEmptyActiveStack reports whether the 188 state bytes are an
// exited VM (exited byte 1) whose active stack, as MIPS64.sol reads
// traverseRight (any nonzero byte is true), is the empty stack.
func isExitedWithEmptyActiveStack(b []byte) bool {
	at := offLeftStack
	if b[offTraverseRight] != 0 {
		at = offRightStack
	}
	return b[offExited] == 1 && memory.Hash(b[at:at+32]) == state.NewThreadStack().Root()
}
