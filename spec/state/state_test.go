package state_test

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// Vectors of Cannon v1.19.6: emptyStateHash is what
// multithreaded.CreateEmptyState (cannon/mipsevm/multithreaded/state.go:79-96)
// hashes to through EncodeWitness (state.go:201-225, 429-439), measured by
// running it; emptyThreadsRoot is Cannon's EmptyThreadsRoot
// (multithreaded/thread.go:32-33), keccak256 of 64 zero bytes.
const (
	emptyStateHash   = "0x035b096e17d7b97f6bbaa13d179958e729b70813e931dc90dbf4193372f3dc71"
	emptyThreadsRoot = "0xad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"
)

// TestST_HASH_EmptyState: the state Cannon's CreateEmptyState builds hashes
// to the value Cannon's code gives it (emptyStateHash).
func TestST_HASH_EmptyState(t *testing.T) {
	if got := state.NewEmpty().Hash().String(); got != emptyStateHash {
		t.Fatalf("NewEmpty().Hash() = %s, want %s", got, emptyStateHash)
	}
}

// TestST_STACK_EmptyThreadsRoot: the empty stack root is keccak256 of 64
// zero bytes.
func TestST_STACK_EmptyThreadsRoot(t *testing.T) {
	if got := state.EmptyThreadsRoot.String(); got != emptyThreadsRoot {
		t.Fatalf("EmptyThreadsRoot = %s, want %s", got, emptyThreadsRoot)
	}
	if hashOf(keccak(make([]byte, 64))) != state.EmptyThreadsRoot {
		t.Fatalf("EmptyThreadsRoot is not keccak256(0^64)")
	}
	if got := state.NewThreadStack().Root(); got != state.EmptyThreadsRoot {
		t.Fatalf("NewThreadStack().Root() = %s, want the empty root", got)
	}
}

// TestST_STATE_NewEmpty: one thread (id 0, PC 0, NextPC 4) on the left stack,
// right stack empty, nextThreadId 1, every other field zero.
func TestST_STATE_NewEmpty(t *testing.T) {
	s := state.NewEmpty()
	if s.LeftThreads.Len() != 1 || s.RightThreads.Len() != 0 || !s.RightThreads.IsEmpty() {
		t.Fatalf("stacks L=%d R=%d, want 1 and 0", s.LeftThreads.Len(), s.RightThreads.Len())
	}
	want := state.Thread{ID: 0}
	want.CPU.NextPC = 4 // Cannon CreateEmptyThread: PC 0, NextPC 4
	if got := s.LeftThreads.Threads[0]; got != want {
		t.Fatalf("thread 0 has PC %#x, NextPC %#x, want PC 0, NextPC 4 (Cannon multithreaded/thread.go:43-57)", got.CPU.PC, got.CPU.NextPC)
	}
	if s.NextThreadID != 1 || s.Exited || s.TraverseRight || s.Step != 0 || s.Heap != 0 {
		t.Fatalf("NewEmpty fields %+v", s.Witness())
	}
	if got, want := s.Memory.Root().String(), "0x14af5385bcbb1e4738bbae8106046e6e2fca42875aa5c000c582587742bcc748"; got != want {
		t.Fatalf("memory root %s, want the empty root %s", got, want)
	}
}

// TestST_STATE_NewInitial: thread 0 at pc with nextPC = pc+4 and the heap
// set (Cannon CreateInitialState).
func TestST_STATE_NewInitial(t *testing.T) {
	s := state.NewInitial(0x10000, 0x1000_0000_0000)
	th, err := s.CurrentThread()
	if err != nil {
		t.Fatal(err)
	}
	if th.ID != 0 || th.CPU.PC != 0x10000 || th.CPU.NextPC != 0x10004 || s.Heap != 0x1000_0000_0000 || s.NextThreadID != 1 {
		t.Fatalf("NewInitial: thread %+v heap %#x next id %d", th, s.Heap, s.NextThreadID)
	}
}

