package spec_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// genTensorStep draws a tensor syscall step: edge sizes and alignments,
// pointers inside, beside and far from the region, heaps that end inside or
// past it, reservations near both, and a D that holds the tensor, another
// one, bytes that do not match, or nothing.
func genTensorStep(t *rapid.T) (spec.State, spec.Data) {
	num := rapid.SampledFrom([]uint64{transition.SysTensorMap, transition.SysTensorRoot}).Draw(t, "num")
	k := rapid.SampledFrom([]uint64{0, 4, 5, 6, 7, 11, 12, 13, 16, 30, 31, 64}).Draw(t, "log2size")
	kk := min(k, 30)
	addr := rapid.SampledFrom([]uint64{regionAddr, regionAddr + 32, regionAddr + 1<<max(kk, 5), 0x20000, tensorHeap - 64, transition.HeapStart}).Draw(t, "addr")
	ptr := rapid.SampledFrom([]uint64{ptrAddr, ptrAddr + 8, addr, addr + 32, addr - 32, addr + 1<<kk, codeAddr, 0x20000}).Draw(t, "ptr")
	n := rapid.IntRange(0, 5000).Draw(t, "tensorLen")
	data := tensorBytes(n)
	size := max(uint(kk), memory.RegionLog2Size(n))
	root, _ := memory.ComputeRegionRoot(data, size)
	pre := tensorPre(num, addr, k, ptr, root)
	pre.Heap = rapid.SampledFrom([]uint64{tensorHeap, regionAddr + 64, regionAddr, transition.HeapEnd}).Draw(t, "heap")
	if rapid.Bool().Draw(t, "ll") {
		pre.LLReservationStatus = state.LLWord
		pre.LLAddress = rapid.SampledFrom([]uint64{addr, addr + 17, addr + 1<<kk, ptr, ptr + 31, ptr + 32}).Draw(t, "llAddress")
	}
	var d spec.Data
	switch rapid.IntRange(0, 3).Draw(t, "store") {
	case 0:
		d.Tensors = spec.NewTensors(data)
	case 1:
		d.Tensors = spec.NewTensors(tensorBytes(n + 1))
	case 2:
		d.Tensors = badStore(tensorBytes(n + 1))
	}
	return pre, d
}

// TestTENSOR_STATELESS: on random tensor steps the honest witness verifies
// under the OPcity profile to the stateful result (or fails when the step
// fails), and a flipped bit of the state, thread witness or a used slot
// never verifies to a wrong post-state.
func TestTENSOR_STATELESS(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre, d := genTensorStep(t)
		if err := properties.CheckVerifyCompleteIn(spec.ProfileOPcity, pre, d); err != nil {
			t.Fatal(err)
		}
		region := properties.TamperRegion(rapid.IntRange(0, 2).Draw(t, "region"))
		if _, err := properties.CheckVerifySoundIn(spec.ProfileOPcity, pre, d, region, rapid.Uint64().Draw(t, "bit")); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTENSOR_RUN_Stateful: RunIn over transient memory equals StepIn on
// random tensor steps, and pre keeps its memory root.
func TestTENSOR_RUN_Stateful(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre, d := genTensorStep(t)
		root := pre.Memory.Root()
		want, werr := spec.StepIn(spec.ProfileOPcity, pre, d)
		got, _, gerr := spec.RunIn(spec.ProfileOPcity, pre, d, 1)
		if codeOf(werr) != codeOf(gerr) || got.Hash() != want.Hash() || pre.Memory.Root() != root {
			t.Fatalf("RunIn %s (%v), StepIn %s (%v)", got.Hash(), gerr, want.Hash(), werr)
		}
	})
}
