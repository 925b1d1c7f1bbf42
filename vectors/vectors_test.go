package vectors_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

func committed(t *testing.T) []vectors.File {
	files, err := vectors.Read("testdata")
	if err != nil {
		t.Fatalf("reading the committed vectors: %v (regenerate: go run ./cmd/opcity vectors --out vectors/testdata)", err)
	}
	return files
}

// TestVEC_REPLAY: every committed vector verifies statelessly to its expected
// post-state hash or fails with its expected error.
func TestVEC_REPLAY(t *testing.T) {
	n := 0
	for _, f := range committed(t) {
		for _, v := range f.Vectors {
			if err := vectors.Replay(v); err != nil {
				t.Error(err)
			}
			n++
		}
	}
	t.Logf("replayed %d vectors", n)
}

// TestVEC_COVERAGE: the vectors name every mnemonic the spec implements and
// every implemented or no-op syscall number.
func TestVEC_COVERAGE(t *testing.T) {
	mnemonics, syscalls := map[string]bool{}, map[uint64]bool{}
	for _, f := range committed(t) {
		for _, v := range f.Vectors {
			mnemonics[v.Mnemonic] = true
			syscalls[v.Syscall] = true
		}
	}
	for _, m := range transition.Mnemonics() {
		if !mnemonics[m] && m != "syscall" {
			t.Errorf("no vector for instruction %s", m)
		}
	}
	for _, n := range vectors.SyscallNumbers() {
		if !syscalls[n] {
			t.Errorf("no vector for syscall %d", n)
		}
	}
}

// TestVEC_COMMITTED: the committed vectors are exactly what the generator
// produces today (regenerate with go run ./cmd/opcity vectors --out vectors/testdata).
func TestVEC_COMMITTED(t *testing.T) {
	if testing.Short() {
		t.Skip("builds every example program")
	}
	files, err := vectors.Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	old := committed(t)
	for i, f := range files {
		want, _ := vectors.Marshal(f)
		got, _ := vectors.Marshal(old[i])
		if !bytes.Equal(want, got) {
			t.Errorf("group %s differs from the generator (regenerate: go run ./cmd/opcity vectors --out vectors/testdata)", f.Group)
		}
	}
}

// TestTENSOR_VECTORS: the tensors group covers both tensor syscalls under
// the OPcity profile (successes, EINVAL for each rule, a missing and a bad
// tensor) and both numbers under the base profile (unknown syscalls); every
// other group runs under the base profile.
func TestTENSOR_VECTORS(t *testing.T) {
	seen := map[string]int{}
	for _, f := range committed(t) {
		for _, v := range f.Vectors {
			if f.Group != "tensors" {
				if v.Profile != "" || v.Tensor != nil {
					t.Errorf("%s: a %s vector with profile %q", v.Name, f.Group, v.Profile)
				}
				continue
			}
			key := fmt.Sprintf("%s/%d/", v.Profile, v.Syscall)
			switch {
			case v.Error != nil:
				key += v.Error.Name
			case strings.Contains(v.Name, "/einval/"):
				key += "einval"
			default:
				key += "ok"
			}
			seen[key]++
		}
	}
	for _, want := range []string{
		"opcity/7000/ok", "opcity/7000/einval", "opcity/7000/missing tensor", "opcity/7000/tensor does not match its root",
		"opcity/7001/ok", "opcity/7001/einval", "/7000/unrecognized syscall", "/7001/unrecognized syscall",
	} {
		if seen[want] == 0 {
			t.Errorf("no tensors vector for %q (have %v)", want, seen)
		}
	}
	if seen["opcity/7000/einval"] < 11 || seen["opcity/7001/einval"] < 11 {
		t.Errorf("EINVAL vectors: %d for tensor_map, %d for tensor_root; want one per rule case (11)", seen["opcity/7000/einval"], seen["opcity/7001/einval"])
	}
}
