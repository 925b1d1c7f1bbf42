package evm

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/vectors"
)

// Byte offsets of the one-byte fields a mutation sets (docs/spec.md).
const (
	offLLStatus      = 80  // state: llReservationStatus
	offExited        = 98  // state: exited
	offTraverseRight = 115 // state: traverseRight
	offLeftStack     = 116 // state: leftThreadStack
	offRightStack    = 148 // state: rightThreadStack
	offThreadExited  = 9   // thread (proof bytes 0..298): exited
)

// mutation sets one byte of a vector's pre-state to value. inThread: the
// byte is the proven thread's, and the thread's new hash is folded into the
// active stack root, so the thread witness stays valid. swap: the left and
// right stack roots are exchanged first, so a traverseRight that MIPS64.sol
// reads as true finds the thread.
type mutation struct {
	field    string
	off      int
	inThread bool
	swap     bool
	value    byte
}

// canonical is the mutation with the byte's value as MIPS64.sol reads it
// (0 or 1): the pre-state the spec can decode and the chain treats alike.
func (m mutation) canonical(v byte) mutation { m.value = v; return m }

// apply returns the vector's witness with m applied.
func (m mutation) apply(t *testing.T, v vectors.Vector) format.Witness {
	t.Helper()
	w, err := vectorWitness(v)
	if err != nil {
		t.Fatal(err)
	}
	return m.applyTo(w)
}

// applyTo returns w with m applied, on copies of its state and proof bytes.
func (m mutation) applyTo(w format.Witness) format.Witness {
	w.State, w.Proof = append([]byte{}, w.State...), append([]byte{}, w.Proof...)
	if m.swap {
		left := [32]byte(w.State[offLeftStack:])
		copy(w.State[offLeftStack:], w.State[offRightStack:offRightStack+32])
		copy(w.State[offRightStack:], left[:])
	}
	if !m.inThread {
		w.State[m.off] = m.value
		return w
	}
	w.Proof[m.off] = m.value
	root := state.PushRoot(memory.Hash(w.Proof[state.ThreadSize:state.ThreadWitnessSize]), memory.Keccak256(w.Proof[:state.ThreadSize]))
	at := offLeftStack
	if w.State[offTraverseRight] != 0 {
		at = offRightStack
	}
	copy(w.State[at:], root[:])
	return w
}

// specPostWitness steps the decodable pre-state (stateData, proof) in the
// spec over witnessed memory, as spec.VerifyStep does, and returns the
// post-state's 188 bytes, reading d. An exited VM's post-state is its
// pre-state, as in spec.VerifyStep.
func specPostWitness(stateData, proof []byte, d spec.Data) ([state.WitnessSize]byte, error) {
	w, err := state.DecodeWitness(stateData)
	if err != nil {
		return [state.WitnessSize]byte{}, err
	}
	if w.Exited {
		// An exited VM does not step: the post-state is the pre-state, and
		// the stacks are not rebuilt from the proof (finding
		// 35a8e7edf9258fb1: traverseRight read as 1 on an exited VM whose
		// proof is the left stack's thread).
		return [state.WitnessSize]byte(stateData), nil
	}
	th, err := state.DecodeThread(proof[:state.ThreadSize])
	if err != nil {
		return [state.WitnessSize]byte{}, err
	}
	active := state.ThreadStack{Base: memory.Hash(proof[state.ThreadSize:state.ThreadWitnessSize]), Threads: []state.Thread{th}}
	s := state.State{
		PreimageKey: w.PreimageKey, PreimageOffset: w.PreimageOffset, Heap: w.Heap,
		LLReservationStatus: w.LLReservationStatus, LLAddress: w.LLAddress, LLOwnerThread: w.LLOwnerThread,
		ExitCode: w.ExitCode, Exited: w.Exited, Step: w.Step,
		StepsSinceLastContextSwitch: w.StepsSinceLastContextSwitch, TraverseRight: w.TraverseRight,
		LeftThreads:  state.ThreadStack{Base: w.LeftThreadStack},
		RightThreads: state.ThreadStack{Base: w.RightThreadStack},
		NextThreadID: w.NextThreadID,
		Memory:       memory.NewWitnessed(w.MemRoot, proof[state.ThreadWitnessSize:]),
	}
	s = s.WithStacks(active, s.InactiveStack())
	post, err := spec.Step(s, d)
	if err != nil {
		return [state.WitnessSize]byte{}, err
	}
	return post.Witness().Encode(), nil
}

// witnessHash is the state hash of 188 raw bytes, whatever their flags:
// keccak256 with byte 0 replaced by the VM status (exited read as byte == 1).
func witnessHash(b [state.WitnessSize]byte) [32]byte {
	h := memory.Keccak256(b[:])
	h[0] = byte(state.StatusOf(b[offExited] == 1, b[offExited-1]))
	return h
}

// chainReads says how MIPS64.sol reads a non-canonical byte in a known
// difference, checked against the spec on the canonical pre-state:
type chainReads int

