package fpvm_test

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	stderrors "errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

// Fixture of the profile tests: code at profCode, a heap of 2 MiB from
// HeapStart, a region base profRegion aligned for every size up to 2^20
// (so sizes up to 2^19 fit and 2^20 ends past the heap), and pointer
// leaves at profPtr outside it.
const (
	profCode   = 0x10000
	profHeap   = transition.HeapStart + 1<<21
	profRegion = transition.HeapStart + 1<<20
	profPtr    = transition.HeapStart + 0x1000
)

func codeOf(err error) errors.Code {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return e.Code
	}
	return 0
}

// badStore serves the same wrong bytes for every root.
type badStore []byte

func (b badStore) Tensor([32]byte, uint) ([]byte, bool) { return b, true }

// randomBytes returns n bytes drawn by t, ending in a non-zero byte when n > 0.
func randomBytes(t *rapid.T, n int, label string) []byte {
	seed := rapid.Uint64().Draw(t, label)
	out := make([]byte, n)
	for i := range out {
		seed = seed*6364136223846793005 + 1442695040888963407
		out[i] = byte(seed >> 56)
	}
	if n > 0 && rapid.Bool().Draw(t, label+"Sparse") {
		clear(out[:n/2])
	}
	if n > 0 {
		out[n-1] |= 1
	}
	return out
}

