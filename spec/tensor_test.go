package spec_test

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Fixture of the tensor syscall tests: a syscall at 0x10000, a heap of
// 2 GiB, a region at regionAddr (aligned for every allowed size) holding
// stale words, and a pointer leaf at ptrAddr outside it.
const (
	tensorHeap = transition.HeapStart + 1<<31
	regionAddr = transition.HeapStart + 1<<30
	ptrAddr    = transition.HeapStart + 0x1000
	codeAddr   = 0x10000
)

// tensorPre returns a state whose thread runs syscall num with a0..a2 =
// addr, log2size, ptr; the leaf at ptr holds word, the region's first and
// 4097th word hold stale data.
func tensorPre(num, addr, log2size, ptr uint64, leaf [32]byte) spec.State {
	s := state.NewInitial(codeAddr, tensorHeap)
	mem := memory.Memory{}.SetBytes(codeAddr, []byte{0, 0, 0, 0x0C})
	mem, _ = mem.SetWord(regionAddr, 0xDEAD_BEEF_0000_0001)
	mem, _ = mem.SetWord(regionAddr+0x8000, 0xDEAD_BEEF_0000_0002)
	mem, _ = mem.SetWord(ptrAddr+32, 0x5555_5555_5555_5555) // the leaf after ptr's
	mem = mem.SetBytes(ptr&^31, leaf[:])
	s.Memory = mem
	s.Step = 12345
	t, _ := s.CurrentThread()
	t.CPU.Regs[2], t.CPU.Regs[4], t.CPU.Regs[5], t.CPU.Regs[6] = num, addr, log2size, ptr
	t.CPU.Regs[7] = 0x77
	active, _ := s.ActiveStack().ReplaceTop(t)
	return s.WithStacks(active, s.InactiveStack())
}

// tensorBytes returns n deterministic non-zero-ending bytes.
func tensorBytes(n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = byte(i*7+3) | 1
	}
	return out
}

// rootAt returns the commitment to data at size 2^log2size.
func rootAt(t testing.TB, data []byte, log2size uint) memory.Hash {
	t.Helper()
	r, err := memory.ComputeRegionRoot(data, log2size)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// checkReturned checks that post differs from pre only by the step counters,
// PC/NextPC and v0/a3 = (v0, a3), apart from memory and the LL fields, which
// the caller checks.
func checkReturned(t *testing.T, pre, post spec.State, v0, a3 uint64) {
	t.Helper()
	pt, _ := pre.CurrentThread()
	qt, _ := post.CurrentThread()
	want := pt
	want.CPU.Regs[2], want.CPU.Regs[7] = v0, a3
	want.CPU.PC, want.CPU.NextPC = pt.CPU.NextPC, pt.CPU.NextPC+4
	if qt != want {
		t.Fatalf("thread after the step:\n got %+v\nwant %+v", qt.CPU, want.CPU)
	}
	if post.Step != pre.Step+1 || post.Heap != pre.Heap || post.Exited || post.PreimageKey != pre.PreimageKey {
		t.Fatalf("scalar fields changed: step %d -> %d, heap %#x -> %#x", pre.Step, post.Step, pre.Heap, post.Heap)
	}
}

// TestPROF_EXPLICIT: a profile outside the two is rejected by every entry
// point, and the profile-less entry points are the base profile.
func TestPROF_EXPLICIT(t *testing.T) {
	pre := tensorPre(transition.SysTensorMap, regionAddr, 6, ptrAddr, [32]byte{})
	bad := spec.Profile(2)
	if _, err := spec.StepIn(bad, pre, spec.Data{}); codeOf(err) != errors.CodeUnknownProfile {
		t.Fatalf("StepIn(profile 2): %v", err)
	}
	if _, _, err := spec.StepWithWitnessIn(bad, pre, spec.Data{}); codeOf(err) != errors.CodeUnknownProfile {
		t.Fatalf("StepWithWitnessIn(profile 2): %v", err)
	}
	_, w, _ := spec.StepWithWitness(pre, spec.Data{})
	if _, err := spec.VerifyStepIn(bad, w.State[:], w.Proof, [32]byte{}, spec.Data{}); codeOf(err) != errors.CodeUnknownProfile {
		t.Fatalf("VerifyStepIn(profile 2): %v", err)
	}
	if _, _, err := spec.RunIn(bad, pre, spec.Data{}, 1); codeOf(err) != errors.CodeUnknownProfile {
		t.Fatalf("RunIn(profile 2): %v", err)
	}
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		if q, err := transition.ParseProfile(p.String()); err != nil || q != p {
			t.Fatalf("ParseProfile(%s) = %v, %v", p, q, err)
		}
	}
	if _, err := transition.ParseProfile("cannon"); codeOf(err) != errors.CodeUnknownProfile {
		t.Fatalf("ParseProfile(cannon): %v", err)
	}
	clock := oneInsn(0x0000000C)
	a, errA := spec.Step(clock, spec.Data{})
	b, errB := spec.StepIn(spec.ProfileBase, clock, spec.Data{})
	c, errC := spec.StepIn(spec.ProfileOPcity, clock, spec.Data{})
	if errA != nil || errB != nil || errC != nil || a.Hash() != b.Hash() || a.Hash() != c.Hash() {
		t.Fatalf("clock_gettime: Step %s (%v), base %s (%v), opcity %s (%v)", a.Hash(), errA, b.Hash(), errB, c.Hash(), errC)
	}
}

