package properties

import (
	"encoding/binary"
	stderrors "errors"
	"fmt"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// StateFromBytes builds a pre-state deterministically from arbitrary bytes,
// so that a fuzzer's mutations reach every field: the first 8 bytes pick the
// instruction word and PC, the next the registers, the rest memory words
// near the addresses the registers point at. Missing bytes read as zero.
func StateFromBytes(b []byte) (state.State, spec.PreimageMap) {
	r := byteReader{b: b}
	insn := uint32(r.u64())
	s := state.NewEmpty()
	t := state.Thread{ID: r.u64() % 4}
	t.CPU.PC = r.u64() & 0xFFFF_FFFF_FFFF &^ 3
	t.CPU.NextPC = t.CPU.PC + 4
	if r.byte()&7 == 0 {
		t.CPU.NextPC = r.u64() &^ 3
	}
	for i := 1; i < 32; i++ {
		t.CPU.Regs[i] = r.u64()
	}
	t.CPU.HI, t.CPU.LO = r.u64(), r.u64()
	mem := memory.Memory{}
	for i := 4; i < 8; i++ {
		mem, _ = mem.SetWord(t.CPU.Regs[i]&^7, r.u64())
	}
	var w [4]byte
	binary.BigEndian.PutUint32(w[:], insn)
	s.Memory = mem.SetBytes(t.CPU.PC, w[:])
	s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = r.byte()%3, r.u64(), r.u64()%4
	s.Step, s.StepsSinceLastContextSwitch, s.Heap = r.u64(), r.u64()%100_001, r.u64()
	s.PreimageKey[0], s.PreimageOffset = 2, r.u64()%64
	s.LeftThreads = state.NewThreadStack(t)
	return s, spec.PreimageMap{s.PreimageKey: b[:min(len(b), 48)]}
}

type byteReader struct {
	b []byte
	i int
}

func (r *byteReader) byte() byte {
	if r.i >= len(r.b) {
		return 0
	}
	r.i++
	return r.b[r.i-1]
}

func (r *byteReader) u64() uint64 {
	var v uint64
	for range 8 {
		v = v<<8 | uint64(r.byte())
	}
	return v
}

// CheckStepTotal checks INV-TOTAL and INV-DETERMINISM: Step returns a
// post-state or a typed *errors.Error, never panics, leaves pre unchanged,
// and gives the same answer twice. On error the returned state is pre.
func CheckStepTotal(pre state.State, d spec.Data) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("INV-TOTAL: Step panicked: %v (pre-state %s)", r, pre.Hash())
		}
	}()
	before := pre.Hash()
	post1, err1 := spec.Step(pre, d)
	post2, err2 := spec.Step(pre, d)
	if pre.Hash() != before {
		return fmt.Errorf("INV-PURE: Step changed its pre-state %s", before)
	}
	if (err1 == nil) != (err2 == nil) || post1.Hash() != post2.Hash() {
		return fmt.Errorf("INV-DETERMINISM: two steps from %s differ", before)
	}
	if err1 == nil {
		return nil
	}
	var e *errors.Error
	if !stderrors.As(err1, &e) {
		return fmt.Errorf("INV-TOTAL: untyped error %T: %v", err1, err1)
	}
	if post1.Hash() != before {
		return fmt.Errorf("INV-TOTAL: failed step returned a state other than pre")
	}
	return nil
}
