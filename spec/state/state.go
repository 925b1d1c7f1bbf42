// Package state holds the Cannon multithreaded64-5 VM state as plain Go
// values, its 188-byte witness encoding, the thread encodings and the state
// hash. Nothing here executes instructions; see package transition.
package state

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Version is Cannon's state version this package encodes: multithreaded64-5.
const Version = 8

// LL reservation status values (Cannon: multithreaded/state.go:40-46).
const (
	LLNone  uint8 = 0 // no reservation
	LLWord  uint8 = 1 // made by ll (32-bit)
	LLDword uint8 = 2 // made by lld (64-bit)
)

// State is the whole VM state. It is a value: the transition returns a new
// State and never changes the one it was given. Requirement ST-STATE.
//
// Memory is the memory back-end; LeftThreads and RightThreads are the two
// thread stacks; TraverseRight selects the active one. LastHint is off-chain
// metadata (the partial hint frame written to fd 4); it is not part of the
// witness or the hash.
type State struct {
	Memory                      memory.Space
	PreimageKey                 [32]byte
	PreimageOffset              uint64
	Heap                        uint64
	LLReservationStatus         uint8
	LLAddress                   uint64
	LLOwnerThread               uint64
	ExitCode                    uint8
	Exited                      bool
	Step                        uint64
	StepsSinceLastContextSwitch uint64
	TraverseRight               bool
	LeftThreads                 ThreadStack
	RightThreads                ThreadStack
	NextThreadID                uint64
	LastHint                    []byte
}

// NewEmpty returns the state Cannon's CreateEmptyState builds: empty memory,
// one thread with id 0, PC 0, nextPC 4 and zero registers on the left stack,
// nextThreadID 1 (Cannon: multithreaded/state.go:79-96, thread.go:43-57).
func NewEmpty() State {
	t := Thread{ID: 0}
	t.CPU.NextPC = 4
	return State{
		Memory:       memory.Memory{},
		LeftThreads:  NewThreadStack(t),
		RightThreads: NewThreadStack(),
		NextThreadID: 1,
	}
}

// NewInitial returns NewEmpty with thread 0 at pc (nextPC = pc+4) and the
// heap pointer at heap (Cannon: CreateInitialState).
func NewInitial(pc, heap uint64) State {
	s := NewEmpty()
	t := Thread{ID: 0}
	t.CPU.PC, t.CPU.NextPC = pc, pc+4
	s.LeftThreads = NewThreadStack(t)
	s.Heap = heap
	return s
}

// Transient returns s as a transient state owned by e: steps from it update
// its memory pages and thread arrays in place instead of copying them. s
// itself is not changed. The caller promises to keep only the latest state
// derived from the transient one and to call Persistent before sharing it
// (spec.Run does exactly this). A memory back-end other than memory.Memory is
// kept as it is.
func (s State) Transient(e *memory.Edit) State {
	if m, ok := s.Memory.(memory.Memory); ok {
		s.Memory = m.Transient(e)
	}
	s.LeftThreads, s.RightThreads = s.LeftThreads.transient(e), s.RightThreads.transient(e)
	return s
}

// Persistent returns s as an ordinary immutable value again.
func (s State) Persistent() State {
	if m, ok := s.Memory.(memory.Memory); ok {
		s.Memory = m.Persistent()
	}
	s.LeftThreads, s.RightThreads = s.LeftThreads.persistent(), s.RightThreads.persistent()
	return s
}

// ActiveStack returns the stack the scheduler runs from: right if
// TraverseRight, else left.
func (s State) ActiveStack() ThreadStack {
	if s.TraverseRight {
		return s.RightThreads
	}
	return s.LeftThreads
}

// InactiveStack returns the stack the scheduler is not running from.
func (s State) InactiveStack() ThreadStack {
	if s.TraverseRight {
		return s.LeftThreads
	}
	return s.RightThreads
}