// TestPROF_BASE_UNKNOWN: under the base profile both tensor numbers, with
// valid arguments and the tensor in D, fail exactly as an unknown number
// does, statefully and statelessly, with the same one-slot witness.
func TestPROF_BASE_UNKNOWN(t *testing.T) {
	data := tensorBytes(64)
	root := rootAt(t, data, 6)
	d := spec.Data{Tensors: spec.NewTensors(data)}
	for _, num := range []uint64{transition.SysTensorMap, transition.SysTensorRoot, 7002, 4001} {
		pre := tensorPre(num, regionAddr, 6, ptrAddr, root)
		post, err := spec.Step(pre, d)
		if codeOf(err) != errors.CodeUnknownSyscall || post.Hash() != pre.Hash() {
			t.Fatalf("syscall %d under base: %v", num, err)
		}
		_, w, err := spec.StepWithWitnessIn(spec.ProfileBase, pre, d)
		if codeOf(err) != errors.CodeUnknownSyscall || w.SlotsUsed != 1 || w.HasTensor {
			t.Fatalf("syscall %d witness under base: %v, %d slots", num, err, w.SlotsUsed)
		}
		if _, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, d); codeOf(err) != errors.CodeUnknownSyscall {
			t.Fatalf("syscall %d VerifyStep under base: %v", num, err)
		}
	}
}

// TestTENSOR_MAP: after tensor_map the region holds the tensor followed by
// zeros (stale data gone), its region root is the tensor's root, the rest
// of memory is unchanged (the region proof's siblings are), and the call
// returns 0. Sizes from one leaf to 1 MiB, tensors shorter than the region.
func TestTENSOR_MAP(t *testing.T) {
	for _, c := range []struct {
		log2size uint
		n        int
	}{{5, 32}, {5, 7}, {6, 64}, {6, 33}, {12, 4096}, {16, 40000}, {20, 1 << 20}, {20, 100}} {
		t.Run(fmt.Sprintf("2^%d/%dB", c.log2size, c.n), func(t *testing.T) {
			data := tensorBytes(c.n)
			root := rootAt(t, data, c.log2size)
			pre := tensorPre(transition.SysTensorMap, regionAddr, uint64(c.log2size), ptrAddr, root)
			post, err := spec.StepIn(spec.ProfileOPcity, pre, spec.Data{Tensors: spec.NewTensors(data)})
			if err != nil {
				t.Fatal(err)
			}
			checkReturned(t, pre, post, 0, 0)
			mem := post.Memory.(memory.Memory)
			if got, _ := mem.RegionRoot(regionAddr, c.log2size); got != root {
				t.Fatalf("region root after map = %s, want %s", got, root)
			}
			want := append(append([]byte(nil), data...), make([]byte, 1<<c.log2size-c.n)...)
			if got := mem.Bytes(regionAddr, 1<<c.log2size); !bytes.Equal(got, want) {
				t.Fatal("region bytes are not the tensor followed by zeros")
			}
			before, _ := pre.Memory.(memory.Memory).RegionProof(regionAddr, c.log2size)
			after, _ := mem.RegionProof(regionAddr, c.log2size)
			if !bytes.Equal(before[32:], after[32:]) {
				t.Fatal("memory outside the region changed")
			}
			if w, _ := mem.Word(regionAddr + 0x8000); c.log2size <= 15 && w != 0xDEAD_BEEF_0000_0002 {
				t.Fatalf("word past a 2^%d region: %#x", c.log2size, w)
			}
		})
	}
}

