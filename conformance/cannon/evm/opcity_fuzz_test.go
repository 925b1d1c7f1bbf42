package evm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/stategen"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// FuzzEVM_OPCITY_Tensor steps a drawn tensor-syscall pre-state (drawTensorCase)
// under the OPcity profile in the spec (StepIn, StepWithWitnessIn,
// VerifyStepIn) and in MIPS64OPcity, with the drawn tensor uploaded to
// TensorOracle when D holds it, and requires (checkTensorCase):
//   - the spec's three entry points agree;
//   - MIPS64OPcity returns the spec's post-state hash, or reverts where the
//     spec rejects;
//   - where the spec gives the same result under both profiles (the step is
//     no tensor syscall, or both reject it alike), MIPS64OPcity returns
//     exactly the bytes the released MIPS64 returns;
//   - with a non-canonical byte (mut, as in FuzzEVM_FUZZ_FourWay), which
//     the spec rejects, MIPS64OPcity returns exactly what MIPS64 returns.
func FuzzEVM_OPCITY_Tensor(f *testing.F) {
	h := newHarness(f)
	for i := range uint64(16) {
		f.Add(i, uint16(i*37), uint16(0), []byte{byte(i)})
	}
	f.Add(uint64(99), uint16(0x0100), uint16(0x0301), []byte{}) // llReservationStatus = 3
	f.Add(uint64(98), uint16(0x0101), uint16(0x0704), []byte{}) // thread exited = 7
	f.Add(uint64(97), uint16(0x00F0), uint16(0), []byte{})      // another syscall: forwarded
	f.Fuzz(func(t *testing.T, seed uint64, sel uint16, mut uint16, raw []byte) {
		c := drawTensorCase(seed, sel, raw)
		if msg := checkTensorCase(h, c, drawMutation(mut, c.pre)); msg != "" {
			enc := c.pre.Witness().Encode()
			t.Fatalf("%s\npre-state witness 0x%x\nregs v0=%d a0=%#x a1=%d a2=%#x, tensor %d bytes held=%v\nreplay: cd conformance/cannon && go test ./evm -run 'FuzzEVM_OPCITY_Tensor/<corpus file>' (seed=%#x sel=%#x mut=%#x raw=%x)",
				msg, enc, c.regs[2], c.regs[4], c.regs[5], c.regs[6], len(c.tensor), c.held, seed, sel, mut, raw)
		}
	})
}

// tensorCase is one drawn step: the pre-state, the tensor and whether D
// (and TensorOracle) holds it.
type tensorCase struct {
	pre    state.State
	regs   [32]uint64
	tensor []byte
	held   bool
}

