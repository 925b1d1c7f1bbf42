package main

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCLI_DEPS_NoTestCode: the opcity binary links no test code: neither
// the standard library's testing package nor rapid, gopter or the
// project's properties package (test helpers) are among its dependencies.
func TestCLI_DEPS_NoTestCode(t *testing.T) {
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	out, err := exec.Command(goTool, "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 20 {
		t.Fatalf("go list -deps printed %d packages: %q", len(deps), out)
	}
	for _, d := range deps {
		switch {
		case d == "testing", strings.HasPrefix(d, "testing/"), strings.HasPrefix(d, "pgregory.net/rapid"),
			strings.HasPrefix(d, "github.com/leanovate/gopter"), d == "github.com/opcity-spec/opcity/properties":
			t.Errorf("cmd/opcity depends on %s", d)
		}
	}
}