// TestTENSOR_ROOT: tensor_root writes the region root to out_ptr's leaf;
// after tensor_map of the same region it returns the mapped root (round
// trip), and on ordinary memory it equals memory.RegionRoot.
func TestTENSOR_ROOT(t *testing.T) {
	for _, k := range []uint{5, 6, 12, 15, 24} {
		data := tensorBytes(1<<k - 3)
		root := rootAt(t, data, k)
		pre := tensorPre(transition.SysTensorMap, regionAddr, uint64(k), ptrAddr, root)
		d := spec.Data{Tensors: spec.NewTensors(data)}
		mapped, err := spec.StepIn(spec.ProfileOPcity, pre, d)
		if err != nil {
			t.Fatal(err)
		}
		out := uint64(ptrAddr + 0x40)
		th, _ := mapped.CurrentThread()
		th.CPU.Regs[2], th.CPU.Regs[6] = transition.SysTensorRoot, out
		th.CPU.PC, th.CPU.NextPC = codeAddr, codeAddr+4
		active, _ := mapped.ActiveStack().ReplaceTop(th)
		mid := mapped.WithStacks(active, mapped.InactiveStack())
		post, err := spec.StepIn(spec.ProfileOPcity, mid, spec.Data{})
		if err != nil {
			t.Fatal(err)
		}
		checkReturned(t, mid, post, 0, 0)
		leaf, _ := post.Memory.(memory.Memory).Leaf(out)
		if leaf != root {
			t.Fatalf("2^%d: tensor_root after tensor_map wrote %x, want %s", k, leaf, root)
		}
	}
	pre := tensorPre(transition.SysTensorRoot, regionAddr, 16, ptrAddr, [32]byte{1})
	post, err := spec.StepIn(spec.ProfileOPcity, pre, spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := pre.Memory.(memory.Memory).RegionRoot(regionAddr, 16)
	if leaf, _ := post.Memory.(memory.Memory).Leaf(ptrAddr); leaf != want {
		t.Fatalf("tensor_root of stale data wrote %x, want %s", leaf, want)
	}
}

// einvalCases are argument triples that break one rule each.
func einvalCases() map[string][3]uint64 {
	return map[string][3]uint64{
		"log2size-4":         {regionAddr, 4, ptrAddr},
		"log2size-0":         {regionAddr, 0, ptrAddr},
		"log2size-31":        {regionAddr, 31, ptrAddr},
		"log2size-64":        {0, 64, ptrAddr},
		"log2size-huge":      {regionAddr, ^uint64(0), ptrAddr},
		"addr-unaligned":     {regionAddr + 32, 6, ptrAddr},
		"addr-unaligned-1":   {regionAddr + 1, 5, ptrAddr},
		"below-heap":         {0x20000, 6, ptrAddr},
		"program":            {codeAddr, 5, ptrAddr},
		"past-heap":          {tensorHeap, 6, ptrAddr},
		"straddles-heap-end": {tensorHeap - 32, 6, ptrAddr},
		"heap-end-reserved":  {transition.HeapEnd, 6, ptrAddr},
		"stack":              {0x7FFF_FFFF_F000, 6, ptrAddr},
		"top-of-memory":      {^uint64(0) &^ 63, 6, ptrAddr},
		"ptr-unaligned-8":    {regionAddr, 6, ptrAddr + 8},
		"ptr-unaligned-1":    {regionAddr, 6, ptrAddr + 1},
		"ptr-region-start":   {regionAddr, 6, regionAddr},
		"ptr-region-last":    {regionAddr, 6, regionAddr + 32},
		"ptr-in-big-region":  {regionAddr, 30, regionAddr + 1<<29},
	}
}

// checkEINVAL runs every EINVAL case of syscall num: v0 = EINVAL, a3 = -1,
// PC advanced, memory, heap and reservation unchanged, and the witness uses
// the fetch slot only and verifies.
func checkEINVAL(t *testing.T, num uint64) {
	for name, c := range einvalCases() {
		t.Run(name, func(t *testing.T) {
			data := tensorBytes(64)
			pre := tensorPre(num, c[0], c[1], c[2], rootAt(t, data, 6))
			pre.LLReservationStatus, pre.LLAddress = state.LLWord, regionAddr
			d := spec.Data{Tensors: spec.NewTensors(data)}
			post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, pre, d)
			if err != nil {
				t.Fatal(err)
			}
			checkReturned(t, pre, post, uint64(errors.EINVAL), errors.ErrorSignal)
			if post.Memory.Root() != pre.Memory.Root() || post.LLAddress != pre.LLAddress || post.LLReservationStatus != pre.LLReservationStatus {
				t.Fatal("EINVAL changed memory or the reservation")
			}
			if w.SlotsUsed != 1 || w.HasTensor {
				t.Fatalf("EINVAL witness uses %d slots, tensor %v", w.SlotsUsed, w.HasTensor)
			}
			if got, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof, [32]byte{}, d); err != nil || got != post.Hash() {
				t.Fatalf("VerifyStepIn = %s, %v; want %s", got, err, post.Hash())
			}
		})
	}
}

