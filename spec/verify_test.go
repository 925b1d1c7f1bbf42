package spec_test

import (
	"encoding/binary"
	stderrors "errors"
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// oneInsn returns a state whose thread runs insn at 0x10000 with r4 = 0x20000
// and the word 0x1122334455667788 at 0x20000.
func oneInsn(insn uint32) spec.State {
	s := state.NewInitial(0x10000, 0x1000_0000_0000)
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], insn)
	mem := memory.Memory{}.SetBytes(0x10000, b[:])
	mem, _ = mem.SetWord(0x20000, 0x1122334455667788)
	s.Memory = mem
	t, _ := s.CurrentThread()
	t.CPU.Regs[4] = 0x20000
	t.CPU.Regs[2] = 5222 // clock_gettime, for the syscall case
	t.CPU.Regs[5] = 0x20008
	t.CPU.Regs[4] = 0x20000
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

func codeOf(err error) errors.Code {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return e.Code
	}
	return 0
}

// TestVER_STATELESS: for a load, a store and clock_gettime (two slots), the
// verifier over the witness gives the stateful post-state hash.
func TestVER_STATELESS(t *testing.T) {
	for name, insn := range map[string]uint32{"lw": 0x8C820000, "sw": 0xAC820008, "clock_gettime": 0x0000000C, "nop": 0} {
		t.Run(name, func(t *testing.T) {
			pre := oneInsn(insn)
			post, w, err := spec.StepWithWitness(pre, spec.Data{})
			if err != nil {
				t.Fatal(err)
			}
			got, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, spec.Data{})
			if err != nil || got != post.Hash() {
				t.Fatalf("VerifyStep = %s, %v; Step gives %s", got, err, post.Hash())
			}
		})
	}
}

// TestERR_BAD_PROOF: a flipped sibling in the data slot, and a thread
// witness over the wrong inner root, are rejected with their codes.
func TestERR_BAD_PROOF(t *testing.T) {
	_, w, err := spec.StepWithWitness(oneInsn(0x8C820000), spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	proof := append([]byte(nil), w.Proof...)
	proof[state.ThreadWitnessSize+memory.ProofSize+100] ^= 1
	if _, err := spec.VerifyStep(w.State[:], proof, [32]byte{}, spec.Data{}); codeOf(err) != errors.CodeBadMemoryProof {
		t.Fatalf("flipped data-slot sibling: %v, want CodeBadMemoryProof", err)
	}
	proof = append([]byte(nil), w.Proof...)
	proof[state.ThreadSize] ^= 1
	if _, err := spec.VerifyStep(w.State[:], proof, [32]byte{}, spec.Data{}); codeOf(err) != errors.CodeBadThreadWitness {
		t.Fatalf("flipped inner root: %v, want CodeBadThreadWitness", err)
	}
	if _, err := spec.VerifyStep(w.State[:100], w.Proof, [32]byte{}, spec.Data{}); codeOf(err) != errors.CodeWrongLength {
		t.Fatalf("short state: %v, want CodeWrongLength", err)
	}
}

// TestERR_MISSING_MEMORY: a proof cut after slot 0 cannot serve a load's
// data word; the witnessed memory refuses a word beyond its slots.
func TestERR_MISSING_MEMORY(t *testing.T) {
	_, w, err := spec.StepWithWitness(oneInsn(0x8C820000), spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	short := w.Proof[:state.ThreadWitnessSize+memory.ProofSize]
	if _, err := spec.VerifyStep(w.State[:], short, [32]byte{}, spec.Data{}); codeOf(err) != errors.CodeWrongLength {
		t.Fatalf("proof without slot 1: %v, want CodeWrongLength", err)
	}
	m := memory.Memory{}
	p0, p1, p2 := m.Proof(0), m.Proof(8), m.Proof(16)
	wm := memory.NewWitnessed(m.Root(), append(append(p0[:], p1[:]...), p2[:]...))
	if _, err := wm.Word(0); err != nil {
		t.Fatal(err)
	}
	if _, err := wm.Word(8); err != nil {
		t.Fatal(err)
	}
	if _, err := wm.Word(0x40); codeOf(err) != errors.CodeMissingMemory {
		t.Fatalf("a non-adjacent second data word: %v, want CodeMissingMemory", err)
	}
}

// TestVER_SOUND_BadPreimage: a keccak256 key whose value does not hash to
// it is rejected with CodeBadPreimage, not served.
func TestVER_SOUND_BadPreimage(t *testing.T) {
	pre := oneInsn(0x0000000C)
	th, _ := pre.CurrentThread()
	th.CPU.Regs[2], th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = 5000, 5, 0x20000, 8 // read(5, 0x20000, 8)
	active, _ := pre.ActiveStack().ReplaceTop(th)
	pre = pre.WithStacks(active, pre.InactiveStack())
	value := []byte("opcity")
	key := memory.Keccak256(value)
	key[0] = spec.KeyTypeKeccak256
	pre.PreimageKey = key
	good := spec.PreimageMap{key: value}
	post, w, err := spec.StepWithWitness(pre, spec.Data{Preimages: good})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, spec.Data{Preimages: good}); err != nil || got != post.Hash() {
		t.Fatalf("honest preimage: %s, %v", got, err)
	}
	bad := spec.PreimageMap{key: []byte("opcitY")}
	if _, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, spec.Data{Preimages: bad}); codeOf(err) != errors.CodeBadPreimage {
		t.Fatalf("wrong preimage: %v, want CodeBadPreimage", err)
	}
}

