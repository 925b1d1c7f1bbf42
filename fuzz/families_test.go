package fuzz

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/vectors"
)

// The per-family targets draw short programs of one instruction family
// (or states about to make one family of syscalls) through rapid.MakeFuzz,
// so the fuzzer's bytes drive rapid's generators, and check every step law:
// totality, determinism, purity, frame, r0, the step counter and
// stateless = stateful (properties.CheckStepLaws). rapid decodes any byte
// string into a valid draw, so the seeds (addSeeds) are byte strings chosen
// for the draws they make; plain `go test` runs every target on them.

// addSeeds adds the seed inputs of a rapid-driven target.
func addSeeds(f *testing.F) {
	f.Add([]byte{})                           // rapid's simplest draw: a one-instruction program, small registers
	f.Add(make([]byte, 256))                  // all zeros: the shrink target of every generator
	f.Add(bytes.Repeat([]byte{0xFF}, 256))    // all ones: the largest choice of every draw (any-word instructions, top of ranges)
	f.Add(bytes.Repeat([]byte{0x80, 0}, 128)) // alternating sign bytes: mid-range draws, sign bits in words
	rng := rand.New(rand.NewPCG(7, 11))
	for range 6 { // varied programs and states, fixed so every run sees the same
		b := make([]byte, 512)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		f.Add(b)
	}
}

func familyTarget(family string) func(*testing.T, []byte) {
	gen := properties.ProgramStateOf(properties.InstructionOf(vectors.EncodingsOf(family), false))
	return rapid.MakeFuzz(func(t *rapid.T) {
		pre := gen.Draw(t, "pre")
		if err := properties.CheckStepLaws(pre, spec.Data{}); err != nil {
			t.Fatal(err)
		}
	})
}

func syscallTarget(family string) func(*testing.T, []byte) {
	gen := properties.SyscallState(properties.SyscallFamilies[family])
	return rapid.MakeFuzz(func(t *rapid.T) {
		pre := gen.Draw(t, "pre")
		value := []byte("fuzzed preimage")
		if err := properties.CheckStepLaws(pre, spec.Data{Preimages: spec.PreimageMap{pre.PreimageKey: value}}); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzFamilyALU(f *testing.F)       { addSeeds(f); f.Fuzz(familyTarget("alu")) }
func FuzzFamilyMulDiv(f *testing.F)    { addSeeds(f); f.Fuzz(familyTarget("muldiv")) }
func FuzzFamilyBranch(f *testing.F)    { addSeeds(f); f.Fuzz(familyTarget("branch")) }
func FuzzFamilyLoadStore(f *testing.F) { addSeeds(f); f.Fuzz(familyTarget("loadstore")) }
func FuzzFamilyLLSC(f *testing.F)      { addSeeds(f); f.Fuzz(familyTarget("llsc")) }
func FuzzSyscallIO(f *testing.F)       { addSeeds(f); f.Fuzz(syscallTarget("io")) }
func FuzzSyscallMemory(f *testing.F)   { addSeeds(f); f.Fuzz(syscallTarget("memory")) }
func FuzzSyscallThreads(f *testing.F)  { addSeeds(f); f.Fuzz(syscallTarget("threads")) }

// FuzzStatelessEqualsStateful: VER-COMPLETE over programs of every family.
func FuzzStatelessEqualsStateful(f *testing.F) {
	addSeeds(f)
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		if err := properties.CheckVerifyComplete(pre, spec.Data{}); err != nil {
			t.Fatal(err)
		}
	}))
}
