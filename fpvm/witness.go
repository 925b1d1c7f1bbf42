package fpvm

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// recorder logs the distinct words one step touches, in order of first
// touch, with their proofs at that moment: the rule of the spec's
// memory.Recorder (the first access is the fetch; a data access to the
// fetched word is logged again; later repeats of a data word are not).
type recorder struct {
	acc    []memory.Access
	region memory.RegionProof // the region a tensor syscall touched, if bound
	bound  bool
}

// noteRegion records the first region the step touches with its proof at
// that moment (memory.Recorder's rule; it goes to memory.RegionSlot).
func (r *recorder) noteRegion(vm *VM, addr uint64, log2size uint) {
	if !r.bound {
		r.region, r.bound = vm.mem.regionProof(addr, log2size), true
	}
}

// note logs addr (8-aligned) unless the rule above says it is a repeat.
func (r *recorder) note(vm *VM, addr uint64) {
	if n := len(r.acc); n > 1 && r.acc[n-1].Addr == addr {
		return
	}
	for _, a := range r.acc[min(1, len(r.acc)):] {
		if a.Addr == addr {
			return
		}
	}
	r.acc = append(r.acc, memory.Access{Addr: addr, Proof: vm.mem.Proof(addr)})
}

// recordingOracle remembers the last preimage it served.
type recordingOracle struct {
	inner transition.PreimageOracle
	key   [32]byte
	value []byte
	read  bool
}

func (o *recordingOracle) Preimage(k [32]byte) ([]byte, bool) {
	if o.inner == nil {
		return nil, false
	}
	v, ok := o.inner.Preimage(k)
	if ok {
		o.key, o.value, o.read = k, v, true
	}
	return v, ok
}

// recordingTensors remembers the tensor a step read from D.
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

// StepWitness executes the next step like Step and returns its witness, built
// from the executor's own memory proofs and thread hashes; it equals the
// witness spec.StepWithWitnessIn returns for the VM's profile and the same
// state and data (also on error, where the VM is left unchanged). Under
// ProfileOPcity a tensor step puts the pointer's leaf in slot 1 and the
// region's memory.RegionProof, from the executor's own tree, in slot 2.
// Requirements FPVM-WITNESS, FPVM-PROFILE-WITNESS.
func (vm *VM) StepWitness(d transition.Data) (spec.Witness, error) {
	var w spec.Witness
	tw, twErr := vm.threadWitness()
	if twErr != nil && !vm.Exited {
		return w, twErr
	}
	w.State = vm.Witness().Encode()
	w.StateHash = vm.Hash()
	var fetch memory.Proof
	if twErr == nil {
		fetch = vm.mem.Proof(vm.cur.CPU.PC)
	}
	offset := vm.PreimageOffset
	oracle := &recordingOracle{inner: d.Preimages}
	tensors := &recordingTensors{inner: d.Tensors}
	rec := &recorder{}
	vm.rec = rec
	err := vm.Step(transition.Data{Preimages: oracle, Tensors: tensors})
	acc := rec.acc
	vm.rec = nil
	if twErr == nil {
		w.Proof = make([]byte, spec.ProofSize)
		copy(w.Proof, tw[:])
		copy(w.Proof[state.ThreadWitnessSize:], fetch[:])
		for i := 1; i < len(acc) && i < memory.ProofSlots; i++ {
			copy(w.Proof[state.ThreadWitnessSize+i*memory.ProofSize:], acc[i].Proof[:])
		}
		w.SlotsUsed = min(len(acc), memory.ProofSlots)
		if rec.bound {
			copy(w.Proof[state.ThreadWitnessSize+memory.RegionSlot*memory.ProofSize:], rec.region[:])
			w.SlotsUsed = memory.RegionSlot + 1
		}
	}
	if tensors.read {
		w.HasTensor, w.TensorRoot, w.TensorLog2Size, w.Tensor = true, tensors.root, tensors.log2size, tensors.data
	}
	if oracle.read {
		w.HasPreimage, w.PreimageKey, w.PreimageOffset = true, oracle.key, offset
		w.PreimageValue = binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(oracle.value)), uint64(len(oracle.value)))
		w.PreimageValue = append(w.PreimageValue, oracle.value...)
	}
	return w, err
}

// threadWitness returns the 330-byte thread witness of the current thread:
// its encoding and the root of the active stack below it.
func (vm *VM) threadWitness() ([state.ThreadWitnessSize]byte, error) {
	var out [state.ThreadWitnessSize]byte
	a := *vm.active()
	if len(a) == 0 {
		_, err := state.NewThreadStack().Top()
		return out, err
	}
	enc := state.EncodeThread(vm.cur.Thread)
	copy(out[:], enc[:])
	vm.stackRoots()
	below := vm.belowRoot
	copy(out[state.ThreadSize:], below[:])
	return out, nil
}
