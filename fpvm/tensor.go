package fpvm

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// The OPcity profile's tensor syscalls (spec/transition/syscall_tensor.go,
// docs/spec.md "OPcity profile"), reached only from the general syscall
// path of a VM built with FromStateIn(transition.ProfileOPcity, ...).
// Requirement FPVM-PROFILE.

// sysTensor dispatches tensor_map and tensor_root.
func (vm *VM) sysTensor(c *state.CPU, num, a0, a1, a2 uint64) error {
	if num == transition.SysTensorMap {
		return vm.sysTensorMap(c, a0, a1, a2)
	}
	vm.sysTensorRoot(c, a0, a1, a2)
	return nil
}

// sysTensorMap binds the region [a0, a0+2^a1) to D's tensor whose root is
// the leaf at a2, in the spec's order: EINVAL for bad arguments; read the
// leaf (witness slot 1); fetch and check the tensor (CodeMissingTensor,
// CodeBadTensor, nothing changed); record the region (slot 2); write the
// tensor's bytes and zeros; clear a reservation inside the region
// (TENSOR-LL); return 0.
func (vm *VM) sysTensorMap(c *state.CPU, a0, a1, a2 uint64) error {
	if !vm.isTensorCall(a0, a1, a2) {
		vm.returnErrno(c, errors.EINVAL)
		return nil
	}
	if vm.rec != nil {
		vm.rec.note(vm, a2)
	}
	root := vm.mem.leaf(a2)
	data, err := vm.tensor(root, uint(a1))
	if err != nil {
		return err
	}
	if vm.rec != nil {
		vm.rec.noteRegion(vm, a0, uint(a1))
	}
	vm.mem.bindRegion(a0, uint(a1), data)
	if vm.LLAddress-a0 < 1<<a1 {
		vm.clearReservation()
	}
	vm.returnValue(c, 0)
	return nil
}

// sysTensorRoot writes the root of the region [a0, a0+2^a1), computed from
// the executor's Merkle tree, to the leaf at a2: EINVAL for bad arguments;
// record the region (slot 2) and the leaf (slot 1), both against the
// pre-state root; write the leaf; clear a reservation inside the leaf
// (TENSOR-LL); return 0.
func (vm *VM) sysTensorRoot(c *state.CPU, a0, a1, a2 uint64) {
	if !vm.isTensorCall(a0, a1, a2) {
		vm.returnErrno(c, errors.EINVAL)
		return
	}
	if vm.rec != nil {
		vm.rec.noteRegion(vm, a0, uint(a1))
	}
	root := vm.mem.regionRoot(a0, uint(a1))
	if vm.rec != nil {
		vm.rec.note(vm, a2)
	}
	vm.mem.setLeaf(a2, root)
	if vm.LLAddress&^(memory.LeafSize-1) == a2 {
		vm.clearReservation()
	}
	vm.returnValue(c, 0)
}

// isTensorCall is the spec's argument rule (TENSOR-MAP-EINVAL,
// TENSOR-ROOT-EINVAL): log2size in [MinTensorLog2, MaxTensorLog2], addr
// aligned to the size, the region inside [HeapStart, Heap), ptr a multiple
// of 32 whose leaf lies outside the region.
func (vm *VM) isTensorCall(addr, log2size, ptr uint64) bool {
	if log2size < transition.MinTensorLog2 || log2size > transition.MaxTensorLog2 {
		return false
	}
	size := uint64(1) << log2size
	if addr%size != 0 || ptr%memory.LeafSize != 0 {
		return false
	}
	if addr < transition.HeapStart || vm.Heap < size || addr > vm.Heap-size {
		return false
	}
	return ptr-addr >= size
}

// tensor returns D's tensor for root at size 2^log2size after the spec's
// check: CodeMissingTensor when D holds none, CodeBadTensor when its bytes
// are longer than the region or have another region root (TENSOR-STORE).
// The root is computed flat over the bytes, without copying them.
func (vm *VM) tensor(root [32]byte, log2size uint) ([]byte, error) {
	if vm.data.Tensors == nil {
		return nil, errors.New(errors.CodeMissingTensor, "root 0x%x at 2^%d: D has no tensor store", root, log2size)
	}
	data, ok := vm.data.Tensors.Tensor(root, log2size)
	if !ok {
		return nil, errors.New(errors.CodeMissingTensor, "root 0x%x at 2^%d", root, log2size)
	}
	got, ok := vm.mem.k.computeRegionRoot(data, log2size)
	if !ok || got != memory.Hash(root) {
		return nil, errors.New(errors.CodeBadTensor, "%d bytes for root 0x%x at 2^%d commit to %s", len(data), root, log2size, got)
	}
	return data, nil
}

// clearReservation drops the LL reservation.
func (vm *VM) clearReservation() {
	vm.LLReservationStatus, vm.LLAddress, vm.LLOwnerThread = state.LLNone, 0, 0
}
