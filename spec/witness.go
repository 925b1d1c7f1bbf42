package spec

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// ProofSize is the length of a step proof: the 330-byte thread witness and
// three 1920-byte memory proofs (Cannon's Step(true) always produces it).
const ProofSize = state.ThreadWitnessSize + memory.ProofSlots*memory.ProofSize

// Witness is everything the on-chain verifier needs to check one step: the
// pre-state witness and hash, the proof, and the preimage the step reads.
// Cannon: mipsevm/witness.go, multithreaded/instrumented.go:75-111.
//
// Proof layout (byte offsets):
//
//	   0   298  the current thread (state.EncodeThread)
//	 298    32  root of the active stack below it
//	 330  1920  slot 0: proof of the word at PC & ^7 (always present)
//	2250  1920  slot 1: proof of the first data word, taken before the step writes
//	4170  1920  slot 2: proof of the second data word (clock_gettime), taken
//	            after the write through slot 1
//
// Slots a step does not use are zero here; Cannon leaves stale bytes from an
// earlier step in them, so only used slots are comparable.
type Witness struct {
	State     [state.WitnessSize]byte
	StateHash memory.Hash
	Proof     []byte
	// SlotsUsed is the number of memory slots the step read: 0 (no
	// instruction executed), 1 (fetch only), 2 or 3.
	SlotsUsed int
	// The preimage the step read through fd 5, if any: the key as in the
	// state, the value with its 8-byte big-endian length prefix (as Cannon's
	// StepWitness), and the offset read from.
	HasPreimage    bool
	PreimageKey    [32]byte
	PreimageValue  []byte
	PreimageOffset uint64
}

// recordingOracle records the preimages a step reads.
type recordingOracle struct {
	inner transition.PreimageOracle
	key   [32]byte
	value []byte
	read  bool
}

func (r *recordingOracle) Preimage(k [32]byte) ([]byte, bool) {
	if r.inner == nil {
		return nil, false
	}
	v, ok := r.inner.Preimage(k)
	if ok {
		r.key, r.value, r.read = k, v, true
	}
	return v, ok
}

// StepWithWitness runs Step from pre and also returns the step's witness,
// capturing memory accesses and oracle reads by wrapping the memory and the
// oracle from outside the transition. pre.Memory must be a memory.Memory.
// It fails as Step fails, but still returns the witness of the failing step
// (what a verifier needs to see the failure) whenever the active stack holds
// a thread; Witness.Proof is nil when it does not.
func StepWithWitness(pre State, d Data) (State, Witness, error) {
	var w Witness
	full, ok := pre.Memory.(memory.Memory)
	if !ok {
		return pre, w, errNotFull()
	}
	tw, err := pre.EncodeThreadWitness()
	if err != nil && !pre.Exited {
		return pre, w, err
	}
	w.State = pre.Witness().Encode()
	w.StateHash = pre.Hash()
	rec := memory.NewRecorder(full)
	oracle := &recordingOracle{inner: d.Preimages}
	traced := pre
	traced.Memory = rec
	post, err := transition.Step(traced, transition.Data{Preimages: oracle})
	if tw != ([state.ThreadWitnessSize]byte{}) {
		w.Proof, w.SlotsUsed = assembleProof(tw, full, pre, rec.Accesses())
	}
	if oracle.read {
		w.HasPreimage, w.PreimageKey, w.PreimageOffset = true, oracle.key, pre.PreimageOffset
		w.PreimageValue = binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(oracle.value)), uint64(len(oracle.value)))
		w.PreimageValue = append(w.PreimageValue, oracle.value...)
	}
	if err != nil {
		return pre, w, err
	}
	post.Memory = post.Memory.(memory.Recorder).Mem
	return post, w, nil
}

// assembleProof lays out the thread witness and the three memory slots.
func assembleProof(tw [state.ThreadWitnessSize]byte, full memory.Memory, pre State, acc []memory.Access) ([]byte, int) {
	out := make([]byte, ProofSize)
	copy(out, tw[:])
	pc := uint64(0)
	if t, err := pre.CurrentThread(); err == nil {
		pc = t.CPU.PC
	}
	fetch := full.Proof(pc)
	copy(out[state.ThreadWitnessSize:], fetch[:])
	for i := 1; i < len(acc) && i < memory.ProofSlots; i++ {
		copy(out[state.ThreadWitnessSize+i*memory.ProofSize:], acc[i].Proof[:])
	}
	return out, min(len(acc), memory.ProofSlots)
}
