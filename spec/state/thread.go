package state

import (
	"encoding/binary"

	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Thread is the state of one guest thread: its id, exit flag and CPU.
// Requirement ST-THREAD.
type Thread struct {
	ID       uint64
	ExitCode uint8
	Exited   bool
	CPU      CPU
}

// CPU is a thread's program counters, multiply/divide registers and the 32
// general-purpose registers. Regs[0] is never written (INV-R0).
type CPU struct {
	PC     uint64
	NextPC uint64
	LO     uint64
	HI     uint64
	Regs   [32]uint64
}

// ThreadSize is the length of a thread encoding.
const ThreadSize = 298

// ThreadWitnessSize is the length of a thread witness: the active thread
// followed by the root of the active stack without it.
const ThreadWitnessSize = ThreadSize + 32

// EncodeThread returns the 298-byte encoding of t. All integers are big-endian.
//
//	offset  size  field
//	     0     8  ID
//	     8     1  ExitCode
//	     9     1  Exited (0 or 1)
//	    10     8  CPU.PC
//	    18     8  CPU.NextPC
//	    26     8  CPU.LO
//	    34     8  CPU.HI
//	    42   256  CPU.Regs[0..31], 8 bytes each
//
// Cannon: mipsevm/multithreaded/thread.go:14-30, 59-76. Requirement ENC-THREAD.
func EncodeThread(t Thread) [ThreadSize]byte {
	var b [ThreadSize]byte
	binary.BigEndian.PutUint64(b[0:], t.ID)
	b[8] = t.ExitCode
	b[9] = boolByte(t.Exited)
	binary.BigEndian.PutUint64(b[10:], t.CPU.PC)
	binary.BigEndian.PutUint64(b[18:], t.CPU.NextPC)
	binary.BigEndian.PutUint64(b[26:], t.CPU.LO)
	binary.BigEndian.PutUint64(b[34:], t.CPU.HI)
	for i, r := range t.CPU.Regs {
		binary.BigEndian.PutUint64(b[42+8*i:], r)
	}
	return b
}

// DecodeThread parses a 298-byte thread encoding. It returns an error with
// CodeWrongLength if len(b) != 298 and CodeInvalidField if the exited byte
// is not 0 or 1. Requirement ENC-THREAD.
func DecodeThread(b []byte) (Thread, error) {
	if len(b) != ThreadSize {
		return Thread{}, errors.New(errors.CodeWrongLength, "thread: %d bytes, want %d", len(b), ThreadSize)
	}
	exited, err := decodeBool(b[9], "thread.exited")
	if err != nil {
		return Thread{}, err
	}
	t := Thread{ID: be64(b[0:]), ExitCode: b[8], Exited: exited}
	t.CPU.PC = be64(b[10:])
	t.CPU.NextPC = be64(b[18:])
	t.CPU.LO = be64(b[26:])
	t.CPU.HI = be64(b[34:])
	for i := range t.CPU.Regs {
		t.CPU.Regs[i] = be64(b[42+8*i:])
	}
	return t, nil
}

// ThreadHash returns keccak256 of the thread's encoding.
func ThreadHash(t Thread) memory.Hash {
	enc := EncodeThread(t)
	return memory.Keccak256(enc[:])
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func decodeBool(b byte, field string) (bool, error) {
	switch b {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, errors.New(errors.CodeInvalidField, "%s = %d, want 0 or 1", field, b)
}

func be64(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