// drawTensorCase draws a thread from stategen.FourWay (edge registers,
// edge PCs, sometimes unaligned) with syscall at its PC and v0 = 7000 or
// 7001 (sel bit 0; sel&0xF0 == 0xF0 draws another syscall), then the
// tensor syscall's arguments around the rules of docs/spec.md: log2size at
// and beyond its bounds, a region aligned or not, in the heap, past it or
// below it, a pointer outside, inside, unaligned or at the region's edges,
// a heap that fits the region or ends inside it; a tensor of 0 bytes to
// more than one 64 KiB chunk, held by D or not, and the pointer's leaf
// holding its root at the region's size, at another size, or other bytes;
// the region's words and an LL reservation in it, in the leaf or elsewhere;
// the scheduler fields (stategen.Scalars, Threads) as the four-way target
// draws them.
func drawTensorCase(seed uint64, sel uint16, raw []byte) tensorCase {
	r := rand.New(rand.NewPCG(seed, uint64(sel)))
	d := stategen.FourWay
	th := d.Thread(r)
	th.CPU.Regs[2] = uint64(transition.SysTensorMap) + uint64(sel&1)
	if sel&0xF0 == 0xF0 {
		drawSyscallArgs(r, &th.CPU.Regs)
	}
	k := []uint64{5, 5, 6, 7, 8, 12, 16, 17, 20, 24, 30, 4, 31, 63, 64, ^uint64(0)}[r.IntN(16)]
	size := uint64(1) << min(k, 40)
	base := uint64(transition.HeapStart) + size*uint64(r.IntN(4))
	addr := []uint64{base, base, base, base + 32, base + 8, transition.HeapStart - size, 0x1000, transition.HeapEnd, ^(size - 1)}[r.IntN(9)]
	ptr := []uint64{addr - 32, addr + size, addr + size + 32*uint64(r.IntN(64)), addr + 32*uint64(r.IntN(4)), addr + size - 32, addr + size + 8, 0x1000, 0x2000 &^ 31, r.Uint64() &^ 31}[r.IntN(9)]
	heap := []uint64{addr + size, addr + size, addr + size + 0x1000, addr + size - 32, transition.HeapStart, transition.HeapEnd, r.Uint64()}[r.IntN(7)]
	if sel&0x100 == 0 { // arguments that keep every rule (half the cases)
		k = uint64(5 + r.IntN(26))
		size = 1 << k
		addr = uint64(transition.HeapStart) + size*uint64(r.IntN(4))
		ptr = []uint64{addr - 32, addr + size, addr + size + 32*uint64(r.IntN(64)), 0x1000, r.Uint64() &^ 31}[r.IntN(5)]
		if ptr-addr < size {
			ptr = addr + size
		}
		heap = addr + size + []uint64{0, 0x1000, r.Uint64N(1 << 20)}[r.IntN(3)]
	}
	th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = addr, k, ptr
	if sel&0xF0 == 0xF0 {
		th.CPU.Regs[4], th.CPU.Regs[5], th.CPU.Regs[6] = addr, r.Uint64N(40), ptr
	}

	n := []int{0, 1, 20, 32, 33, 64, 100, 3000, 4096, 70000}[r.IntN(10)]
	tensor := make([]byte, n)
	for i := range tensor {
		tensor[i] = byte(r.Uint32())
	}
	copy(tensor, raw)
	kmin := minimalLog2(n)
	leaf := make([]byte, 32)
	switch r.IntN(4) {
	case 0, 1: // the root at the region's size
		if k >= uint64(kmin) && k <= 30 {
			root, _ := memory.ComputeRegionRoot(tensor, uint(k))
			leaf = root[:]
		}
	case 2: // the root at its minimal size
		root, _ := memory.ComputeRegionRoot(tensor, kmin)
		leaf = root[:]
	default:
		for i := range leaf {
			leaf[i] = byte(r.Uint32())
		}
	}

	mem := memory.Memory{}
	for _, a := range []uint64{addr, addr + 8, addr + size/2, addr + size - 8, ptr + 32, ptr - 8} {
		mem, _ = mem.SetWord(a&^7, d.Word(r))
	}
	mem = mem.SetBytes(ptr&^31, leaf)
	s := state.NewEmpty()
	s.Memory = stategen.PlaceInstruction(mem, th.CPU.PC, 0x0000000C)
	stategen.Scalars(r, &s, th, addr)
	s.Heap = heap
	if sel&0x200 == 0 { // a fresh quantum in three cases of four
		s.StepsSinceLastContextSwitch = 0
	}
	switch r.IntN(6) {
	case 0:
		s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = uint8(1+r.IntN(2)), addr+r.Uint64N(size), th.ID
	case 1:
		s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = uint8(1+r.IntN(2)), ptr&^31+r.Uint64N(32), th.ID
	case 2:
		s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = 1, addr+size, th.ID
	}
	s = d.Threads(r, s, th)
	d.EdgeNextThreadID(r, &s)
	return tensorCase{pre: s, regs: th.CPU.Regs, tensor: tensor, held: r.IntN(4) != 0}
}

