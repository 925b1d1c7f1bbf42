package transition

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Tensor syscalls of the OPcity profile (docs/spec.md, "OPcity profile").
// A tensor commitment is the region root of the tensor's bytes laid out as
// memory lays them out (memory.ComputeRegionRoot), so binding a tensor to
// an aligned region replaces one subtree root of memory.
//
//	tensor_map(addr = a0, log2size = a1, root_ptr = a2)   TENSOR-MAP
//	tensor_root(addr = a0, log2size = a1, out_ptr = a2)   TENSOR-ROOT
//
// Both return v0 = 0, a3 = 0 on success, and EINVAL (v0 = 0x16, a3 = -1) with
// nothing else changed when the arguments break a rule of isTensorCall
// (TENSOR-MAP-EINVAL, TENSOR-ROOT-EINVAL).

// Syscall numbers of the OPcity profile. They lie outside every MIPS Linux
// ABI range (o32 4000-4999, n64 5000-5999, n32 6000-6999), so no Cannon
// program can mean anything else by them, and each fits the 16-bit
// immediate of one `daddiu v0, zero, n`. Under ProfileBase they are unknown
// syscalls (PROF-BASE-UNKNOWN).
const (
	SysTensorMap  = 7000
	SysTensorRoot = 7001
)

// Region sizes a tensor syscall accepts: one 32-byte leaf up to 1 GiB. The
// upper bound caps what one step makes an off-chain executor fill and hash
// (and what D must hold for one tensor); the on-chain cost does not depend
// on it.
const (
	MinTensorLog2 = memory.LeafLog2
	MaxTensorLog2 = 30
)

// TensorStore is the tensor part of D: Tensor returns bytes whose region
// root at size 2^log2size is root, zero padding implied, and ok = false when
// the store holds none. The step checks what it returns (TENSOR-STORE):
// bytes longer than the region or with another root mean the step cannot be
// executed (CodeBadTensor).
type TensorStore interface {
	Tensor(root [32]byte, log2size uint) (data []byte, ok bool)
}

// sysTensorMap binds the region [a0, a0 + 2^a1) to the tensor whose root is
// the 32-byte leaf at a2: the region then holds D's bytes for that root
// followed by zeros, and the memory root changes by replacing the region's
// subtree root. Reads the leaf at a2 (slot 1), then the region (slot 2).
// Errors: CodeMissingTensor when D has no tensor for the root, CodeBadTensor
// when D's tensor does not commit to it. A reservation whose address lies in
// the region is cleared (TENSOR-LL). Requirement TENSOR-MAP.
func (m *machine) sysTensorMap(a sysArgs) error {
	if !m.isTensorCall(a.a0, a.a1, a.a2) {
		return m.returnErrno(errors.EINVAL)
	}
	mem, err := m.regionSpace()
	if err != nil {
		return err
	}
	root, err := mem.Leaf(a.a2)
	if err != nil {
		return err
	}
	data, err := m.tensor(root, uint(a.a1))
	if err != nil {
		return err
	}
	next, err := mem.WithRegion(a.a0, uint(a.a1), root, data)
	if err != nil {
		return err
	}
	m.s.Memory = next
	if m.s.LLAddress-a.a0 < 1<<a.a1 {
		m.clearReservation()
	}
	return m.returnValue(0)
}

// sysTensorRoot writes the root of the region [a0, a0 + 2^a1) to the
// 32-byte leaf at a2. Reads the region (slot 2), then writes the leaf
// (slot 1); both proofs are against the pre-state root, since the leaf lies
// outside the region. A reservation whose address lies in the leaf is
// cleared, as four stores would clear it (TENSOR-LL). Requirement
// TENSOR-ROOT.
func (m *machine) sysTensorRoot(a sysArgs) error {
	if !m.isTensorCall(a.a0, a.a1, a.a2) {
		return m.returnErrno(errors.EINVAL)
	}
	mem, err := m.regionSpace()
	if err != nil {
		return err
	}
	root, err := mem.RegionRoot(a.a0, uint(a.a1))
	if err != nil {
		return err
	}
	next, err := mem.WithLeaf(a.a2, root)
	if err != nil {
		return err
	}
	m.s.Memory = next
	if m.s.LLAddress&^(memory.LeafSize-1) == a.a2 {
		m.clearReservation()
	}
	return m.returnValue(0)
}

// isTensorCall reports whether (addr, log2size, ptr) are valid arguments of
// a tensor syscall (TENSOR-MAP-EINVAL, TENSOR-ROOT-EINVAL):
//
//  1. MinTensorLog2 <= log2size <= MaxTensorLog2;
//  2. addr is a multiple of 2^log2size;
//  3. the region lies in the mmap'd heap: HeapStart <= addr and
//     addr + 2^log2size <= Heap (no program, stack or reserved memory);
//  4. ptr is a multiple of 32, so the root is exactly one leaf;
//  5. ptr's leaf lies outside the region.
func (m *machine) isTensorCall(addr, log2size, ptr uint64) bool {
	if log2size < MinTensorLog2 || log2size > MaxTensorLog2 {
		return false
	}
	size := uint64(1) << log2size
	if addr%size != 0 || ptr%memory.LeafSize != 0 {
		return false
	}
	if addr < HeapStart || m.s.Heap < size || addr > m.s.Heap-size {
		return false
	}
	return ptr-addr >= size
}

// regionSpace returns the state's memory as a memory.RegionSpace. Errors:
// CodeMissingMemory for a back-end that cannot bind regions.
func (m *machine) regionSpace() (memory.RegionSpace, error) {
	rs, ok := m.s.Memory.(memory.RegionSpace)
	if !ok {
		return nil, errors.New(errors.CodeMissingMemory, "the memory back-end %T cannot bind regions", m.s.Memory)
	}
	return rs, nil
}

// tensor returns D's tensor for root at size 2^log2size after checking it.
// Errors: CodeMissingTensor when D holds none (TENSOR-MISSING),
// CodeBadTensor when its bytes are longer than the region or have another
// region root (TENSOR-STORE).
func (m *machine) tensor(root [32]byte, log2size uint) ([]byte, error) {
	if m.d.Tensors == nil {
		return nil, errors.New(errors.CodeMissingTensor, "root 0x%x at 2^%d: D has no tensor store", root, log2size)
	}
	data, ok := m.d.Tensors.Tensor(root, log2size)
	if !ok {
		return nil, errors.New(errors.CodeMissingTensor, "root 0x%x at 2^%d", root, log2size)
	}
	got, err := memory.ComputeRegionRoot(data, log2size)
	if err != nil || got != memory.Hash(root) {
		return nil, errors.New(errors.CodeBadTensor, "%d bytes for root 0x%x at 2^%d commit to %s", len(data), root, log2size, got)
	}
	return data, nil
}