// withRegs returns s with the current thread's registers set by set.
func withRegs(s state.State, set func(c *state.CPU)) state.State {
	t, _ := s.CurrentThread()
	set(&t.CPU)
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

// genTensorStep draws one tensor syscall step (as the spec's own tensor
// properties do): edge sizes and alignments, pointers inside, beside and
// far from the region, heaps that end inside or past it, reservations near
// both, stale region words, and a D that holds the tensor, another one,
// bytes that do not match, or nothing.
func genTensorStep(t *rapid.T) (state.State, spec.Data) {
	num := rapid.SampledFrom([]uint64{transition.SysTensorMap, transition.SysTensorRoot}).Draw(t, "num")
	k := rapid.SampledFrom([]uint64{0, 4, 5, 6, 7, 11, 12, 13, 16, 19, 20, 31, 64}).Draw(t, "log2size")
	kk := min(k, 30)
	addr := rapid.SampledFrom([]uint64{profRegion, profRegion + 32, profRegion + 1<<max(kk, 5), profRegion - 64, transition.HeapStart, profHeap - 64}).Draw(t, "addr")
	ptr := rapid.SampledFrom([]uint64{profPtr, profPtr + 8, addr, addr + 32, addr - 32, addr + 1<<kk, profCode, 0x20000}).Draw(t, "ptr")
	data := randomBytes(t, rapid.IntRange(0, 9000).Draw(t, "tensorLen"), "tensor")
	size := max(uint(kk), memory.RegionLog2Size(len(data)))
	root, _ := memory.ComputeRegionRoot(data, size)
	s := state.NewInitial(profCode, profHeap)
	mem := memory.Memory{}.SetBytes(profCode, []byte{0, 0, 0, 0x0C})
	for _, a := range rapid.SliceOfN(rapid.SampledFrom([]uint64{profRegion, profRegion + 0x88, profRegion + 0x1000, profRegion + 0x8000, profRegion + 0x7FFF8, profPtr + 32}), 0, 4).Draw(t, "stale") {
		mem, _ = mem.SetWord(a, rapid.Uint64().Draw(t, "staleWord"))
	}
	valid := rapid.Bool().Draw(t, "valid")
	if valid { // arguments that pass isTensorCall and a leaf holding the root
		k = rapid.Uint64Range(5, 19).Draw(t, "validLog2size")
		kk, addr, ptr = k, profRegion, rapid.SampledFrom([]uint64{profPtr, profRegion + 1<<k, profRegion - 32}).Draw(t, "validPtr")
		data = data[:min(len(data), 1<<k)]
		root, _ = memory.ComputeRegionRoot(data, uint(k))
	}
	if valid || rapid.Bool().Draw(t, "leafHoldsRoot") {
		mem = mem.SetBytes(ptr&^31, root[:])
	}
	s.Memory = mem
	s.Heap = rapid.SampledFrom([]uint64{profHeap, profRegion + 64, profRegion, transition.HeapEnd}).Draw(t, "heap")
	if valid {
		s.Heap = profHeap
	}
	s = withRegs(s, func(c *state.CPU) { c.Regs[2], c.Regs[4], c.Regs[5], c.Regs[6], c.Regs[7] = num, addr, k, ptr, 0x77 })
	if rapid.Bool().Draw(t, "ll") {
		s.LLReservationStatus = state.LLWord
		s.LLAddress = rapid.SampledFrom([]uint64{addr, addr + 17, addr + 1<<kk, ptr, ptr + 31, ptr + 32}).Draw(t, "llAddress")
	}
	var d spec.Data
	switch rapid.IntRange(0, 4).Draw(t, "store") {
	case 0, 4:
		d.Tensors = spec.NewTensors(data)
	case 1:
		d.Tensors = spec.NewTensors(append(bytes.Clone(data), 1))
	case 2:
		d.Tensors = badStore(append(bytes.Clone(data), 1))
	}
	return s, d
}

// TestFPVM_PROFILE: on random tensor syscall steps (valid and invalid
// arguments, missing and bad tensors, reservations), fpvm under
// ProfileOPcity agrees with spec.AdvanceIn(ProfileOPcity, ...): the same
// error Code, post-state hash, memory root and page count; and under
// ProfileBase both fail as an unknown syscall (PROF-BASE-UNKNOWN). Replay a
// failure with go test ./fpvm -run TestFPVM_PROFILE$ -rapid.seed=SEED.
func TestFPVM_PROFILE(t *testing.T) {
	codes := map[string]int{}
	rapid.Check(t, func(t *rapid.T) {
		pre, d := genTensorStep(t)
		for _, p := range []spec.Profile{spec.ProfileOPcity, spec.ProfileBase} {
			if err := properties.CheckFPVMStepIn(p, pre, d); err != nil {
				t.Fatal(err)
			}
		}
		post, err := spec.StepIn(spec.ProfileOPcity, pre, d)
		th, _ := post.CurrentThread()
		outcome := "EINVAL"
		switch {
		case err != nil:
			outcome = codeOf(err).String()
		case th.CPU.Regs[7] == 0:
			if r, _ := pre.CurrentThread(); r.CPU.Regs[2] == transition.SysTensorRoot {
				outcome = "tensor_root ok"
			} else {
				outcome = "tensor_map ok"
			}
		}
		codes[outcome]++
	})
	t.Logf("steps compared by spec outcome: %v", codes)
}

// TestFPVM_PROFILE_WITNESS: on the same random tensor steps, fpvm's
// StepWitness under ProfileOPcity equals spec.StepWithWitnessIn field by
// field — slot 1 the pointer's leaf, slot 2 the region proof from fpvm's
// own tree, the tensor D served — also when the step fails, and verifies in
// spec.VerifyStepIn to the spec's post-state.
func TestFPVM_PROFILE_WITNESS(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre, d := genTensorStep(t)
		if err := properties.CheckFPVMWitnessIn(spec.ProfileOPcity, pre, d); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFPVM_PROFILE_Explicit: FromStateIn rejects a profile outside the two
// with CodeUnknownProfile, FromState is the base profile, and Profile
// reports what the VM was built with.
func TestFPVM_PROFILE_Explicit(t *testing.T) {
	s := state.NewInitial(profCode, profHeap)
	if _, err := fpvm.FromStateIn(spec.Profile(2), s); codeOf(err) != errors.CodeUnknownProfile {
		t.Fatalf("FromStateIn(profile 2): %v", err)
	}
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		vm, err := fpvm.FromStateIn(p, s)
		if err != nil || vm.Profile() != p {
			t.Fatalf("FromStateIn(%s): %v, profile %v", p, err, vm.Profile())
		}
	}
	vm, _ := fpvm.FromState(s)
	if vm.Profile() != spec.ProfileBase {
		t.Fatalf("FromState: profile %s", vm.Profile())
	}
}

// MIPS64 encodings the generated programs use.
func iType(op, rs, rt uint32, imm uint16) uint32 { return op<<26 | rs<<21 | rt<<16 | uint32(imm) }

const (
	opDADDIU, opLD, opSD, opLLD, opSCD = 0x19, 0x37, 0x3F, 0x34, 0x3C
	rV0, rA0, rA1, rA2, rT0, rT1       = 2, 4, 5, 6, 8, 9
	rS0, rS2                           = 16, 18 // argument table, region base
	insnSyscall                        = 0x0000000C
	profTable                          = 0x40000
)

// tensorProgram is a random program of the OPcity profile and what it runs
// with: tensor calls whose (number, a0, a1, a2) come from a table at
// profTable, interleaved with stores, loads and LL/SC in the region, ending
// in exit_group.
type tensorProgram struct {
	pre   state.State
	d     spec.Data
	calls int
}

// genTensorProgram draws a tensorProgram. The pointer leaves hold the roots
// of D's tensors at random sizes (or random bytes); tensor_root results land
// in the same leaves, so later tensor_map calls may bind them again.
func genTensorProgram(t *rapid.T) tensorProgram {
	var tensors [][]byte
	for i := range rapid.IntRange(1, 3).Draw(t, "tensors") {
		tensors = append(tensors, randomBytes(t, rapid.SampledFrom([]int{0, 1, 32, 33, 100, 4096, 5000, 9000}).Draw(t, "len"), fmt.Sprint("tensor", i)))
	}
	mem := memory.Memory{}
	ptrs := []uint64{profPtr, profPtr + 32, profPtr + 64, profPtr + 0x1000}
	leafK := make([]uint64, len(ptrs))
	for i, p := range ptrs {
		j := rapid.IntRange(0, len(tensors)).Draw(t, "leafTensor")
		leafK[i] = rapid.Uint64Range(5, 16).Draw(t, "leafSize")
		if j == len(tensors) {
			mem = mem.SetBytes(p, randomBytes(t, 32, "leaf"))
			continue
		}
		leafK[i] = max(leafK[i], uint64(memory.RegionLog2Size(len(tensors[j]))))
		root, _ := memory.ComputeRegionRoot(tensors[j], uint(leafK[i]))
		mem = mem.SetBytes(p, root[:])
	}
	for range rapid.IntRange(0, 6).Draw(t, "staleWords") {
		mem, _ = mem.SetWord(profRegion+8*rapid.Uint64Range(0, 0x1FFF).Draw(t, "staleAt"), rapid.Uint64().Draw(t, "stale"))
	}
	var code []uint32
	var table []uint64
	calls := 0
	offs := []uint16{0, 8, 0x20, 0x88, 0xFF8, 0x1000, 0x5000, 0x7FF8}
	for range rapid.IntRange(1, 24).Draw(t, "ops") {
		switch rapid.IntRange(0, 5).Draw(t, "op") {
		case 0, 1:
			k := rapid.SampledFrom([]uint64{4, 5, 6, 7, 11, 12, 13, 16, 19, 20, 31}).Draw(t, "k")
			addr := rapid.SampledFrom([]uint64{profRegion, profRegion + 32, profRegion + 0x1000, profRegion + 1<<min(k, 20), profRegion + 0x10000, transition.HeapStart, profRegion - 64}).Draw(t, "a0")
			ptr := rapid.SampledFrom(append([]uint64{profPtr + 8, addr, addr + 32, profCode}, ptrs...)).Draw(t, "a2")
			if rapid.Bool().Draw(t, "valid") { // a leaf's own size at an aligned region
				i := rapid.IntRange(0, len(ptrs)-1).Draw(t, "leaf")
				k, ptr = leafK[i], ptrs[i]
				addr = rapid.SampledFrom([]uint64{profRegion, profRegion + 0x10000, transition.HeapStart + 0x20000}).Draw(t, "validA0")
			}
			num := rapid.SampledFrom([]uint64{transition.SysTensorMap, transition.SysTensorMap, transition.SysTensorRoot, 7002}).Draw(t, "num")
			table = append(table, num, addr, k, ptr)
			code = append(code, iType(opLD, rS0, rV0, 0), iType(opLD, rS0, rA0, 8), iType(opLD, rS0, rA1, 16), iType(opLD, rS0, rA2, 24),
				insnSyscall, iType(opDADDIU, rS0, rS0, 32))
			calls++
		case 2:
			code = append(code, iType(opSD, rS2, rT0, rapid.SampledFrom(offs).Draw(t, "off")), iType(opDADDIU, rT0, rT0, 0x1234))
		case 3:
			code = append(code, iType(opLD, rS2, rT1, rapid.SampledFrom(offs).Draw(t, "off")))
		case 4:
			code = append(code, iType(opLLD, rS2, rT1, rapid.SampledFrom(offs).Draw(t, "off")))
		case 5:
			code = append(code, iType(opSCD, rS2, rT0, rapid.SampledFrom(offs).Draw(t, "off")))
		}
	}
	code = append(code, iType(opDADDIU, 0, rV0, transition.SysExitGroup), insnSyscall)
	for i, w := range code {
		mem = mem.SetBytes(profCode+4*uint64(i), binary.BigEndian.AppendUint32(nil, w))
	}
	for i, v := range table {
		mem, _ = mem.SetWord(profTable+8*uint64(i), v)
	}
	s := state.NewInitial(profCode, profHeap)
	s.Memory = mem
	s = withRegs(s, func(c *state.CPU) {
		c.Regs[rS0], c.Regs[rS2], c.Regs[rT0] = profTable, profRegion, rapid.Uint64().Draw(t, "t0")
	})
	var d spec.Data
	switch rapid.IntRange(0, 4).Draw(t, "store") {
	case 0, 1:
		d.Tensors = spec.NewTensors(tensors...)
	case 2:
		d.Tensors = spec.NewTensors(tensors[:len(tensors)-1]...)
	case 3:
		d.Tensors = badStore(tensors[0])
	}
	return tensorProgram{pre: s, d: d, calls: calls}
}

var profileSteps, profileWitnesses, profileRegionSteps atomic.Int64

// TestFPVM_PROFILE_Programs is the model-based test of FPVM-PROFILE and
// FPVM-PROFILE-WITNESS on whole programs: one fpvm VM runs a random tensor
// program (genTensorProgram) under ProfileOPcity, its caches warm, beside
// the spec; before every step both take the step's witness
// (vm.StepWitness, spec.StepWithWitnessIn), which must be equal, fail with
// the same Code or none, verify in spec.VerifyStepIn, and leave equal state
// hashes, memory roots and page counts; the run then continues with
// vm.Run against spec.RunIn to the end. Replay a failure with
// go test ./fpvm -run TestFPVM_PROFILE_Programs -rapid.seed=SEED.
func TestFPVM_PROFILE_Programs(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		prog := genTensorProgram(t)
		s, d := prog.pre, prog.d
		vm, err := fpvm.FromStateIn(spec.ProfileOPcity, s)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 400 && !s.Exited; i++ {
			post, want, specErr := spec.StepWithWitnessIn(spec.ProfileOPcity, s, d)
			got, vmErr := vm.StepWitness(d)
			if codeOf(vmErr) != codeOf(specErr) || (vmErr == nil) != (specErr == nil) {
				t.Fatalf("step %d from %s: fpvm error %v, spec error %v", s.Step+1, s.Hash(), vmErr, specErr)
			}
			if msg := properties.WitnessDiff(got, want); msg != "" {
				t.Fatalf("FPVM-PROFILE-WITNESS: step %d from %s: %s", s.Step+1, s.Hash(), msg)
			}
			profileWitnesses.Add(1)
			if specErr != nil {
				break
			}
			if h, err := spec.VerifyStepIn(spec.ProfileOPcity, got.State[:], got.Proof, [32]byte{}, d); err != nil || h != post.Hash() {
				t.Fatalf("step %d: fpvm's witness verifies to %s, %v; want %s", s.Step+1, h, err, post.Hash())
			}
			s = post
			checkSame(t, vm, s)
			profileSteps.Add(1)
			if got.SlotsUsed == memory.RegionSlot+1 {
				profileRegionSteps.Add(1)
			}
		}
		vm2, _ := fpvm.FromStateIn(spec.ProfileOPcity, prog.pre)
		want, k, specErr := spec.RunIn(spec.ProfileOPcity, prog.pre, d, 1000)
		got, vmErr := vm2.Run(d, 1000)
		if got != k || codeOf(vmErr) != codeOf(specErr) {
			t.Fatalf("Run: fpvm %d steps (%v), spec %d (%v)", got, vmErr, k, specErr)
		}
		checkSame(t, vm2, want)
	})
	t.Logf("%d successful steps (%d successful tensor_map/tensor_root) and %d witnesses compared", profileSteps.Load(), profileRegionSteps.Load(), profileWitnesses.Load())
}

