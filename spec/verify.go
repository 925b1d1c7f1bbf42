package spec

import (
	"crypto/sha256"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Preimage key types whose value can be checked against the key
// (specs/fault-proof/index.md).
const (
	KeyTypeLocal     = 1
	KeyTypeKeccak256 = 2
	KeyTypeSHA256    = 4
)

// VerifyStep is VerifyStepIn(ProfileBase, ...): MIPS64.sol's step in Go.
func VerifyStep(stateData, proof []byte, localContext [32]byte, d Data) (memory.Hash, error) {
	return VerifyStepIn(ProfileBase, stateData, proof, localContext, d)
}

// VerifyStepIn is the stateless one-step verifier under profile p.
// From the 188-byte pre-state, the proof (thread witness and memory proofs,
// laid out as in Witness) and the data D, it returns the post-state hash.
// It is Step over a state whose memory is memory.Witnessed and whose stacks
// hold only the proven thread, so there is no second copy of the semantics
// (requirement VER-STATELESS).
//
// localContext is the dispute's local context. On chain it localizes type-1
// (local) preimage keys before the oracle lookup; here D's oracle is keyed by
// the raw key as the program wrote it, so the value only needs to be the one
// the caller's context defines. VerifyStep checks every preimage it reads
// from D against its key where the key type allows (keccak256, sha256).
//
// Like MIPS64.sol, which checks only that calldata holds each memory proof
// it reads, VerifyStepIn reads the slots the step uses and ignores any bytes
// of proof after them (requirement VER-TRAILING); the witness file format
// refuses such bytes (format.ParseWitness).
//
// Errors (all *errors.Error): CodeWrongLength for a state that is not 188
// bytes or a proof too short for what the step reads; CodeInvalidField for an
// exited, traverseRight or reservation byte outside its domain (MIPS64.sol
// rejects only exited > 1; no honest trace holds the others);
// CodeBadThreadWitness when the thread witness does not fold to the active
// stack root; CodeBadMemoryProof for a memory proof that does not match the
// root for the address the step touches (a proof of another address
// included); CodeBadPreimage for a preimage that does not match its key; and
// every failure of StepIn.
//
// Under ProfileOPcity a tensor step reads the pointer's leaf through slot 1
// and the region through slot 2, which holds a memory.RegionProof; D must
// hold the tensor a tensor_map binds (checked against its root by the step
// itself), exactly as for the stateful step. Requirement VER-ACCEPT,
// VER-SOUND, TENSOR-WITNESS.
func VerifyStepIn(p Profile, stateData, proof []byte, localContext [32]byte, d Data) (memory.Hash, error) {
	if err := transition.VerifyProfile(p); err != nil {
		return memory.Hash{}, err
	}
	pre, err := decodeWitnessedState(stateData, proof)
	if err != nil {
		return memory.Hash{}, err
	}
	if pre.Exited {
		return pre.Hash(), nil
	}
	checked := &checkedOracle{inner: d.Preimages}
	d.Preimages = checked
	post, err := transition.StepIn(p, pre, d)
	if err != nil {
		if checked.bad {
			return memory.Hash{}, errors.New(errors.CodeBadPreimage, "value for key 0x%x does not hash to the key", checked.badKey)
		}
		return memory.Hash{}, err
	}
	return post.Hash(), nil
}

// decodeWitnessedState builds the pre-state a stateless verifier knows: the
// decoded 188 bytes, the proven current thread on top of its inner root, and
// a witnessed memory over the proof slots.
func decodeWitnessedState(stateData, proof []byte) (State, error) {
	w, err := state.DecodeWitness(stateData)
	if err != nil {
		return State{}, err
	}
	s := State{
		PreimageKey: w.PreimageKey, PreimageOffset: w.PreimageOffset, Heap: w.Heap,
		LLReservationStatus: w.LLReservationStatus, LLAddress: w.LLAddress, LLOwnerThread: w.LLOwnerThread,
		ExitCode: w.ExitCode, Exited: w.Exited, Step: w.Step,
		StepsSinceLastContextSwitch: w.StepsSinceLastContextSwitch, TraverseRight: w.TraverseRight,
		LeftThreads:  state.ThreadStack{Base: w.LeftThreadStack},
		RightThreads: state.ThreadStack{Base: w.RightThreadStack},
		NextThreadID: w.NextThreadID,
	}
	if s.Exited || s.ActiveStack().IsEmpty() {
		s.Memory = memory.NewWitnessed(w.MemRoot, nil)
		return s, nil // Step answers both without the proof
	}
	active, err := decodeThreadWitness(proof, s.ActiveStack().Root())
	if err != nil {
		return State{}, err
	}
	s = s.WithStacks(active, s.InactiveStack())
	s.Memory = memory.NewWitnessed(w.MemRoot, proof[state.ThreadWitnessSize:])
	return s, nil
}

// decodeThreadWitness checks the 330-byte thread witness against the active
// stack root and returns the stack it proves: the thread over its inner root.
func decodeThreadWitness(proof []byte, activeRoot memory.Hash) (state.ThreadStack, error) {
	if len(proof) < state.ThreadWitnessSize {
		return state.ThreadStack{}, errors.New(errors.CodeWrongLength, "proof: %d bytes, the thread witness needs %d", len(proof), state.ThreadWitnessSize)
	}
	t, err := state.DecodeThread(proof[:state.ThreadSize])
	if err != nil {
		return state.ThreadStack{}, err
	}
	inner := memory.Hash(proof[state.ThreadSize:state.ThreadWitnessSize])
	if state.PushRoot(inner, state.ThreadHash(t)) != activeRoot {
		return state.ThreadStack{}, errors.New(errors.CodeBadThreadWitness, "thread %d over inner root %s does not fold to the active root %s", t.ID, inner, activeRoot)
	}
	return state.ThreadStack{Base: inner, Threads: []state.Thread{t}}, nil
}

// checkedOracle serves D's preimages only after checking them against their
// keys (keccak256 and sha256 key types).
type checkedOracle struct {
	inner  transition.PreimageOracle
	bad    bool
	badKey [32]byte
}

func (c *checkedOracle) Preimage(k [32]byte) ([]byte, bool) {
	if c.inner == nil {
		return nil, false
	}
	v, ok := c.inner.Preimage(k)
	if !ok {
		return nil, false
	}
	if !IsPreimageOf(k, v) {
		c.bad, c.badKey = true, k
		return nil, false
	}
	return v, true
}

// IsPreimageOf reports whether value matches key: for keccak256 keys
// (type 2) key[1:] must equal keccak256(value)[1:], for sha256 keys (type 4)
// sha256(value)[1:]. Other key types cannot be checked from the value alone
// and are accepted.
func IsPreimageOf(key [32]byte, value []byte) bool {
	switch key[0] {
	case KeyTypeKeccak256:
		h := memory.Keccak256(value)
		return [31]byte(h[1:]) == [31]byte(key[1:])
	case KeyTypeSHA256:
		h := sha256.Sum256(value)
		return [31]byte(h[1:]) == [31]byte(key[1:])
	}
	return true
}

func errNotFull() error {
	return errors.New(errors.CodeMissingMemory, "witness generation needs a full memory")
}