// TestVER_STATELESS_ThreadWitnessOnly: a step that touches no memory (a
// preemption) verifies from a proof holding only the 330-byte thread
// witness; the witness of a preimage read at offset >= 32 of a value longer
// than 8 bytes carries the prefixed value and verifies.
func TestVER_STATELESS_ThreadWitnessOnly(t *testing.T) {
	pre := oneInsn(0)
	pre.StepsSinceLastContextSwitch = 100_000
	post, w, err := spec.StepWithWitness(pre, spec.Data{})
	if err != nil || w.SlotsUsed != 0 {
		t.Fatalf("preempt: %v, %d slots", err, w.SlotsUsed)
	}
	if got, err := spec.VerifyStep(w.State[:], w.Proof[:state.ThreadWitnessSize], [32]byte{}, spec.Data{}); err != nil || got != post.Hash() {
		t.Fatalf("VerifyStep with the thread witness only: %s, %v", got, err)
	}
	pre = oneInsn(0x0000000C)
	th, _ := pre.CurrentThread()
	th.CPU.Regs[2], th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = 5000, 5, 0x20000, 8
	active, _ := pre.ActiveStack().ReplaceTop(th)
	pre = pre.WithStacks(active, pre.InactiveStack())
	value := []byte("a preimage well over thirty-two bytes long, read at offset 40")
	key := memory.Keccak256(value)
	key[0] = spec.KeyTypeKeccak256
	pre.PreimageKey, pre.PreimageOffset = key, 40
	d := spec.Data{Preimages: spec.PreimageMap{key: value}}
	post, w, err = spec.StepWithWitness(pre, d)
	if err != nil || !w.HasPreimage || len(w.PreimageValue) != 8+len(value) || w.PreimageOffset != 40 {
		t.Fatalf("read at offset 40: %v, preimage %v (%d bytes) at %d", err, w.HasPreimage, len(w.PreimageValue), w.PreimageOffset)
	}
	if got := post.Memory.(memory.Memory).Bytes(0x20000, 8); string(got) != string(value[32:40]) {
		t.Fatalf("read bytes %q, want %q", got, value[32:40])
	}
	if got, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, d); err != nil || got != post.Hash() {
		t.Fatalf("VerifyStep: %s, %v", got, err)
	}
}

// TestVER_TRAILING: VerifyStep, like MIPS64.sol (which checks only that
// calldata holds each proof it reads), ignores proof bytes after the slots
// the step reads: a proof with a slot of garbage and an odd byte appended,
// or cut to the slots used, verifies to the same post-state. The witness
// file format refuses such proofs (INPUT-WITNESS-FIELDS).
func TestVER_TRAILING(t *testing.T) {
	pre := oneInsn(0x8C820000) // lw: fetch and one data slot
	post, w, err := spec.StepWithWitness(pre, spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	garbage := make([]byte, memory.ProofSize+1)
	for i := range garbage {
		garbage[i] = byte(i*7 + 1)
	}
	for name, proof := range map[string][]byte{
		"appended": append(append([]byte{}, w.Proof...), garbage...),
		"cut":      w.Proof[:state.ThreadWitnessSize+2*memory.ProofSize],
	} {
		if got, err := spec.VerifyStep(w.State[:], proof, [32]byte{}, spec.Data{}); err != nil || got != post.Hash() {
			t.Errorf("%s (%d bytes): %s, %v; want %s", name, len(proof), got, err, post.Hash())
		}
	}
	if _, err := spec.VerifyStep(w.State[:], w.Proof[:state.ThreadWitnessSize+memory.ProofSize], [32]byte{}, spec.Data{}); codeOf(err) != errors.CodeWrongLength {
		t.Errorf("a proof without the data slot: %v, want CodeWrongLength", err)
	}
}