// checkSame fails unless vm holds s: state hash, memory root, page count.
func checkSame(t interface {
	Fatalf(string, ...any)
}, vm *fpvm.VM, s state.State) {
	if err := properties.CheckFPVMAgrees(vm, s); err != nil {
		t.Fatalf("%v", err)
	}
	if n := s.Memory.(memory.Memory).PageCount(); vm.PageCount() != n {
		t.Fatalf("step %d: fpvm holds %d pages, spec %d", s.Step, vm.PageCount(), n)
	}
}

// TestFPVM_PROFILE_DecodeCache: a loop in the heap executes its first
// instruction, then binds a tensor over its own code with tensor_map and
// branches back: fpvm must run the tensor's instruction, not the decoded
// one it cached (the bound pages' decoded instructions are dropped), for a
// region inside a page (2^6), one page (2^12) and several (2^16), in Step
// and in Run.
func TestFPVM_PROFILE_DecodeCache(t *testing.T) {
	const base = transition.HeapStart + 0x10000
	loop := func(t0 uint16) []byte {
		var b []byte
		for _, w := range []uint32{
			iType(opDADDIU, 0, rT0, t0),
			iType(opDADDIU, 0, rV0, transition.SysTensorMap),
			insnSyscall,
			iType(4, 0, 0, 0xFFFC), // beq zero, zero, back to base
			0,
		} {
			b = binary.BigEndian.AppendUint32(b, w)
		}
		return b
	}
	for _, k := range []uint64{6, 12, 16} {
		tensor := loop(2)
		root, _ := memory.ComputeRegionRoot(tensor, uint(k))
		mem := memory.Memory{}.SetBytes(base, loop(1)).SetBytes(profPtr, root[:])
		s := state.NewInitial(base, profHeap)
		s.Memory = mem
		s = withRegs(s, func(c *state.CPU) { c.Regs[rA0], c.Regs[rA1], c.Regs[rA2] = base, k, profPtr })
		d := spec.Data{Tensors: spec.NewTensors(tensor)}
		pre := s
		vm, _ := fpvm.FromStateIn(spec.ProfileOPcity, s)
		for range 20 {
			next, err := spec.StepIn(spec.ProfileOPcity, s, d)
			if err != nil {
				t.Fatal(err)
			}
			if err := vm.Step(d); err != nil {
				t.Fatal(err)
			}
			s = next
			checkSame(t, vm, s)
		}
		if th, _ := vm.Current(); th.CPU.Regs[rT0] != 2 {
			t.Fatalf("2^%d: t0 = %d after the loop bound its tensor, want 2", k, th.CPU.Regs[rT0])
		}
		vm2, _ := fpvm.FromStateIn(spec.ProfileOPcity, pre)
		want, _, _ := spec.RunIn(spec.ProfileOPcity, pre, d, 1000)
		if _, err := vm2.Run(d, 1000); err != nil {
			t.Fatal(err)
		}
		checkSame(t, vm2, want)
	}
}