const (
	// carries: it reads the byte as the canonical value and copies the raw
	// byte to the post-state, unless the step writes the field: the post-state
	// is the spec's from the canonical pre-state with the raw byte put back
	// where the spec left the canonical value.
	carries chainReads = iota + 1
	// consumes: the step replaces or removes the field (ll sets the
	// reservation, a pop removes the thread): the post-state is the spec's
	// from the canonical pre-state.
	consumes
	// rejects: MIPS64.sol reverts with the case's reason, like the spec.
	rejects
)

// knownCase is one pre-state with a non-canonical byte: the spec rejects it
// with CodeInvalidField (the strict decoder of docs/spec.md); MIPS64.sol
// does what reads says.
type knownCase struct {
	vector    string
	m         mutation
	canonical byte // the value MIPS64.sol reads the byte as
	reads     chainReads
	revert    string // for rejects
}

var (
	llStatus3      = mutation{field: "llReservationStatus", off: offLLStatus, value: 3}
	llStatus255    = mutation{field: "llReservationStatus", off: offLLStatus, value: 255}
	traverse2      = mutation{field: "traverseRight", off: offTraverseRight, swap: true, value: 2}
	traverse255    = mutation{field: "traverseRight", off: offTraverseRight, swap: true, value: 255}
	traverse2Left  = mutation{field: "traverseRight", off: offTraverseRight, value: 2}
	exited2        = mutation{field: "exited", off: offExited, value: 2}
	threadExited2  = mutation{field: "thread.exited", off: offThreadExited, inThread: true, value: 2}
	threadExited77 = mutation{field: "thread.exited", off: offThreadExited, inThread: true, value: 0x77}
)

// knownCases are the pinned differences between spec.VerifyStep and
// MIPS64.sol (docs/evm.md, Known differences), and the neighbouring cases
// where both reject.
var knownCases = []knownCase{
	{"addu/0", llStatus3, 0, carries, ""},
	{"addu/0", llStatus255, 0, carries, ""},
	{"sw/0", llStatus3, 0, carries, ""},
	{"syscall/getpid", llStatus255, 0, carries, ""},
	{"threads/preempt", llStatus3, 0, carries, ""},
	{"ll/0", llStatus3, 0, consumes, ""},
	{"ll/0", llStatus255, 0, consumes, ""},
	{"sc/0", llStatus3, 0, carries, ""},
	{"scd/0", llStatus255, 0, carries, ""},
	{"addu/0", traverse2, 1, carries, ""},
	{"sw/0", traverse255, 1, carries, ""},
	{"syscall/getpid", traverse2, 1, carries, ""},
	{"threads/pop-exited", threadExited2, 1, consumes, ""}, // the thread is exited already
	{"threads/preempt", threadExited2, 1, consumes, ""},
	{"threads/flip", threadExited77, 1, consumes, ""},
	// Both reject: the step has no post-state on chain either.
	{"addu/0", traverse2Left, 1, rejects, "MIPS64: active thread stack is empty"},
	{"addu/0", exited2, 1, rejects, "InvalidExitedValue()"},
	{"addu/0", threadExited2, 1, rejects, "MIPS64: post-state active thread stack is empty"},
}

// TestEVM_KNOWN_DIFF pins each known difference: every entry of
// testdata/known-differences.json (knownCases, then the exited VMs with an
// empty active stack) replays through spec.VerifyStep to the spec's
// recorded result (CodeInvalidField for a non-canonical byte) and through
// MIPS64.sol to its recorded one: the post-state hash chainModel gives, or
// the pinned revert reason where both reject. TestEVM_KNOWN_DIFF_Committed
// holds the file to the spec and the model.
func TestEVM_KNOWN_DIFF(t *testing.T) {
	f := readKnownFile(t)
	h := newHarness(t)
	differences := 0
	for _, e := range f.Cases {
		if msg := replayKnown(h, e); msg != "" {
			t.Errorf("%s: %s\nreplay: cd conformance/cannon && go test ./evm -run 'TestEVM_KNOWN_DIFF$'", e.Name, msg)
		}
		if (e.Spec.Error == nil) != (e.MIPS64.Revert == "") {
			differences++
		}
	}
	t.Logf("known differences pinned: %d entries of %s, %d where one verifier returns a post-state and the other rejects, %d where both reject", len(f.Cases), knownFilePath, differences, len(f.Cases)-differences)
}

// expectedChainPost returns the post-state hash MIPS64.sol must return for
// c: chainModel's, which must not reject.
func expectedChainPost(t *testing.T, name string, c knownCase, v vectors.Vector) [32]byte {
	t.Helper()
	w, err := vectorWitness(v)
	if err != nil {
		t.Fatal(err)
	}
	h, err := chainModel(c.m, c.canonical, w)
	if err != nil {
		t.Fatalf("%s: canonical pre-state: %v", name, err)
	}
	return h
}

