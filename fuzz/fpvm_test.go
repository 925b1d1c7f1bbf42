package fuzz

import (
	"testing"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
)

// FuzzFPVM_FUZZ: fpvm steps states built from arbitrary bytes exactly as
// the spec does — same post-state hash and memory root, same error Code,
// the same witness (FPVM-MODEL, FPVM-WITNESS) — and a Run of up to 8 steps
// ends where spec.Run ends.
func FuzzFPVM_FUZZ(f *testing.F) {
	f.Add(word(0x00000000))                               // nop (sll r0, r0, 0)
	f.Add(word(0x0000000C))                               // syscall with v0 = 0: unknown syscall
	f.Add(word(0x8C820000, make([]byte, 64)...))          // lw from a zero register: address 0
	f.Add(word(0x10000000, 1))                            // beq taken, sometimes in a delay slot
	f.Add(word(0x0000001A))                               // div by r0: divide by zero
	f.Add(word(0xE0000000, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)) // sc with an arbitrary reservation
	f.Add(word(0xFC000000, make([]byte, 24)...))          // sd to the instruction's own page
	f.Add(word(0x7000003F))                               // SPECIAL2 funct Cannon lacks: invalid instruction
	f.Fuzz(func(t *testing.T, b []byte) {
		pre, oracle := properties.StateFromBytes(b)
		d := spec.Data{Preimages: oracle}
		if err := properties.CheckFPVMStep(pre, d); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckFPVMWitness(pre, d); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckFPVMRun(pre, d, 8); err != nil {
			t.Fatal(err)
		}
	})
}
