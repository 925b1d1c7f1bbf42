package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREQ_CHECK_Exact: reqcheck counts a test only when it names the ID
// token by token, never a test that always skips, and exempts only rows
// whose last cell begins with "*planned"; its exit status and report
// follow.
func TestREQ_CHECK_Exact(t *testing.T) {
	dir := t.TempDir()
	req := "| ID | Statement | Source |\n|---|---|---|\n" +
		"| `AA-BB` | named by a function with more after it | x |\n" +
		"| `CC-DD` | only a longer token (CC_DDX) | x |\n" +
		"| `EE-FF` | only a test that always skips | x |\n" +
		"| `GG-HH` | not yet | *planned (later)* |\n" +
		"| `II-JJ` | named by a t.Run label | x |\n" +
		"| `KK-LL` | only inside a longer token (XKK_LL) | x |\n" +
		"| `MM-NN` | a row that says planned in its statement, not its last cell | x |\n" +
		"| `PP-QQ` | named second in a function name | x |\n"
	src := `package p

import "testing"

func TestAA_BB_More(t *testing.T)  {}
func TestCC_DDX(t *testing.T)      {}
func TestEE_FF(t *testing.T)       { t.Skip("never") }
func TestXKK_LL(t *testing.T)      {}
func TestRR_SS_PP_QQ(t *testing.T) {}
func TestLabels(t *testing.T) {
	t.Run("II-JJ: the label", func(t *testing.T) {})
	t.Run("MM-NNX", func(t *testing.T) {})
}
`
	if err := os.WriteFile(filepath.Join(dir, "req.md"), []byte(req), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "p_test.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run([]string{filepath.Join(dir, "req.md"), dir}, &out, &errOut)
	if code != 1 {
		t.Fatalf("exit %d, want 1; %s%s", code, out.String(), errOut.String())
	}
	if !strings.HasPrefix(out.String(), "reqcheck: 7 requirements enforced, 1 planned, 4 without a test\n") {
		t.Errorf("report:\n%s", out.String())
	}
	var missing []string
	for _, line := range strings.Split(out.String(), "\n")[1:] {
		if id, _, ok := strings.Cut(strings.TrimSpace(line), ":"); ok {
			missing = append(missing, id)
		}
	}
	if got := strings.Join(missing, " "); got != "CC-DD EE-FF KK-LL MM-NN" {
		t.Errorf("uncovered %q, want CC-DD EE-FF KK-LL MM-NN", got)
	}
	if code := run([]string{filepath.Join(dir, "missing.md"), dir}, &out, &errOut); code != 2 {
		t.Errorf("a missing requirements file: exit %d, want 2", code)
	}
	if code := run([]string{"only-one-arg"}, &out, &errOut); code != 2 {
		t.Errorf("usage: exit %d, want 2", code)
	}
}
