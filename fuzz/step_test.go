package fuzz

import (
	"encoding/binary"
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
)

func word(insn uint32, rest ...byte) []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(insn))
	return append(b, rest...)
}

// FuzzStep: Step is total, pure and deterministic on states built from
// arbitrary bytes (INV-TOTAL, INV-DETERMINISM).
func FuzzStep(f *testing.F) {
	f.Add(word(0x00000000))                               // nop (sll r0, r0, 0)
	f.Add(word(0x0000000C))                               // syscall with v0 = 0: unknown syscall
	f.Add(word(0x8C820000, make([]byte, 64)...))          // lw from a zero register: address 0
	f.Add(word(0x10000000, 1))                            // beq taken, sometimes in a delay slot
	f.Add(word(0x0000001A))                               // div by r0: divide by zero
	f.Add(word(0xE0000000, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)) // sc with an arbitrary reservation
	f.Fuzz(func(t *testing.T, b []byte) {
		pre, oracle := properties.StateFromBytes(b)
		if err := properties.CheckStepTotal(pre, spec.Data{Preimages: oracle}); err != nil {
			t.Fatal(err)
		}
	})
}