// TestTENSOR_MAP_EINVAL: every bad argument of tensor_map returns EINVAL
// and changes nothing else.
func TestTENSOR_MAP_EINVAL(t *testing.T) { checkEINVAL(t, transition.SysTensorMap) }

// TestTENSOR_ROOT_EINVAL: every bad argument of tensor_root returns EINVAL
// and changes nothing else.
func TestTENSOR_ROOT_EINVAL(t *testing.T) { checkEINVAL(t, transition.SysTensorRoot) }

// badStore serves fixed bytes for every root.
type badStore []byte

func (b badStore) Tensor([32]byte, uint) ([]byte, bool) { return b, true }

// TestTENSOR_MISSING: a root D does not hold (no store, an empty store, a
// store with the tensor at another size only) means the step cannot be
// executed: CodeMissingTensor, outcome needs-data, pre returned; the
// witness of the failing step proves slot 1 and VerifyStepIn fails alike.
func TestTENSOR_MISSING(t *testing.T) {
	data := tensorBytes(100)
	root := rootAt(t, data, 7)
	for name, d := range map[string]spec.Data{
		"nil store":   {},
		"empty store": {Tensors: spec.NewTensors()},
		"other size":  {Tensors: spec.NewTensors(tensorBytes(99))},
	} {
		t.Run(name, func(t *testing.T) {
			pre := tensorPre(transition.SysTensorMap, regionAddr, 7, ptrAddr, root)
			post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, pre, d)
			if codeOf(err) != errors.CodeMissingTensor || errors.OutcomeOf(err) != errors.OutcomeNeedsData || post.Hash() != pre.Hash() {
				t.Fatalf("got %v (%s), want CodeMissingTensor and pre", err, errors.OutcomeOf(err))
			}
			if w.SlotsUsed != 2 {
				t.Fatalf("witness uses %d slots, want 2", w.SlotsUsed)
			}
			if _, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof, [32]byte{}, d); codeOf(err) != errors.CodeMissingTensor {
				t.Fatalf("VerifyStepIn: %v", err)
			}
		})
	}
}

// TestTENSOR_STORE: the step checks what D serves: bytes with another root,
// or longer than the region, are CodeBadTensor (rejected input) and change
// nothing; the map store serves a tensor at every size from its minimal one
// to MaxTensorLog2 and at no other.
func TestTENSOR_STORE(t *testing.T) {
	data := tensorBytes(100)
	root := rootAt(t, data, 7)
	for name, store := range map[string]badStore{
		"other bytes": badStore(tensorBytes(101)),
		"too long":    badStore(append(append([]byte(nil), data...), make([]byte, 200)...)),
	} {
		pre := tensorPre(transition.SysTensorMap, regionAddr, 7, ptrAddr, root)
		post, err := spec.StepIn(spec.ProfileOPcity, pre, spec.Data{Tensors: store})
		if codeOf(err) != errors.CodeBadTensor || errors.OutcomeOf(err) != errors.OutcomeRejected || post.Hash() != pre.Hash() {
			t.Fatalf("%s: %v, want CodeBadTensor", name, err)
		}
	}
	store := spec.NewTensors(data)
	if min := store.Add(data); min != root {
		t.Fatalf("Add returned %s, want the 2^7 root %s", min, root)
	}
	for k := uint(0); k <= 40; k++ {
		var r memory.Hash
		if k >= 5 {
			r, _ = memory.ComputeRegionRoot(data, k)
		}
		got, ok := store.Tensor(r, k)
		if want := k >= 7 && k <= transition.MaxTensorLog2; ok != want || (ok && !bytes.Equal(got, data)) {
			t.Fatalf("Tensor(root at 2^%d) = %v, want %v", k, ok, want)
		}
	}
	if _, ok := store.Tensor(root, 8); ok {
		t.Fatal("the 2^7 root served at 2^8")
	}
}