// distinctWitness sets every field to a value no other field shares.
func distinctWitness() state.Witness {
	w := state.Witness{
		PreimageOffset:              0x4142_4344_4546_4748,
		Heap:                        0x494A_4B4C_4D4E_4F50,
		LLReservationStatus:         2,
		LLAddress:                   0x5152_5354_5556_5758,
		LLOwnerThread:               0x595A_5B5C_5D5E_5F60,
		ExitCode:                    0x61,
		Exited:                      true,
		Step:                        0x6263_6465_6667_6869,
		StepsSinceLastContextSwitch: 0x6A6B_6C6D_6E6F_7071,
		TraverseRight:               true,
		NextThreadID:                0xB2B3_B4B5_B6B7_B8B9,
	}
	for i := 0; i < 32; i++ {
		w.MemRoot[i] = byte(0x01 + i)
		w.PreimageKey[i] = byte(0x21 + i)
		w.LeftThreadStack[i] = byte(0x72 + i)
		w.RightThreadStack[i] = byte(0x92 + i)
	}
	return w
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestENC_STATE_Offsets: each field sits at the byte offset of Cannon's
// witness (cannon/mipsevm/multithreaded/state.go:19-39, 201-225), big-endian,
// booleans one byte, 188 bytes, no padding.
func TestENC_STATE_Offsets(t *testing.T) {
	w := distinctWitness()
	enc := w.Encode()
	if len(enc) != 188 || state.WitnessSize != 188 {
		t.Fatalf("witness size %d (const %d), want 188", len(enc), state.WitnessSize)
	}
	for _, f := range []struct {
		name   string
		offset int
		want   []byte
	}{
		{"memRoot", 0, w.MemRoot[:]},
		{"preimageKey", 32, w.PreimageKey[:]},
		{"preimageOffset", 64, mustHex(t, "4142434445464748")},
		{"heap", 72, mustHex(t, "494a4b4c4d4e4f50")},
		{"llReservationStatus", 80, []byte{2}},
		{"llAddress", 81, mustHex(t, "5152535455565758")},
		{"llOwnerThread", 89, mustHex(t, "595a5b5c5d5e5f60")},
		{"exitCode", 97, []byte{0x61}},
		{"exited", 98, []byte{1}},
		{"step", 99, mustHex(t, "6263646566676869")},
		{"stepsSinceLastContextSwitch", 107, mustHex(t, "6a6b6c6d6e6f7071")},
		{"traverseRight", 115, []byte{1}},
		{"leftThreadStack", 116, w.LeftThreadStack[:]},
		{"rightThreadStack", 148, w.RightThreadStack[:]},
		{"nextThreadId", 180, mustHex(t, "b2b3b4b5b6b7b8b9")},
	} {
		if got := enc[f.offset : f.offset+len(f.want)]; !bytes.Equal(got, f.want) {
			t.Errorf("%s at offset %d = %x, want %x", f.name, f.offset, got, f.want)
		}
	}
	// The fields tile the witness exactly: the end of nextThreadId is byte 188.
	if len(enc) != 180+8 {
		t.Fatalf("fields end at 188, witness is %d bytes", len(enc))
	}
}

// TestENC_STATE_FromState: State.Witness reduces memory and stacks to their
// roots and copies every scalar field.
func TestENC_STATE_FromState(t *testing.T) {
	s := state.NewEmpty()
	m, err := s.Memory.WithWord(0x20000, 0x1122)
	if err != nil {
		t.Fatal(err)
	}
	s.Memory = m
	a, b, c := sampleThread(1), sampleThread(2), sampleThread(3)
	s.LeftThreads = state.NewThreadStack(a, b)
	s.RightThreads = state.NewThreadStack(c)
	s.PreimageKey[0], s.PreimageOffset, s.Heap = 7, 8, 9
	s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = 1, 10, 11
	s.ExitCode, s.Exited, s.Step, s.StepsSinceLastContextSwitch = 12, true, 13, 14
	s.TraverseRight, s.NextThreadID = true, 15
	s.LastHint = []byte("not in the witness")

	w := s.Witness()
	want := state.Witness{
		MemRoot: s.Memory.Root(), PreimageKey: s.PreimageKey, PreimageOffset: 8, Heap: 9,
		LLReservationStatus: 1, LLAddress: 10, LLOwnerThread: 11, ExitCode: 12, Exited: true,
		Step: 13, StepsSinceLastContextSwitch: 14, TraverseRight: true,
		LeftThreadStack: hashOf(stackRoot(a, b)), RightThreadStack: hashOf(stackRoot(c)), NextThreadID: 15,
	}
	if w != want {
		t.Fatalf("Witness() = %+v\nwant        %+v", w, want)
	}
	if w.MemRoot == memory.ZeroHash(memory.TreeDepth) {
		t.Fatalf("memory root did not change with a nonzero word")
	}
	if s.Hash() != w.Hash() {
		t.Fatalf("State.Hash differs from Witness().Hash")
	}
	t.Run("LastHint is not committed", func(t *testing.T) {
		s2 := s
		s2.LastHint = nil
		if s2.Hash() != s.Hash() {
			t.Fatalf("LastHint changed the state hash")
		}
	})
}

// TestENC_STATE_DecodeRejects: DecodeWitness rejects any length but 188
// with CodeWrongLength, and an exited or traverseRight byte other than 0/1
// or an llReservationStatus above 2 with CodeInvalidField.
func TestENC_STATE_DecodeRejects(t *testing.T) {
	good := distinctWitness().Encode()
	for _, n := range []int{0, 1, 187, 189, 376} {
		b := make([]byte, n)
		copy(b, good[:])
		_, err := state.DecodeWitness(b)
		requireCode(t, err, errors.CodeWrongLength)
		if errors.OutcomeOf(err) != errors.OutcomeRejected {
			t.Fatalf("length %d: outcome %v, want rejected", n, errors.OutcomeOf(err))
		}
	}
	for _, tc := range []struct {
		name   string
		offset int
		value  byte
	}{
		{"exited = 2", 98, 2},
		{"exited = 0xff", 98, 0xFF},
		{"traverseRight = 2", 115, 2},
		{"traverseRight = 0x80", 115, 0x80},
		{"llReservationStatus = 3", 80, 3},
		{"llReservationStatus = 0xff", 80, 0xFF},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := good
			b[tc.offset] = tc.value
			_, err := state.DecodeWitness(b[:])
			requireCode(t, err, errors.CodeInvalidField)
		})
	}
	for _, v := range []byte{0, 1, 2} {
		b := good
		b[80] = v
		w, err := state.DecodeWitness(b[:])
		if err != nil || w.LLReservationStatus != v {
			t.Fatalf("llReservationStatus %d: %+v, %v", v, w, err)
		}
	}
}

