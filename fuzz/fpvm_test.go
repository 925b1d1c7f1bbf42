package fuzz

import (
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// FuzzFPVM_FUZZ: fpvm steps states built from arbitrary bytes exactly as
// the spec does — same post-state hash and memory root, same error Code,
// the same witness (FPVM-MODEL, FPVM-WITNESS) — and a Run of up to 8 steps
// ends where spec.Run ends.
func FuzzFPVM_FUZZ(f *testing.F) {
	f.Add(word(0x00000000))                               // nop (sll r0, r0, 0)
	f.Add(word(0x0000000C))                               // syscall with v0 = 0: unknown syscall
	f.Add(word(0x8C820000, make([]byte, 64)...))          // lw from a zero register: address 0
	f.Add(word(0x10000000, 1))                            // beq taken, sometimes in a delay slot
	f.Add(word(0x0000001A))                               // div by r0: divide by zero
	f.Add(word(0xE0000000, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)) // sc with an arbitrary reservation
	f.Add(word(0xFC000000, make([]byte, 24)...))          // sd to the instruction's own page
	f.Add(word(0x7000003F))                               // SPECIAL2 funct Cannon lacks: invalid instruction
	f.Fuzz(func(t *testing.T, b []byte) {
		pre, oracle := properties.StateFromBytes(b)
		d := spec.Data{Preimages: oracle}
		if err := properties.CheckFPVMStep(pre, d); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckFPVMWitness(pre, d); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckFPVMRun(pre, d, 8); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzFPVM_PROFILE: under the OPcity profile, fpvm executes a tensor
// syscall from a state built from arbitrary bytes exactly as the spec does
// — the same post-state, error Code and witness (FPVM-PROFILE,
// FPVM-PROFILE-WITNESS). The harness makes the instruction a SYSCALL of
// tensor_map or tensor_root; the fuzzer's bytes choose whether the
// arguments are raw register values (mostly EINVAL) or shaped to pass the
// rules (an aligned region in the heap, a pointer outside it), and D holds
// one tensor made of the input bytes, so maps that succeed, miss or get a
// wrong size all occur.
func FuzzFPVM_PROFILE(f *testing.F) {
	f.Add([]byte{0, 0})                            // tensor_map, raw arguments
	f.Add([]byte{1, 0})                            // tensor_root, raw arguments
	f.Add([]byte{2, 7, 1, 2, 3, 4, 5, 6, 7, 8, 9}) // tensor_map, shaped arguments
	f.Add([]byte{3, 12, 0xAA, 0xBB})               // tensor_root, shaped arguments
	f.Fuzz(func(t *testing.T, b []byte) {
		pre, oracle := properties.StateFromBytes(b)
		pre = tensorSyscall(t, pre, b)
		d := spec.Data{Preimages: oracle, Tensors: spec.NewTensors(b)}
		if err := properties.CheckFPVMStepIn(spec.ProfileOPcity, pre, d); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckFPVMWitnessIn(spec.ProfileOPcity, pre, d); err != nil {
			t.Fatal(err)
		}
	})
}

// tensorSyscall returns s with a SYSCALL at the current thread's PC and v0
// = tensor_map (b[0] even) or tensor_root (odd). With b[0]&2 set, the
// arguments are shaped: log2size 5 + b[1]%12, a region aligned to it inside
// [HeapStart, Heap), the pointer 32-byte aligned just past the region, and
// the root (for tensor_map) the store's tensor's at that size when it fits.
func tensorSyscall(t *testing.T, s state.State, b []byte) state.State {
	t.Helper()
	at := func(i int) byte {
		if i < len(b) {
			return b[i]
		}
		return 0
	}
	th, err := s.CurrentThread()
	if err != nil {
		return s
	}
	pc := th.CPU.PC &^ 3
	th.CPU.PC, th.CPU.NextPC = pc, pc+4
	th.CPU.Regs[2] = transition.SysTensorMap + uint64(at(0)&1)
	mem, ok := s.Memory.(memory.Memory)
	if !ok {
		return s
	}
	word, _ := mem.Word(pc &^ 7)
	if pc&4 == 0 {
		word = word&0xFFFFFFFF | uint64(0x0000000C)<<32
	} else {
		word = word&^0xFFFFFFFF | 0x0000000C
	}
	if mem, err = mem.SetWord(pc&^7, word); err != nil {
		t.Fatal(err)
	}
	if at(0)&2 != 0 {
		k := 5 + uint64(at(1)%12)
		region := transition.HeapStart + uint64(at(2))<<k
		s.Heap = max(s.Heap, region+2<<k)
		ptr := region + 1<<k
		th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = region, k, ptr
		root, err := (memory.Memory{}).SetBytes(0, b).RegionRoot(0, uint(k))
		if err == nil && uint64(len(b)) <= 1<<k {
			mem = mem.SetBytes(ptr, root[:])
		}
	}
	s.Memory = mem
	if s.TraverseRight {
		s.RightThreads, err = s.RightThreads.ReplaceTop(th)
	} else {
		s.LeftThreads, err = s.LeftThreads.ReplaceTop(th)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}
