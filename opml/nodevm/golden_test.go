package nodevm

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/internal/mipsbuild"
)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/prestates.golden from the programs just built")

const goldenFile = "testdata/prestates.golden"

// goldenPrestates returns the golden file's text for the programs built in
// TestMain: the toolchain, then per program its initial state hash and, for
// the node programs, the step and hash of the absolute prestate (the state
// at the first oracle read, docs/opml.md §7.5).
func goldenPrestates(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "# guest programs built with %s (internal/mipsbuild.Toolchain)\n", mipsbuild.Toolchain)
	fmt.Fprintf(&b, "# regenerate: go test ./opml/nodevm -run TestOPML_NODE_GOLDEN -update-golden\n")
	for _, pkg := range []string{NodeProgram, TensorNodeProgram, InferProgram} {
		s := programs[pkg]
		fmt.Fprintf(&b, "%s initial %s\n", pkg, s.Hash())
		if pkg == InferProgram {
			continue
		}
		pre := &Machine{State: s}
		if err := pre.RunToOracle(stepLimit); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s prestate %s after %d steps\n", pkg, pre.State.Hash(), pre.Steps)
	}
	return b.String()
}

// TestOPML_NODE_GOLDEN: the guest programs' initial states and the node
// programs' absolute prestates are golden values (testdata/prestates.golden),
// as Cannon keeps golden states: a toolchain or guest-code change that
// moves them fails here, naming the command that regenerates the file.
func TestOPML_NODE_GOLDEN(t *testing.T) {
	got := goldenPrestates(t)
	path := filepath.FromSlash(goldenFile)
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s:\n%s", path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Fatalf("the guest programs' states moved (a change of toolchain, of guest code or of the loader):\n got:\n%s\nwant (%s):\n%s\n"+
			"If the change is intended, regenerate with: go test ./opml/nodevm -run TestOPML_NODE_GOLDEN -update-golden, and update docs/opml.md §7.5",
			got, path, want)
	}
}
