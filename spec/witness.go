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
//	            after the write through slot 1; under ProfileOPcity, for
//	            tensor_map and tensor_root, the memory.RegionProof of the
//	            region, against the pre-state root
//
// A tensor step uses slot 1 for the 32-byte leaf at its pointer (root_ptr
// or out_ptr), proven against the pre-state root (TENSOR-WITNESS).
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
	// The tensor a tensor_map read from D (ProfileOPcity), if any: its root,
	// the region size it was asked for and the bytes D served.
	HasTensor      bool
	TensorRoot     [32]byte
	TensorLog2Size uint
	Tensor         []byte
}

// DataRecorder is a step's D wrapped to record what the step reads from
// it: the preimage and the tensor a Witness carries. It is the one recorder
// of D: StepWithWitnessIn and fpvm's StepWitness both use it.
type DataRecorder struct {
	oracle  recordingOracle
	tensors recordingTensors
}

// RecordData returns a recorder over d; the step must run on its Data.
func RecordData(d Data) *DataRecorder {
	return &DataRecorder{oracle: recordingOracle{inner: d.Preimages}, tensors: recordingTensors{inner: d.Tensors}}
}

// Data returns the D the recorded step runs on.
func (r *DataRecorder) Data() Data { return Data{Preimages: &r.oracle, Tensors: &r.tensors} }

// Record sets w's preimage fields (offset is the state's preimage offset
// before the step; the value gets its 8-byte big-endian length prefix, as
// Cannon's StepWitness) and tensor fields from what the step read.
func (r *DataRecorder) Record(w *Witness, offset uint64) {
	if t := r.tensors; t.read {
		w.HasTensor, w.TensorRoot, w.TensorLog2Size, w.Tensor = true, t.root, t.log2size, t.data
	}
	if o := r.oracle; o.read {
		w.HasPreimage, w.PreimageKey, w.PreimageOffset = true, o.key, offset
		w.PreimageValue = binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(o.value)), uint64(len(o.value)))
		w.PreimageValue = append(w.PreimageValue, o.value...)
	}
}

// recordingTensors records the tensor a step reads from D.
type recordingTensors struct {
	inner    transition.TensorStore
	root     [32]byte
	log2size uint
	data     []byte
	read     bool
}

func (r *recordingTensors) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	if r.inner == nil {
		return nil, false
	}
	v, ok := r.inner.Tensor(root, log2size)
	if ok {
		r.root, r.log2size, r.data, r.read = root, log2size, v, true
	}
	return v, ok
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

// StepWithWitness is StepWithWitnessIn(ProfileBase, pre, d).
func StepWithWitness(pre State, d Data) (State, Witness, error) {
	return StepWithWitnessIn(ProfileBase, pre, d)
}

// StepWithWitnessIn runs StepIn(p, ...) from pre and also returns the step's witness,
// capturing memory accesses and oracle reads by wrapping the memory and the
// oracle from outside the transition. pre.Memory must be a memory.Memory.
// It fails as Step fails, but still returns the witness of the failing step
// (what a verifier needs to see the failure) whenever the active stack holds
// a thread; Witness.Proof is nil when it does not.
func StepWithWitnessIn(p Profile, pre State, d Data) (State, Witness, error) {
	var w Witness
	if err := transition.VerifyProfile(p); err != nil {
		return pre, w, err
	}
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
	data := RecordData(d)
	traced := pre
	traced.Memory = rec
	post, err := transition.StepIn(p, traced, data.Data())
	if tw != ([state.ThreadWitnessSize]byte{}) {
		pc := uint64(0)
		if t, err := pre.CurrentThread(); err == nil {
			pc = t.CPU.PC
		}
		w.Proof, w.SlotsUsed = AssembleProof(tw, full.Proof(pc), rec.Accesses(), rec.Region())
	}
	data.Record(&w, pre.PreimageOffset)
	if err != nil {
		return pre, w, err
	}
	post.Memory = post.Memory.(memory.Recorder).Mem
	return post, w, nil
}

// AssembleProof lays out a step proof (the layout of Witness): the thread
// witness tw, the fetch proof in slot 0, the proofs of the data words after
// the fetch (acc[1:], memory.Recorder's order) in slots 1 and 2, and a bound
// region's proof in memory.RegionSlot. It returns the proof and the number
// of slots used. The spec's StepWithWitnessIn and fpvm's StepWitness both
// use it, each with its own memory's proofs.
func AssembleProof(tw [state.ThreadWitnessSize]byte, fetch memory.Proof, acc []memory.Access, region memory.RegionAccess) ([]byte, int) {
	out := make([]byte, ProofSize)
	copy(out, tw[:])
	copy(out[state.ThreadWitnessSize:], fetch[:])
	for i := 1; i < len(acc) && i < memory.ProofSlots; i++ {
		copy(out[state.ThreadWitnessSize+i*memory.ProofSize:], acc[i].Proof[:])
	}
	if region.Bound {
		copy(out[state.ThreadWitnessSize+memory.RegionSlot*memory.ProofSize:], region.Proof[:])
		return out, memory.RegionSlot + 1
	}
	return out, min(len(acc), memory.ProofSlots)
}
