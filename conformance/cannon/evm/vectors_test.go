package evm

import (
	"maps"
	"slices"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/vectors"
)

// vectorWitness parses a vector as the witness file it is.
func vectorWitness(v vectors.Vector) (format.Witness, error) {
	return vectors.WitnessOf(v)
}

func newHarness(t testing.TB) *Harness {
	t.Helper()
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// chainRevert is MIPS64.sol's revert reason for each spec error a vector
// expects (RevertReason's form): what the chain says when it rejects the step.
var chainRevert = map[string]string{
	"invalid instruction":                     "MIPS64: invalid instruction",
	"unaligned instruction fetch":             "InvalidPC()",
	"branch in delay slot":                    "MIPS64: branch in delay slot",
	"jump in delay slot":                      "MIPS64: jump in delay slot",
	"divide by zero":                          "MIPS64: division by zero",
	"unrecognized syscall":                    "MIPS64: unimplemented syscall",
	"preimage offset out of bounds":           "pre-image must exist",
	"post-state active thread stack is empty": "MIPS64: post-state active thread stack is empty",
}

// TestEVM_VECTORS runs every base-profile conformance vector
// (vectors/testdata/v1) through MIPS64.sol: a vector with a post-state must
// return that hash, a vector with an error must revert with chainRevert's
// reason for it.
func TestEVM_VECTORS(t *testing.T) {
	files, err := vectors.Read("../../../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	var compared, rejections, skipped, differences int
	reasons := map[string]map[string]int{}
	differ := func(format string, args ...any) {
		differences++
		t.Errorf(format, args...)
	}
	for _, f := range files {
		for _, v := range f.Vectors {
			if v.Profile != "" {
				skipped++
				continue
			}
			w, err := vectorWitness(v)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			r, err := h.Step(InputOf(w))
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			compared++
			gasTable.Add(ClassOf(w.State, w.Proof), "vectors", r)
			switch {
			case v.Error != nil && !r.Reverted:
				differ("%s: spec rejects (%s), MIPS64.sol returns %x", v.Name, v.Error.Name, r.PostStateHash)
			case v.Error != nil && r.RevertReason != chainRevert[v.Error.Name]:
				differ("%s: spec rejects (%s), MIPS64.sol reverts %q, want %q", v.Name, v.Error.Name, r.RevertReason, chainRevert[v.Error.Name])
			case v.Error != nil:
				rejections++
				if reasons[v.Error.Name] == nil {
					reasons[v.Error.Name] = map[string]int{}
				}
				reasons[v.Error.Name][r.RevertReason]++
			case r.Reverted:
				differ("%s: spec %s, MIPS64.sol reverts (%q)", v.Name, v.PostStateHash, r.RevertReason)
			case format.Hex(r.PostStateHash[:]) != v.PostStateHash:
				differ("%s: spec %s, MIPS64.sol %x", v.Name, v.PostStateHash, r.PostStateHash)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(reasons)) {
		t.Logf("spec error %q: MIPS64.sol reverts %v", name, reasons[name])
	}
	t.Logf("vectors compared: %d (%d expected rejections, all reverted; %d OPcity-profile vectors skipped), differences: %d", compared, rejections, skipped, differences)
}