// chainModel is the pinned reading of a non-canonical byte (docs/evm.md,
// Known differences): the post-state hash MIPS64.sol returns for w with m
// applied, where it reads the byte as canonical. That is the spec's
// post-state from the canonical pre-state (m with value canonical), with
// the raw byte put back where the spec left the canonical value (a state
// byte the step does not write; a thread byte goes with the popped
// thread). It returns spec.VerifyStep's error when the canonical pre-state
// has no post-state: MIPS64.sol must then revert.
func chainModel(m mutation, canonical byte, w format.Witness) ([32]byte, error) {
	if m.off == offLLStatus && !m.inThread {
		canonical = llStatusReading(w, canonical)
	}
	cw := m.canonical(canonical).applyTo(w)
	if _, err := spec.VerifyStep(cw.State, cw.Proof, cw.LocalContext, spec.Data{Preimages: cw.Oracle}); err != nil {
		return [32]byte{}, err
	}
	post, err := specPostWitness(cw.State, cw.Proof, spec.Data{Preimages: cw.Oracle})
	if err != nil {
		return [32]byte{}, err
	}
	if !m.inThread && post[m.off] == canonical {
		post[m.off] = m.value
	}
	return witnessHash(post), nil
}

// TestEVM_KNOWN_DIFF_ExitedEmptyStack pins a difference on canonical bytes
// that FuzzEVM_FUZZ_FourWay found (corpus entry 06ece671573eb05e): an
// exited VM whose active stack is empty. spec.VerifyStep returns the
// pre-state hash (an exited VM does not step, so the spec never looks at
// the stacks); MIPS64.sol reverts "MIPS64: post-state active thread stack
// is empty" (its post-state check runs on the exited path too). Cannon's Go
// VM cannot produce such a state: a VM exits with its threads on the stacks.
// Both states are entries of testdata/known-differences.json; this checks
// that they are what they say and replays them.
func TestEVM_KNOWN_DIFF_ExitedEmptyStack(t *testing.T) {
	h := newHarness(t)
	entries := map[string]knownEntry{}
	for _, e := range readKnownFile(t).Cases {
		entries[e.Name] = e
	}
	for _, right := range []bool{false, true} {
		enc, _ := exitedEmptyStack(right)
		s, err := state.DecodeWitness(enc[:])
		if err != nil || !s.Exited || !isExitedWithEmptyActiveStack(enc[:]) {
			t.Fatalf("traverseRight=%v: the state is not an exited VM with an empty active stack (%v)", right, err)
		}
		name := fmt.Sprintf("exited-empty-stack/traverseRight=%d", b2i(right))
		e, ok := entries[name]
		if !ok {
			t.Fatalf("%s: not in %s", name, knownFilePath)
		}
		if e.Spec.PostStateHash != s.Hash().String() || e.MIPS64.Revert != revertExitedEmptyStack {
			t.Errorf("%s: the file records spec %+v and MIPS64.sol %+v, want the pre-state hash and revert %q", name, e.Spec, e.MIPS64, revertExitedEmptyStack)
		}
		if msg := replayKnown(h, e); msg != "" {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// exitedEmptyStack returns an exited VM (exit code 1) whose active stack,
// the right one or the left, is empty, its one thread on the other, and a
// zero proof.
func exitedEmptyStack(right bool) ([state.WitnessSize]byte, []byte) {
	s := state.NewEmpty()
	s.Exited, s.ExitCode, s.TraverseRight = true, 1, right
	th := state.Thread{ID: 1}
	th.CPU.PC, th.CPU.NextPC = 0x1000, 0x1004
	s = s.WithStacks(state.NewThreadStack(), state.NewThreadStack(th)) // the thread is on the inactive stack
	return s.Witness().Encode(), make([]byte, spec.ProofSize)
}

// llStatusReading is how MIPS64.sol reads a raw llReservationStatus byte
// outside {0, 1, 2} for the step of w: sc and scd compare it with their
// target status, so it reads as no reservation (0), and ll and lld
// overwrite it, so 0 models them too; every other step only carries the
// byte or clears it when a memory write hits llAddress (handleMemoryUpdate
// clears whatever the status is), which is how the spec treats an active
// reservation (1). FuzzEVM_FUZZ_FourWay found the clear (finding
// d3610f42280dd76b: an sw to llAddress with the status 3 leaves 0).
// Without a decodable instruction it returns fallback.
func llStatusReading(w format.Witness, fallback byte) byte {
	if len(w.Proof) < state.ThreadWitnessSize+memory.ProofSize {
		return fallback
	}
	th, err := state.DecodeThread(w.Proof[:state.ThreadSize])
	if err != nil {
		return fallback
	}
	var mp memory.Proof
	copy(mp[:], w.Proof[state.ThreadWitnessSize:])
	leaf, pc := mp.Leaf(), th.CPU.PC
	if pc&3 != 0 {
		return fallback // an unaligned fetch fails in both
	}
	word := binary.BigEndian.Uint32(leaf[pc&31:])
	switch word >> 26 {
	case 0x30, 0x34, 0x38, 0x3C: // ll, lld, sc, scd
		return 0
	}
	return 1
}
