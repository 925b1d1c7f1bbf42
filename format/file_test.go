package format

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFORMAT_ATOMIC_WriteFile: a write replaces the file whole and leaves no
// temporary file; a write that cannot finish (its folder is missing)
// creates nothing.
func TestFORMAT_ATOMIC_WriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.md")
	if err := os.WriteFile(path, []byte("old contents, longer than the new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("new")); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(path); err != nil || string(got) != "new" {
		t.Errorf("after WriteFile the file holds %q (%v), want \"new\"", got, err)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Error(err)
	} else if fi.Mode().Perm() != 0o644 {
		t.Errorf("after WriteFile the mode is %v, want 0644", fi.Mode().Perm())
	}
	if names, _ := filepath.Glob(filepath.Join(dir, "*")); len(names) != 1 {
		t.Errorf("the folder holds %v, want report.md alone", names)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*")); len(names) != 0 {
		t.Errorf("temporary files left behind: %v", names)
	}
	missing := filepath.Join(dir, "missing", "steps.svg")
	if err := WriteFile(missing, []byte("x")); err == nil {
		t.Errorf("WriteFile into a missing folder returned no error")
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Errorf("WriteFile into a missing folder created it (%v)", err)
	}
	// A write that fails at the rename (the path is a folder) leaves the
	// folder as it was and no temporary file.
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(sub, []byte("x")); err == nil {
		t.Errorf("WriteFile over a folder returned no error")
	}
	if fi, err := os.Stat(sub); err != nil || !fi.IsDir() {
		t.Errorf("the folder was replaced (%v)", err)
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*")); len(names) != 0 {
		t.Errorf("temporary files left behind after a failed rename: %v", names)
	}
}