// TestST_HASH_STATUS_Classes: the hash is keccak256 of the witness with its
// first byte replaced by the VM status: 3 unfinished (not exited, any code),
// 0 valid (code 0), 1 invalid (code 1), 2 panic (any other code).
func TestST_HASH_STATUS_Classes(t *testing.T) {
	for _, tc := range []struct {
		exited   bool
		exitCode uint8
		status   byte
	}{
		{false, 0, 3}, {false, 1, 3}, {false, 2, 3}, {false, 0xFF, 3},
		{true, 0, 0}, {true, 1, 1}, {true, 2, 2}, {true, 3, 2}, {true, 0xFF, 2},
	} {
		w := distinctWitness()
		w.Exited, w.ExitCode = tc.exited, tc.exitCode
		enc := w.Encode()
		want := keccak(enc[:])
		want[0] = tc.status
		if got := w.Hash(); got != hashOf(want) {
			t.Errorf("exited=%v code=%d: hash %s, want %x", tc.exited, tc.exitCode, got, want)
		}
		if got := state.StatusOf(tc.exited, tc.exitCode); byte(got) != tc.status {
			t.Errorf("StatusOf(%v, %d) = %d, want %d", tc.exited, tc.exitCode, got, tc.status)
		}
	}
	for s, name := range map[state.Status]string{0: "valid", 1: "invalid", 2: "panic", 3: "unfinished", 4: "unknown"} {
		if s.String() != name {
			t.Errorf("Status(%d).String() = %q, want %q", s, s.String(), name)
		}
	}
}

