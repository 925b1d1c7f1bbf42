package format

import (
	"os"
	"path/filepath"
	"testing"
)

// TestINPUT_WRITABLE_FIRST_Check: CheckWritable accepts a new or existing
// file in an existing folder and leaves the folder as it was; it refuses a
// missing folder (creating nothing), a folder that is a file, and a path
// that is a directory. CheckWritableDir creates the folder.
func TestINPUT_WRITABLE_FIRST_Check(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.snap")
	_ = os.WriteFile(old, []byte("old"), 0o644)
	for _, p := range []string{filepath.Join(dir, "new.snap"), old} {
		if err := CheckWritable(p); err != nil {
			t.Errorf("CheckWritable(%s): %v", p, err)
		}
	}
	if names, _ := os.ReadDir(dir); len(names) != 1 {
		t.Errorf("the folder holds %d entries after the checks, want old.snap alone", len(names))
	}
	if b, _ := os.ReadFile(old); string(b) != "old" {
		t.Errorf("old.snap holds %q after the check", b)
	}
	for name, p := range map[string]string{
		"missing folder":        filepath.Join(dir, "missing", "x.snap"),
		"folder that is a file": filepath.Join(old, "x.snap"),
		"a directory":           dir,
	} {
		if err := CheckWritable(p); err == nil {
			t.Errorf("%s: CheckWritable(%s) accepted", name, p)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Errorf("CheckWritable created the missing folder (%v)", err)
	}
	sub := filepath.Join(dir, "a", "v1")
	if err := CheckWritableDir(sub); err != nil {
		t.Fatal(err)
	}
	if names, err := os.ReadDir(sub); err != nil || len(names) != 0 {
		t.Errorf("CheckWritableDir left %v (%v), want an empty folder", names, err)
	}
	if err := CheckWritableDir(filepath.Join(old, "v1")); err == nil {
		t.Errorf("CheckWritableDir under a file accepted")
	}
}
