package format

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFORMAT_ATOMIC_Pending: a file written bit by bit keeps its old
// content until Commit, which replaces it whole (mode 0644) and leaves no
// temporary file; Abort leaves the old content and no temporary file; a
// pending file in a missing folder is an error at once.
func TestFORMAT_ATOMIC_Pending(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "games.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := CreatePending(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		p.Write([]byte(strings.Repeat("x", 100)))
		if got, _ := os.ReadFile(path); string(got) != "old" {
			t.Fatalf("before Commit the file holds %d bytes, want the old content", len(got))
		}
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if fi, err := os.Stat(path); err != nil || len(got) != 100_000 || fi.Mode().Perm() != 0o644 {
		t.Fatalf("after Commit: %d bytes, %v", len(got), err)
	}
	q, err := CreatePending(path)
	if err != nil {
		t.Fatal(err)
	}
	q.Write([]byte("half"))
	q.Abort()
	if got, _ := os.ReadFile(path); len(got) != 100_000 {
		t.Fatalf("after Abort the file holds %d bytes, want the committed 100,000", len(got))
	}
	if names, _ := filepath.Glob(filepath.Join(dir, ".*")); len(names) != 0 {
		t.Fatalf("temporary files left behind: %v", names)
	}
	if _, err := CreatePending(filepath.Join(dir, "missing", "games.csv")); err == nil {
		t.Fatal("a pending file in a missing folder: no error")
	}
}