// TestST_STATE_Stacks: ActiveStack/InactiveStack/WithStacks follow
// TraverseRight; CurrentThread is the top of the active stack; ThreadCount
// adds both stacks.
func TestST_STATE_Stacks(t *testing.T) {
	a, b, c := sampleThread(1), sampleThread(2), sampleThread(3)
	s := state.NewEmpty()
	s.LeftThreads, s.RightThreads = state.NewThreadStack(a, b), state.NewThreadStack(c)
	if cur, err := s.CurrentThread(); err != nil || cur != b {
		t.Fatalf("left active: current %+v, %v, want thread 2", cur.ID, err)
	}
	s.TraverseRight = true
	if cur, err := s.CurrentThread(); err != nil || cur != c {
		t.Fatalf("right active: current %d, %v, want thread 3", cur.ID, err)
	}
	if s.ThreadCount() != 3 {
		t.Fatalf("ThreadCount = %d, want 3", s.ThreadCount())
	}
	s2 := s.WithStacks(state.NewThreadStack(a), state.NewThreadStack(b, c))
	if s2.RightThreads.Root() != hashOf(stackRoot(a)) || s2.LeftThreads.Root() != hashOf(stackRoot(b, c)) {
		t.Fatalf("WithStacks with TraverseRight put the stacks on the wrong sides")
	}
	if s.RightThreads.Len() != 1 || s.LeftThreads.Len() != 2 {
		t.Fatalf("WithStacks changed its receiver")
	}
	s.TraverseRight = false
	s3 := s.WithStacks(state.NewThreadStack(c), state.NewThreadStack())
	if s3.LeftThreads.Len() != 1 || s3.RightThreads.Len() != 0 || s3.ActiveStack().Threads[0] != c || !s3.InactiveStack().IsEmpty() {
		t.Fatalf("WithStacks (left active) = L%d R%d", s3.LeftThreads.Len(), s3.RightThreads.Len())
	}
}

// TestST_THREAD_WITNESS: the thread witness is the current thread's 298
// bytes followed by the root of the active stack without it (330 bytes).
func TestST_THREAD_WITNESS(t *testing.T) {
	a, b, c := sampleThread(1), sampleThread(2), sampleThread(3)
	for _, tc := range []struct {
		name          string
		left, right   []state.Thread
		traverseRight bool
		top           state.Thread
		below         [32]byte
	}{
		{"single thread", []state.Thread{a}, nil, false, a, stackRoot()},
		{"three threads", []state.Thread{a, b, c}, nil, false, c, stackRoot(a, b)},
		{"right stack active", []state.Thread{a}, []state.Thread{b, c}, true, c, stackRoot(b)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := state.NewEmpty()
			s.LeftThreads, s.RightThreads = state.NewThreadStack(tc.left...), state.NewThreadStack(tc.right...)
			s.TraverseRight = tc.traverseRight
			w, err := s.EncodeThreadWitness()
			if err != nil {
				t.Fatal(err)
			}
			if len(w) != 330 || state.ThreadWitnessSize != 330 {
				t.Fatalf("thread witness %d bytes (const %d), want 330", len(w), state.ThreadWitnessSize)
			}
			want := append(threadBytes(tc.top), tc.below[:]...)
			if !bytes.Equal(w[:], want) {
				t.Fatalf("thread witness\n got %x\nwant %x", w, want)
			}
			// The on-chain check: keccak(below ‖ keccak(thread)) is the active root.
			th := keccak(w[:298])
			if hashOf(keccak(w[298:], th[:])) != s.ActiveStack().Root() {
				t.Fatalf("witness does not fold to the active root")
			}
		})
	}
	t.Run("empty active stack", func(t *testing.T) {
		s := state.NewEmpty()
		s.TraverseRight = true
		_, err := s.EncodeThreadWitness()
		requireCode(t, err, errors.CodeEmptyThreadStack)
	})
}

// TestST_HASH_EmptyStateWithCannonThread pins down what the empty-state
// vector commits to: Cannon's CreateEmptyThread (multithreaded/thread.go:43-57)
// starts thread 0 with PC = 0 and NextPC = 4, and the state built that way
// hashes to the vector. (If TestST_HASH_EmptyState fails while this passes,
// NewEmpty's thread 0 is the difference.)
func TestST_HASH_EmptyStateWithCannonThread(t *testing.T) {
	s := state.NewEmpty()
	th := state.Thread{ID: 0}
	th.CPU.PC, th.CPU.NextPC = 0, 4
	s.LeftThreads = state.NewThreadStack(th)
	if got := s.Hash().String(); got != emptyStateHash {
		t.Fatalf("empty state with thread 0 at PC 0, NextPC 4 hashes to %s, want %s", got, emptyStateHash)
	}
}