// checkTensorCase checks c as FuzzEVM_OPCITY_Tensor says; mut, when not
// nil, is a non-canonical byte put into the witness on top.
func checkTensorCase(h *Harness, c tensorCase, mut *drawnMutation) string {
	d := spec.Data{}
	var uploads [][]byte
	if c.held {
		d.Tensors, uploads = spec.NewTensors(c.tensor), [][]byte{c.tensor}
	}
	post, serr := spec.StepIn(spec.ProfileOPcity, c.pre, d)
	wpost, w, werr := spec.StepWithWitnessIn(spec.ProfileOPcity, c.pre, d)
	if codeOf(serr) != codeOf(werr) || serr == nil && wpost.Hash() != post.Hash() {
		return fmt.Sprintf("spec.StepIn (%v) and spec.StepWithWitnessIn (%v) differ", serr, werr)
	}
	fw := chainWitness(w)
	got, verr := spec.VerifyStepIn(spec.ProfileOPcity, fw.State, fw.Proof, fw.LocalContext, d)
	if codeOf(verr) != codeOf(serr) || serr == nil && got != post.Hash() {
		return fmt.Sprintf("spec.VerifyStepIn: %s (%v), spec.StepIn %s (%v)", got, verr, post.Hash(), serr)
	}
	if mut != nil {
		fw = mut.m.applyTo(fw)
		if _, merr := spec.VerifyStepIn(spec.ProfileOPcity, fw.State, fw.Proof, fw.LocalContext, d); merr == nil {
			return "" // the step does not read the byte (an exited VM): the unmutated laws cover it
		}
		return sameAsBase(h, fw, uploads)
	}
	in := opcityInput(InputOf(fw), uploads...)
	r, err := h.Step(in)
	if err != nil {
		return err.Error()
	}
	switch {
	case isExitedWithEmptyActiveStack(fw.State):
		if !r.Reverted || r.RevertReason != revertExitedEmptyStack {
			return fmt.Sprintf("exited VM with an empty active stack: MIPS64OPcity reverted=%v %q, want MIPS64's revert", r.Reverted, r.RevertReason)
		}
	case serr == nil && (r.Reverted || r.PostStateHash != [32]byte(post.Hash())):
		return fmt.Sprintf("spec %s, MIPS64OPcity %x reverted=%v %q", post.Hash(), r.PostStateHash, r.Reverted, r.RevertReason)
	case serr != nil && !r.Reverted:
		return fmt.Sprintf("spec rejects (%v), MIPS64OPcity returns %x", serr, r.PostStateHash)
	}
	bpost, berr := spec.VerifyStepIn(spec.ProfileBase, fw.State, fw.Proof, fw.LocalContext, d)
	if codeOf(berr) == codeOf(verr) && bpost == got {
		return sameAsBase(h, fw, uploads)
	}
	return ""
}

// sameAsBase requires MIPS64OPcity to return on fw exactly what MIPS64 does.
func sameAsBase(h *Harness, fw format.Witness, uploads [][]byte) string {
	op, err := h.Step(opcityInput(InputOf(fw), uploads...))
	if err != nil {
		return err.Error()
	}
	base, err := h.Step(InputOf(fw))
	if err != nil {
		return err.Error()
	}
	if msg := sameResult(base, op); msg != "" {
		return "the spec gives this step one result under both profiles, but " + msg
	}
	return ""
}

// TestEVM_OPCITY_FUZZ_Reach draws 2,000 cases as FuzzEVM_OPCITY_Tensor does
// and requires the draw to reach every outcome the target must cover: a
// tensor_map and a tensor_root that give a post-state (with and without an
// LL reservation cleared), an EINVAL return of each, a tensor D does not
// hold, and steps that run no tensor syscall.
func TestEVM_OPCITY_FUZZ_Reach(t *testing.T) {
	counts := map[string]int{}
	for i := range uint64(2000) {
		c := drawTensorCase(i, uint16(i*7919)&^0x200, nil)
		d := spec.Data{}
		if c.held {
			d.Tensors = spec.NewTensors(c.tensor)
		}
		post, err := spec.StepIn(spec.ProfileOPcity, c.pre, d)
		num, _, sys := NextSyscall(c.pre)
		name := map[uint64]string{transition.SysTensorMap: "map", transition.SysTensorRoot: "root"}[num]
		switch {
		case !sys || name == "":
			counts["no tensor syscall"]++
		case err != nil:
			counts[name+" rejected: "+codeOf(err).String()]++
		case einval(post):
			counts[name+" EINVAL"]++
		case c.pre.LLReservationStatus != 0 && post.LLReservationStatus == 0:
			counts[name+" post-state, reservation cleared"]++
		default:
			counts[name+" post-state"]++
		}
	}
	for _, want := range []string{"map post-state", "map post-state, reservation cleared", "map EINVAL", "map rejected: missing tensor",
		"root post-state", "root post-state, reservation cleared", "root EINVAL", "no tensor syscall"} {
		if counts[want] == 0 {
			t.Errorf("no drawn case reaches %q", want)
		}
	}
	t.Logf("outcomes of 2,000 drawn cases: %v", counts)
}

// einval reports whether the current thread of s has v0 = EINVAL, a3 = -1.
func einval(s state.State) bool {
	th, err := s.CurrentThread()
	return err == nil && th.CPU.Regs[2] == 22 && th.CPU.Regs[7] == ^uint64(0)
}