// WithStacks returns s with its active and inactive stacks replaced.
func (s State) WithStacks(active, inactive ThreadStack) State {
	if s.TraverseRight {
		s.RightThreads, s.LeftThreads = active, inactive
	} else {
		s.LeftThreads, s.RightThreads = active, inactive
	}
	return s
}

// CurrentThread returns the top of the active stack, or an error with
// CodeEmptyThreadStack (nothing to run) or CodeUnknownThread (not held).
func (s State) CurrentThread() (Thread, error) {
	return s.ActiveStack().Top()
}

// ThreadCount returns the number of known threads on both stacks.
func (s State) ThreadCount() int {
	return s.LeftThreads.Len() + s.RightThreads.Len()
}

// Witness returns the commitment view of s: memory and stacks reduced to
// their roots.
func (s State) Witness() Witness {
	return Witness{
		MemRoot:                     s.Memory.Root(),
		PreimageKey:                 s.PreimageKey,
		PreimageOffset:              s.PreimageOffset,
		Heap:                        s.Heap,
		LLReservationStatus:         s.LLReservationStatus,
		LLAddress:                   s.LLAddress,
		LLOwnerThread:               s.LLOwnerThread,
		ExitCode:                    s.ExitCode,
		Exited:                      s.Exited,
		Step:                        s.Step,
		StepsSinceLastContextSwitch: s.StepsSinceLastContextSwitch,
		TraverseRight:               s.TraverseRight,
		LeftThreadStack:             s.LeftThreads.Root(),
		RightThreadStack:            s.RightThreads.Root(),
		NextThreadID:                s.NextThreadID,
	}
}

// Hash returns the state hash of s (see Witness.Hash).
func (s State) Hash() memory.Hash { return s.Witness().Hash() }

// EncodeThreadWitness returns the 330-byte thread witness of the current
// thread: its encoding followed by the root of the active stack without it
// (Cannon: state.go:227-243). It fails like CurrentThread.
func (s State) EncodeThreadWitness() ([ThreadWitnessSize]byte, error) {
	var out [ThreadWitnessSize]byte
	active := s.ActiveStack()
	top, err := active.Top()
	if err != nil {
		return out, err
	}
	below, _ := active.Pop()
	enc := EncodeThread(top)
	copy(out[:], enc[:])
	root := below.Root()
	copy(out[ThreadSize:], root[:])
	return out, nil
}

// WitnessSize is the length of the state witness encoding.
const WitnessSize = 188

// Witness is the 188-byte commitment to a State that the on-chain verifier
// reads. Requirement ENC-STATE.
type Witness struct {
	MemRoot                     memory.Hash
	PreimageKey                 [32]byte
	PreimageOffset              uint64
	Heap                        uint64
	LLReservationStatus         uint8
	LLAddress                   uint64
	LLOwnerThread               uint64
	ExitCode                    uint8
	Exited                      bool
	Step                        uint64
	StepsSinceLastContextSwitch uint64
	TraverseRight               bool
	LeftThreadStack             memory.Hash
	RightThreadStack            memory.Hash
	NextThreadID                uint64
}

// Encode returns the 188-byte witness. Integers are big-endian, booleans one
// byte (0 or 1), no padding (Cannon: multithreaded/state.go:20-39, 201-225):
//
//	offset  size  field
//	     0    32  MemRoot
//	    32    32  PreimageKey
//	    64     8  PreimageOffset
//	    72     8  Heap
//	    80     1  LLReservationStatus (0, 1 or 2)
//	    81     8  LLAddress
//	    89     8  LLOwnerThread
//	    97     1  ExitCode
//	    98     1  Exited
//	    99     8  Step
//	   107     8  StepsSinceLastContextSwitch
//	   115     1  TraverseRight
//	   116    32  LeftThreadStack root
//	   148    32  RightThreadStack root
//	   180     8  NextThreadID
func (w Witness) Encode() [WitnessSize]byte {
	var b [WitnessSize]byte
	copy(b[0:], w.MemRoot[:])
	copy(b[32:], w.PreimageKey[:])
	binary.BigEndian.PutUint64(b[64:], w.PreimageOffset)
	binary.BigEndian.PutUint64(b[72:], w.Heap)
	b[80] = w.LLReservationStatus
	binary.BigEndian.PutUint64(b[81:], w.LLAddress)
	binary.BigEndian.PutUint64(b[89:], w.LLOwnerThread)
	b[97] = w.ExitCode
	b[98] = boolByte(w.Exited)
	binary.BigEndian.PutUint64(b[99:], w.Step)
	binary.BigEndian.PutUint64(b[107:], w.StepsSinceLastContextSwitch)
	b[115] = boolByte(w.TraverseRight)
	copy(b[116:], w.LeftThreadStack[:])
	copy(b[148:], w.RightThreadStack[:])
	binary.BigEndian.PutUint64(b[180:], w.NextThreadID)
	return b
}

