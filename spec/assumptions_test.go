package spec_test

import (
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// TestA_BIG_ENDIAN: memory stores words most significant byte first, and the
// witness encodes integers the same way.
func TestA_BIG_ENDIAN(t *testing.T) {
	m, _ := memory.Memory{}.SetWord(0x100, 0x0102030405060708)
	if got := m.Bytes(0x100, 8); string(got) != "\x01\x02\x03\x04\x05\x06\x07\x08" {
		t.Fatalf("memory bytes %x", got)
	}
	s := state.NewEmpty()
	s.Step = 0x0102030405060708
	enc := s.Witness().Encode()
	if string(enc[99:107]) != "\x01\x02\x03\x04\x05\x06\x07\x08" {
		t.Fatalf("step encoded as %x", enc[99:107])
	}
}

// TestA_CODE_WINS: where Cannon's published spec and its code disagree, the
// code wins: a failing syscall (open) returns v0 = EBADF and a3 = -1, not the
// stale v0 = -1, a3 = errno of the published spec.
func TestA_CODE_WINS(t *testing.T) {
	pre := oneInsn(0x0000000C)
	th, _ := pre.CurrentThread()
	th.CPU.Regs[2] = 5002 // open
	active, _ := pre.ActiveStack().ReplaceTop(th)
	pre = pre.WithStacks(active, pre.InactiveStack())
	post, err := spec.Step(pre, spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	th, _ = post.CurrentThread()
	if th.CPU.Regs[2] != 9 || th.CPU.Regs[7] != ^uint64(0) {
		t.Fatalf("open: v0 = %#x, a3 = %#x; want 9 and 0xffffffffffffffff", th.CPU.Regs[2], th.CPU.Regs[7])
	}
}

// TestA_VERSION: the spec encodes state version 8 (multithreaded64-5) and its
// layout sizes.
func TestA_VERSION(t *testing.T) {
	if state.Version != 8 || state.WitnessSize != 188 || state.ThreadSize != 298 || state.ThreadWitnessSize != 330 || spec.ProofSize != 6090 {
		t.Fatalf("version %d, sizes %d/%d/%d/%d", state.Version, state.WitnessSize, state.ThreadSize, state.ThreadWitnessSize, spec.ProofSize)
	}
}
