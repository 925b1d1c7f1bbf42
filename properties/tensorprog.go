package properties

import (
	"debug/elf"
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/memory"
)

// The layout of TensorProgram.
const (
	TensorProgramCode  = 0x10000 // the entry point: the code below
	TensorProgramRoot  = 0x20000 // the leaf tensor_map reads its root from
	TensorProgramOut   = 0x20020 // the leaf tensor_root writes the region's root to
	TensorProgramByte  = 5       // the tensor byte the program exits with
	TensorProgramSteps = 18      // steps until it exits
)

// TensorProgram returns a hand-assembled MIPS64 ELF that uses both tensor
// syscalls of the OPcity profile, every instruction of it once, so that
// each of its TensorProgramSteps steps can be witnessed: it mmaps at least
// 2^log2size bytes (the heap's first region, aligned to any size up to
// 2^44), maps the tensor whose root is root (a data leaf at
// TensorProgramRoot) into [region, region + 2^log2size) with tensor_map,
// writes that region's root to TensorProgramOut with tensor_root, calls
// tensor_root once more with log2size 4 (EINVAL: a tensor step that reads
// no tensor), and exits with the region's byte TensorProgramByte. Under
// the base profile its step 9 (the tensor_map) is an unknown syscall.
// Precondition: 5 <= log2size <= 30.
func TensorProgram(root memory.Hash, log2size uint) []byte {
	mmapHi := uint32(1) // lui a1, hi: 2^16 · hi bytes, at least 2^log2size
	if log2size > 16 {
		mmapHi = 1 << (log2size - 16)
	}
	words := []uint32{
		0x24021391,                     // addiu v0, zero, 5009    mmap
		0x24040000,                     // addiu a0, zero, 0       (any address)
		0x3C050000 | mmapHi,            // lui a1, hi              length
		0x0000000C,                     // syscall                 v0 = the heap's start
		0x0040202D,                     // daddu a0, v0, zero      a0 = region
		0x24050000 | uint32(log2size),  // addiu a1, zero, log2size
		0x3C060002,                     // lui a2, 2               a2 = TensorProgramRoot
		0x24021B58,                     // addiu v0, zero, 7000
		0x0000000C,                     // syscall                 tensor_map(region, log2size, root leaf)
		0x24021B59,                     // addiu v0, zero, 7001
		0x64C60020,                     // daddiu a2, a2, 32       a2 = TensorProgramOut
		0x0000000C,                     // syscall                 tensor_root(region, log2size, out leaf)
		0x24050004,                     // addiu a1, zero, 4
		0x24021B59,                     // addiu v0, zero, 7001
		0x0000000C,                     // syscall                 tensor_root with log2size 4: EINVAL
		0x90840000 | TensorProgramByte, // lbu a0, 5(a0)          a0 = the tensor's byte 5
		0x24021455,                     // addiu v0, zero, 5205
		0x0000000C,                     // syscall                 exit_group(a0)
	}
	var code []byte
	for _, w := range words {
		code = binary.BigEndian.AppendUint32(code, w)
	}
	leaves := append(append([]byte(nil), root[:]...), make([]byte, memory.LeafSize)...)
	return MinimalELF(TensorProgramCode,
		Segment{Type: uint32(elf.PT_LOAD), Vaddr: TensorProgramCode, Data: code},
		Segment{Type: uint32(elf.PT_LOAD), Vaddr: TensorProgramRoot, Data: leaves})
}
