package evm

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec/errors"
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

// chainRevert is MIPS64.sol's revert reason for each spec error name, as
// the vectors record it (vectors.ChainRevert).
var chainRevert = func() map[string]string {
	out := map[string]string{}
	for _, c := range errors.Codes() {
		if r := vectors.ChainRevert(c); r != "" {
			out[c.String()] = r
		}
	}
	return out
}()

// TestEVM_VECTORS runs every base-profile conformance vector
// (vectors/testdata/v1) through MIPS64.sol: a vector with a post-state must
// return that hash, and the post-state MIPS64.sol logs must equal the
// vector's post_state field by field (vectors.Compare); a vector with an
// error must revert with the reason it records (error.revert).
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
			case v.Error != nil && (v.Error.Revert == "" || r.RevertReason != v.Error.Revert):
				differ("%s: spec rejects (%s), MIPS64.sol reverts %q, the vector records %q", v.Name, v.Error.Name, r.RevertReason, v.Error.Revert)
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
			default:
				if diff := vectors.Compare(v, vectors.Outcome{PostState: r.PostState, NoThread: true}); len(diff) != 0 {
					differ("%s: MIPS64.sol's logged post-state: %s", v.Name, strings.Join(diff, "; "))
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(reasons)) {
		t.Logf("spec error %q: MIPS64.sol reverts %v", name, reasons[name])
	}
	t.Logf("vectors compared: %d (%d expected rejections, all reverted; %d OPcity-profile vectors skipped), differences: %d", compared, rejections, skipped, differences)
}