// TestTENSOR_LL: tensor_map clears a reservation whose address lies in the
// region and keeps one outside it; tensor_root clears one whose address
// lies in out_ptr's leaf (any byte) and keeps one in the next leaf.
func TestTENSOR_LL(t *testing.T) {
	data := tensorBytes(64)
	d := spec.Data{Tensors: spec.NewTensors(data)}
	root := rootAt(t, data, 6)
	for _, c := range []struct {
		num     uint64
		ll      uint64
		cleared bool
	}{
		{transition.SysTensorMap, regionAddr, true}, {transition.SysTensorMap, regionAddr + 63, true},
		{transition.SysTensorMap, regionAddr + 64, false}, {transition.SysTensorMap, regionAddr - 1, false},
		{transition.SysTensorMap, ptrAddr, false},
		{transition.SysTensorRoot, ptrAddr, true}, {transition.SysTensorRoot, ptrAddr + 27, true},
		{transition.SysTensorRoot, ptrAddr + 32, false}, {transition.SysTensorRoot, regionAddr, false},
	} {
		pre := tensorPre(c.num, regionAddr, 6, ptrAddr, root)
		pre.LLReservationStatus, pre.LLAddress, pre.LLOwnerThread = state.LLDword, c.ll, 0
		post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, pre, d)
		if err != nil {
			t.Fatal(err)
		}
		if got := post.LLReservationStatus == state.LLNone && post.LLAddress == 0; got != c.cleared {
			t.Fatalf("syscall %d, LL at %#x: cleared = %v, want %v", c.num, c.ll, got, c.cleared)
		}
		if got, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof, [32]byte{}, d); err != nil || got != post.Hash() {
			t.Fatalf("VerifyStepIn = %s, %v", got, err)
		}
	}
}

// TestTENSOR_WITNESS: a successful tensor step's witness holds the fetch in
// slot 0, the pointer's leaf proof in slot 1 and the region proof in slot 2,
// all against the pre-state root; VerifyStepIn(opcity) gives the stateful
// post-state; under the base profile the same witness is an unknown
// syscall; flipping any bit of slots 1 and 2 is rejected or changes the
// result (VER-SOUND).
func TestTENSOR_WITNESS(t *testing.T) {
	data := tensorBytes(200)
	root := rootAt(t, data, 8)
	d := spec.Data{Tensors: spec.NewTensors(data)}
	for _, num := range []uint64{transition.SysTensorMap, transition.SysTensorRoot} {
		pre := tensorPre(num, regionAddr, 8, ptrAddr, root)
		post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, pre, d)
		if err != nil {
			t.Fatal(err)
		}
		mem := pre.Memory.(memory.Memory)
		leaf := mem.Proof(ptrAddr)
		region, _ := mem.RegionProof(regionAddr, 8)
		slot := func(i int) []byte {
			return w.Proof[state.ThreadWitnessSize+i*memory.ProofSize : state.ThreadWitnessSize+(i+1)*memory.ProofSize]
		}
		if w.SlotsUsed != 3 || !bytes.Equal(slot(1), leaf[:]) || !bytes.Equal(slot(2), region[:]) {
			t.Fatalf("syscall %d: %d slots; slot 1 is ptr's leaf proof: %v; slot 2 the region proof: %v", num, w.SlotsUsed, bytes.Equal(slot(1), leaf[:]), bytes.Equal(slot(2), region[:]))
		}
		if w.HasTensor != (num == transition.SysTensorMap) {
			t.Fatalf("syscall %d: HasTensor = %v", num, w.HasTensor)
		}
		got, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof, [32]byte{}, d)
		if err != nil || got != post.Hash() {
			t.Fatalf("syscall %d: VerifyStepIn = %s, %v; want %s", num, got, err, post.Hash())
		}
		if _, err := spec.VerifyStep(w.State[:], w.Proof, [32]byte{}, d); codeOf(err) != errors.CodeUnknownSyscall {
			t.Fatalf("syscall %d: base VerifyStep: %v", num, err)
		}
		for bit := 0; bit < 2*memory.ProofSize*8; bit += 7 {
			proof := append([]byte(nil), w.Proof...)
			i := state.ThreadWitnessSize + memory.ProofSize + bit/8
			proof[i] ^= 1 << (bit % 8)
			if got, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], proof, [32]byte{}, d); err == nil && got == post.Hash() {
				t.Fatalf("syscall %d: flipping proof byte %d still verifies", num, i)
			}
		}
		if _, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof[:state.ThreadWitnessSize+2*memory.ProofSize], [32]byte{}, d); codeOf(err) != errors.CodeWrongLength {
			t.Fatalf("syscall %d: proof without slot 2: %v", num, err)
		}
	}
}

