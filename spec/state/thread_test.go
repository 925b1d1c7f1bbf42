package state_test

import (
	"bytes"
	"testing"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// TestENC_THREAD_Offsets: the 298-byte thread encoding follows Cannon's
// (cannon/mipsevm/multithreaded/thread.go:14-30, 59-76): id 0, exitCode 8,
// exited 9, pc 10, nextPC 18, lo 26, hi 34, registers from 42, 8 bytes each.
func TestENC_THREAD_Offsets(t *testing.T) {
	th := state.Thread{ID: 0x0102_0304_0506_0708, ExitCode: 0x09, Exited: true}
	th.CPU.PC, th.CPU.NextPC = 0x1011_1213_1415_1617, 0x1819_1A1B_1C1D_1E1F
	th.CPU.LO, th.CPU.HI = 0x2021_2223_2425_2627, 0x2829_2A2B_2C2D_2E2F
	for i := range th.CPU.Regs {
		th.CPU.Regs[i] = 0xA0A0_0000_0000_0000 | uint64(i)
	}
	enc := state.EncodeThread(th)
	if len(enc) != 298 || state.ThreadSize != 298 {
		t.Fatalf("thread size %d (const %d), want 298", len(enc), state.ThreadSize)
	}
	for _, f := range []struct {
		name   string
		offset int
		want   []byte
	}{
		{"threadId", 0, []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{"exitCode", 8, []byte{0x09}},
		{"exited", 9, []byte{1}},
		{"pc", 10, []byte{0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17}},
		{"nextPC", 18, []byte{0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F}},
		{"lo", 26, []byte{0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27}},
		{"hi", 34, []byte{0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x2D, 0x2E, 0x2F}},
		{"r0", 42, []byte{0xA0, 0xA0, 0, 0, 0, 0, 0, 0}},
		{"r1", 50, []byte{0xA0, 0xA0, 0, 0, 0, 0, 0, 1}},
		{"r29", 42 + 29*8, []byte{0xA0, 0xA0, 0, 0, 0, 0, 0, 29}},
		{"r31", 290, []byte{0xA0, 0xA0, 0, 0, 0, 0, 0, 31}},
	} {
		if got := enc[f.offset : f.offset+len(f.want)]; !bytes.Equal(got, f.want) {
			t.Errorf("%s at offset %d = %x, want %x", f.name, f.offset, got, f.want)
		}
	}
	if !bytes.Equal(enc[:], threadBytes(th)) {
		t.Fatalf("encoding differs from the field-by-field layout")
	}
	if got, want := state.ThreadHash(th), hashOf(keccak(enc[:])); got != want {
		t.Fatalf("ThreadHash = %s, want keccak256(encoding) %s", got, want)
	}
}

// TestENC_THREAD_DecodeRejects: DecodeThread rejects any length but 298
// with CodeWrongLength and an exited byte other than 0/1 with
// CodeInvalidField; the exitCode byte takes any value.
func TestENC_THREAD_DecodeRejects(t *testing.T) {
	good := state.EncodeThread(sampleThread(4))
	for _, n := range []int{0, 297, 299, 330} {
		b := make([]byte, n)
		copy(b, good[:])
		_, err := state.DecodeThread(b)
		requireCode(t, err, errors.CodeWrongLength)
	}
	for _, v := range []byte{2, 0xFF} {
		b := good
		b[9] = v
		_, err := state.DecodeThread(b[:])
		requireCode(t, err, errors.CodeInvalidField)
	}
	b := good
	b[8] = 0xFF
	th, err := state.DecodeThread(b[:])
	if err != nil || th.ExitCode != 0xFF {
		t.Fatalf("exitCode 0xff: %+v, %v", th, err)
	}
}
