package fuzz

import (
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
// stateless = stateful (properties.CheckStepLaws). Their seed corpora are
// the fuzzer's own: rapid decodes any byte string into a valid draw.

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

func FuzzFamilyALU(f *testing.F)       { f.Fuzz(familyTarget("alu")) }
func FuzzFamilyMulDiv(f *testing.F)    { f.Fuzz(familyTarget("muldiv")) }
func FuzzFamilyBranch(f *testing.F)    { f.Fuzz(familyTarget("branch")) }
func FuzzFamilyLoadStore(f *testing.F) { f.Fuzz(familyTarget("loadstore")) }
func FuzzFamilyLLSC(f *testing.F)      { f.Fuzz(familyTarget("llsc")) }
func FuzzSyscallIO(f *testing.F)       { f.Fuzz(syscallTarget("io")) }
func FuzzSyscallMemory(f *testing.F)   { f.Fuzz(syscallTarget("memory")) }
func FuzzSyscallThreads(f *testing.F)  { f.Fuzz(syscallTarget("threads")) }

// FuzzStatelessEqualsStateful: VER-COMPLETE over programs of every family.
func FuzzStatelessEqualsStateful(f *testing.F) {
	f.Fuzz(rapid.MakeFuzz(func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		if err := properties.CheckVerifyComplete(pre, spec.Data{}); err != nil {
			t.Fatal(err)
		}
	}))
}
