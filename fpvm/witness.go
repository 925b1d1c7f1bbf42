package fpvm

import (
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
	data := spec.RecordData(d)
	rec := &recorder{}
	vm.rec = rec
	err := vm.Step(data.Data())
	vm.rec = nil
	if twErr == nil {
		w.Proof, w.SlotsUsed = spec.AssembleProof(tw, fetch, rec.acc, memory.RegionAccess{Proof: rec.region, Bound: rec.bound})
	}
	data.Record(&w, offset)
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