// TestFPVM_VECTORS replays every committed vector (vectors/testdata/v1)
// through fpvm: each vector's case (vectors.Cases: its full pre-state,
// profile and D) stepped by fpvm.StepWitness reproduces the committed
// state, proof (every used slot) and tensor, and the expected error code
// or the post-state hash, post-state witness, stepped thread and memory
// writes (vectors.Compare, reading fpvm's own memory).
func TestFPVM_VECTORS(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every example program")
	}
	want, err := vectors.ReadByName("../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	cases, err := vectors.Cases("..")
	if err != nil {
		t.Fatal(err)
	}
	replayed := 0
	for _, c := range cases {
		v, ok := want[c.Name]
		if !ok {
			t.Fatalf("%s: a case without a committed vector (regenerate: go run ./cmd/opcity vectors --out vectors/testdata)", c.Name)
		}
		if msg := replayVector(c, v); msg != "" {
			t.Errorf("%s: %s", c.Name, msg)
		}
		replayed++
	}
	if replayed != len(want) {
		t.Fatalf("replayed %d of %d committed vectors", replayed, len(want))
	}
	t.Logf("%d vectors reproduced by fpvm", replayed)
}

// replayVector steps c in fpvm and returns "" when it reproduces v.
func replayVector(c vectors.Case, v vectors.Vector) string {
	vm, err := fpvm.FromStateIn(c.Profile, c.Pre)
	if err != nil {
		return err.Error()
	}
	w, vmErr := vm.StepWitness(c.Data)
	proof, _ := hex.DecodeString(strings.TrimPrefix(v.Proof, "0x"))
	if format.Hex(w.State[:]) != v.State || len(w.Proof) < len(proof) || !bytes.Equal(w.Proof[:len(proof)], proof) {
		return "fpvm's witness differs from the committed vector"
	}
	if v.Tensor != nil && (!w.HasTensor || format.Hex(w.TensorRoot[:]) != v.Tensor.Root || format.Hex(w.Tensor) != v.Tensor.Data || w.TensorLog2Size != v.Tensor.Log2Size) {
		return fmt.Sprintf("fpvm read tensor %v %x, vector %+v", w.HasTensor, w.TensorRoot, v.Tensor)
	}
	if v.Error != nil && uint16(codeOf(vmErr)) != v.Error.Code {
		return fmt.Sprintf("fpvm error %v, vector %s", vmErr, v.Error.Name)
	}
	if v.Error == nil && (vmErr != nil || vm.Hash().String() != v.PostStateHash) {
		return fmt.Sprintf("fpvm post-state %s (%v), vector %s", vm.Hash(), vmErr, v.PostStateHash)
	}
	if diff := vectors.Compare(v, vectors.OutcomeOf(c.Pre, vm.State(), vmErr)); len(diff) != 0 {
		return strings.Join(diff, "; ")
	}
	return ""
}