// TestTENSOR_WITNESS_SIZE: the witness of either syscall has the same size
// and the same slots for a 64-byte and a 16 MiB region: the on-chain cost
// does not depend on the tensor's size.
func TestTENSOR_WITNESS_SIZE(t *testing.T) {
	for _, num := range []uint64{transition.SysTensorMap, transition.SysTensorRoot} {
		sizes := map[uint]int{}
		for _, k := range []uint{6, 24} {
			data := tensorBytes(1 << k)
			d := spec.Data{Tensors: spec.NewTensors(data)}
			pre := tensorPre(num, regionAddr, uint64(k), ptrAddr, rootAt(t, data, k))
			post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, pre, d)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof, [32]byte{}, d); err != nil || got != post.Hash() {
				t.Fatalf("2^%d: VerifyStepIn = %s, %v", k, got, err)
			}
			used := state.WitnessSize + state.ThreadWitnessSize + w.SlotsUsed*memory.ProofSize
			sizes[k] = used
			t.Logf("syscall %d, region 2^%d bytes: proof %d bytes, %d slots, state %d bytes, on-chain witness %d bytes", num, k, len(w.Proof), w.SlotsUsed, len(w.State), used)
		}
		if sizes[6] != sizes[24] {
			t.Fatalf("syscall %d: witness %d bytes for 64 B, %d bytes for 16 MiB", num, sizes[6], sizes[24])
		}
	}
}

// TestTENSOR_RUN: RunIn over transient memory maps a tensor, reads its root
// back and leaves pre untouched, with the same post-state as single
// persistent steps.
func TestTENSOR_RUN(t *testing.T) {
	data := tensorBytes(5000)
	root := rootAt(t, data, 13)
	s := state.NewInitial(codeAddr, tensorHeap)
	prog := []uint32{
		0x24020000 | transition.SysTensorMap, // addiu v0, zero, 7000
		0x0000000C,                           // syscall: tensor_map(a0, a1, a2)
		0x24020000 | transition.SysTensorRoot,
		0x64C60040, // daddiu a2, a2, 64
		0x0000000C, // syscall: tensor_root(a0, a1, a2 + 64)
	}
	var code []byte
	for _, insn := range prog {
		code = binary.BigEndian.AppendUint32(code, insn)
	}
	mem := memory.Memory{}.SetBytes(codeAddr, code).SetBytes(ptrAddr, root[:])
	mem, _ = mem.SetWord(regionAddr+4096, 42)
	s.Memory = mem
	th, _ := s.CurrentThread()
	th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = regionAddr, 13, ptrAddr
	active, _ := s.ActiveStack().ReplaceTop(th)
	s = s.WithStacks(active, s.InactiveStack())
	preRoot := s.Memory.Root()
	d := spec.Data{Tensors: spec.NewTensors(data)}
	run, n, err := spec.RunIn(spec.ProfileOPcity, s, d, uint64(len(prog)))
	if err != nil || n != uint64(len(prog)) {
		t.Fatalf("RunIn: %d steps, %v", n, err)
	}
	step := s
	for range prog {
		if step, err = spec.StepIn(spec.ProfileOPcity, step, d); err != nil {
			t.Fatal(err)
		}
	}
	if run.Hash() != step.Hash() || s.Memory.Root() != preRoot {
		t.Fatalf("RunIn %s, steps %s; pre root changed: %v", run.Hash(), step.Hash(), s.Memory.Root() != preRoot)
	}
	if leaf, _ := run.Memory.(memory.Memory).Leaf(ptrAddr + 64); leaf != root {
		t.Fatalf("tensor_root after tensor_map in one run wrote %x, want %s", leaf, root)
	}
}
