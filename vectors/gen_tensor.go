package vectors

import (
	"fmt"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Layout of the tensors group's states: a 32 MiB heap, regions at
// tensorRegion (aligned for every size up to 2^24), the pointer leaf at
// tensorPtr.
const (
	tensorHeap   = transition.HeapStart + 1<<25
	tensorRegion = transition.HeapStart + 1<<24
	tensorPtr    = transition.HeapStart + 0x1000
)

// tensorArgs is one tensor syscall vector: the profile, the number, a0..a2,
// the tensor D holds (nil: none), what the pointer leaf holds when it is not
// the tensor's root, and an LL reservation address (0: none).
type tensorArgs struct {
	name     string
	profile  spec.Profile
	num      uint64
	addr, k  uint64
	ptr      uint64
	tensor   []byte
	store    transition.TensorStore // overrides tensor when set
	ll       uint64
	rootSize uint // the size whose root the leaf holds (default k)
}

// wrongTensor serves the same wrong bytes for every lookup.
type wrongTensor []byte

func (w wrongTensor) Tensor([32]byte, uint) ([]byte, bool) { return w, true }

// tensorData returns n deterministic bytes.
func tensorData(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i*13 + 5)
	}
	return out
}

func tensorArgList() []tensorArgs {
	op, base := spec.ProfileOPcity, spec.ProfileBase
	mp, rt := uint64(transition.SysTensorMap), uint64(transition.SysTensorRoot)
	r, p := uint64(tensorRegion), uint64(tensorPtr)
	t100 := tensorData(100)
	cs := []tensorArgs{
		{name: "map/leaf", profile: op, num: mp, addr: r, k: 5, ptr: p, tensor: tensorData(20)},
		{name: "map/64B", profile: op, num: mp, addr: r, k: 6, ptr: p, tensor: tensorData(64)},
		{name: "map/4KiB-partial", profile: op, num: mp, addr: r, k: 12, ptr: p, tensor: tensorData(3000)},
		{name: "map/16MiB-small-tensor", profile: op, num: mp, addr: r, k: 24, ptr: p, tensor: t100},
		{name: "map/ptr-below-region", profile: op, num: mp, addr: r, k: 7, ptr: r - 32, tensor: t100},
		{name: "map/ptr-above-region", profile: op, num: mp, addr: r, k: 7, ptr: r + 128, tensor: t100},
		{name: "map/ll-in-region", profile: op, num: mp, addr: r, k: 7, ptr: p, tensor: t100, ll: r + 100},
		{name: "map/ll-outside", profile: op, num: mp, addr: r, k: 7, ptr: p, tensor: t100, ll: r + 128},
		{name: "map/missing", profile: op, num: mp, addr: r, k: 7, ptr: p},
		{name: "map/missing-other-size", profile: op, num: mp, addr: r, k: 8, ptr: p, tensor: t100, rootSize: 7},
		{name: "map/bad-tensor", profile: op, num: mp, addr: r, k: 7, ptr: p, tensor: t100, store: wrongTensor(tensorData(101))},
		{name: "map/tensor-too-long", profile: op, num: mp, addr: r, k: 7, ptr: p, tensor: t100, store: wrongTensor(append(append([]byte(nil), t100...), make([]byte, 100)...))},
		{name: "root/leaf", profile: op, num: rt, addr: r, k: 5, ptr: p},
		{name: "root/64B", profile: op, num: rt, addr: r, k: 6, ptr: p},
		{name: "root/4KiB", profile: op, num: rt, addr: r, k: 12, ptr: p},
		{name: "root/16MiB", profile: op, num: rt, addr: r, k: 24, ptr: p},
		{name: "root/ll-in-leaf", profile: op, num: rt, addr: r, k: 6, ptr: p, ll: p + 19},
		{name: "root/ll-next-leaf", profile: op, num: rt, addr: r, k: 6, ptr: p, ll: p + 32},
		{name: "base/map-unknown", profile: base, num: mp, addr: r, k: 7, ptr: p, tensor: t100},
		{name: "base/root-unknown", profile: base, num: rt, addr: r, k: 7, ptr: p},
	}
	for _, num := range []uint64{mp, rt} {
		name := map[uint64]string{mp: "map", rt: "root"}[num]
		for _, e := range []struct {
			name        string
			addr, k, pt uint64
		}{
			{"log2size-4", r, 4, p}, {"log2size-31", r, 31, p}, {"log2size-huge", r, ^uint64(0), p},
			{"addr-unaligned", r + 64, 7, p}, {"below-heap", dataAddr, 7, p}, {"past-heap", tensorHeap, 7, p},
			{"straddles-heap-end", tensorHeap - 64, 7, p}, {"heap-too-small-2^30", transition.HeapStart + 1<<30, 30, p},
			{"reserved", transition.HeapEnd, 7, p}, {"ptr-unaligned", r, 7, p + 8}, {"ptr-in-region", r, 7, r + 96},
		} {
			cs = append(cs, tensorArgs{name: name + "/einval/" + e.name, profile: op, num: num, addr: e.addr, k: e.k, ptr: e.pt, tensor: t100})
		}
	}
	return cs
}

// tensorCases: both tensor syscalls under the OPcity profile, every EINVAL
// rule, a missing and a bad tensor, the LL rule, and both numbers under the
// base profile (unknown syscalls).
func tensorCases() []Case {
	var out []Case
	for i, c := range tensorArgList() {
		s, d := tensorState(newBuilder("tensors/"+c.name, i), c)
		desc := fmt.Sprintf("syscall %d under the %s profile: a0=%#x a1=%d a2=%#x", c.num, c.profile, c.addr, c.k, c.ptr)
		out = append(out, Case{Name: "tensors/" + c.name, Group: "tensors", Description: desc, Syscall: c.num, Profile: c.profile, Pre: s, Data: d})
	}
	return out
}

// tensorState builds the pre-state of a tensor case: random registers and
// region words, the syscall's arguments, the pointer leaf holding the
// tensor's root (or random bytes when there is no tensor), and D.
func tensorState(b builder, c tensorArgs) (state.State, spec.Data) {
	s := b.state(0x0000000C)
	s.Heap = tensorHeap
	mem := s.Memory.(memory.Memory)
	for _, a := range []uint64{tensorRegion, tensorRegion + 0x88, tensorRegion + 0x5000, tensorPtr - 8, tensorPtr + 32} {
		mem, _ = mem.SetWord(a, b.r.Uint64())
	}
	leaf := make([]byte, 32)
	for i := range leaf {
		leaf[i] = byte(b.r.Uint32())
	}
	d := spec.Data{}
	if c.tensor != nil {
		k := c.rootSize
		if k == 0 {
			k = uint(min(c.k, 30))
		}
		root, err := memory.ComputeRegionRoot(c.tensor, max(k, memory.RegionLog2Size(len(c.tensor))))
		if err == nil {
			leaf = root[:]
		}
		d.Tensors = spec.NewTensors(c.tensor)
	}
	if c.store != nil {
		d.Tensors = c.store
	}
	s.Memory = mem.SetBytes(c.ptr&^31, leaf)
	s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = 0, 0, 0
	if c.ll != 0 {
		s.LLReservationStatus, s.LLAddress = state.LLWord, c.ll
	}
	t, _ := s.CurrentThread()
	t.CPU.Regs[2], t.CPU.Regs[4], t.CPU.Regs[5], t.CPU.Regs[6] = c.num, c.addr, c.k, c.ptr
	return withCurrent(s, t), d
}
