package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestINPUT_WRITABLE_FIRST_Run: an unwritable --snapshot-out is refused
// with exit 2 before the run: a program whose step 4 fails (exit 3 once it
// runs) gets exit 2 naming --snapshot-out, and prints nothing of the run.
func TestINPUT_WRITABLE_FIRST_Run(t *testing.T) {
	prog := tinyProgram(t, liV0Read, liA0Five, liA2Eight, syscall)
	dir := t.TempDir()
	for name, out := range map[string]string{
		"missing folder": filepath.Join(dir, "no", "such", "x.snap"),
		"a directory":    dir,
	} {
		code, stdout, errOut := run("run", "--snapshot-at", "2", "--snapshot-out", out, prog)
		if code != exitBadInput || stdout != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--snapshot-out") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 naming --snapshot-out before the run", name, code, stdout, errOut)
		}
	}
	if code, _, _ := run("run", "--snapshot-at", "2", "--snapshot-out", filepath.Join(dir, "ok.snap"), prog); code != exitStepFail {
		t.Errorf("writable target: exit %d, want 3 (the run's step failure)", code)
	}
}

// TestINPUT_WRITABLE_FIRST_Vectors: opcity vectors refuses an --out it
// cannot write before generating anything: with a --root that has no
// examples (which generating would stumble on), the error names --out.
func TestINPUT_WRITABLE_FIRST_Vectors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	_ = os.WriteFile(file, nil, 0o644)
	code, _, errOut := run("vectors", "--out", filepath.Join(file, "vectors"), "--root", t.TempDir())
	if code != exitBadInput || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--out") {
		t.Errorf("exit %d, stderr %q; want exit 2 naming --out", code, errOut)
	}
}