// DecodeWitness parses a 188-byte witness. It returns CodeWrongLength when
// len(b) != 188 and CodeInvalidField when Exited or TraverseRight is not 0 or
// 1, or LLReservationStatus is not 0, 1 or 2. Decode(Encode(w)) == w, and the
// encoding is injective on decodable inputs. Requirement ENC-STATE.
func DecodeWitness(b []byte) (Witness, error) {
	if len(b) != WitnessSize {
		return Witness{}, errors.New(errors.CodeWrongLength, "state witness: %d bytes, want %d", len(b), WitnessSize)
	}
	if b[80] > LLDword {
		return Witness{}, errors.New(errors.CodeInvalidField, "llReservationStatus = %d, want 0, 1 or 2", b[80])
	}
	exited, err := decodeBool(b[98], "exited")
	if err != nil {
		return Witness{}, err
	}
	right, err := decodeBool(b[115], "traverseRight")
	if err != nil {
		return Witness{}, err
	}
	w := Witness{Exited: exited, TraverseRight: right, LLReservationStatus: b[80], ExitCode: b[97]}
	copy(w.MemRoot[:], b[0:32])
	copy(w.PreimageKey[:], b[32:64])
	w.PreimageOffset, w.Heap = be64(b[64:]), be64(b[72:])
	w.LLAddress, w.LLOwnerThread = be64(b[81:]), be64(b[89:])
	w.Step, w.StepsSinceLastContextSwitch = be64(b[99:]), be64(b[107:])
	copy(w.LeftThreadStack[:], b[116:148])
	copy(w.RightThreadStack[:], b[148:180])
	w.NextThreadID = be64(b[180:])
	return w, nil
}

// Hash returns the state hash: keccak256 of the 188-byte encoding with its
// first byte replaced by the VM status (Cannon: state.go:429-439).
// Requirement ST-HASH-STATUS.
func (w Witness) Hash() memory.Hash {
	enc := w.Encode()
	h := memory.Keccak256(enc[:])
	h[0] = byte(StatusOf(w.Exited, w.ExitCode))
	return h
}

// Status is the VM status byte of a state hash.
type Status uint8

// The VM statuses (Cannon: mipsevm/state.go:19-33).
const (
	StatusValid      Status = 0 // exited with code 0
	StatusInvalid    Status = 1 // exited with code 1
	StatusPanic      Status = 2 // exited with any other code
	StatusUnfinished Status = 3 // not exited
)

// StatusOf returns the VM status of a state with the given exit fields.
func StatusOf(exited bool, exitCode uint8) Status {
	switch {
	case !exited:
		return StatusUnfinished
	case exitCode == 0:
		return StatusValid
	case exitCode == 1:
		return StatusInvalid
	}
	return StatusPanic
}

// String returns the status name.
func (s Status) String() string {
	switch s {
	case StatusValid:
		return "valid"
	case StatusInvalid:
		return "invalid"
	case StatusPanic:
		return "panic"
	case StatusUnfinished:
		return "unfinished"
	}
	return "unknown"
}
