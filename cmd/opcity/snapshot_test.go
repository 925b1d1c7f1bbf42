package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/vectors"
)

// runJSON runs opcity with --json and decodes the result.
func runJSON(t *testing.T, args ...string) (int, runner.Result, string) {
	t.Helper()
	code, out, errOut := run(append(args, "--json")...)
	var res runner.Result
	if code != exitBadInput {
		if err := json.Unmarshal([]byte(out), &res); err != nil {
			t.Fatalf("exit %d, output %q: %v", code, out, err)
		}
	}
	return code, res, errOut
}

// TestSNAP_RESUME: running examples/hello with a snapshot at step 20,000
// and resuming from it ends in the state a straight run ends in, with the
// same total steps and the rest of the program's output.
func TestSNAP_RESUME(t *testing.T) {
	dir := t.TempDir()
	if _, err := vectors.BuildExample("../..", "hello", dir); err != nil {
		t.Fatal(err)
	}
	elf, snap := filepath.Join(dir, "hello.elf"), filepath.Join(dir, "at20k.snap")
	code, straight, straightOut := runJSON(t, "run", elf)
	if code != exitOK || !straight.Exited {
		t.Fatalf("straight run: exit %d, %+v", code, straight)
	}
	code, first, _ := runJSON(t, "run", "--snapshot-at", "20000", "--snapshot-out", snap, elf)
	if code != exitOK || first.Snapshot == nil || first.Snapshot.Step != 20000 || first.StateHash != straight.StateHash {
		t.Fatalf("run with snapshot: exit %d, %+v", code, first)
	}
	code, resumed, resumedOut := runJSON(t, "run", "--from", snap)
	if code != exitOK || resumed.StateHash != straight.StateHash || resumed.Steps != straight.Steps-20000 {
		t.Fatalf("resumed: exit %d, %+v; straight %+v", code, resumed, straight)
	}
	if resumedOut == "" || !strings.HasSuffix(straightOut, resumedOut) {
		t.Fatalf("resumed output %q is not the end of %q", resumedOut, straightOut)
	}
}

// TestSNAP_REJECT_CLI: a corrupted snapshot, a missing one, and snapshot
// flags used wrongly exit 2 with one short error line.
func TestSNAP_REJECT_CLI(t *testing.T) {
	dir := t.TempDir()
	prog := tinyProgram(t, liV0ExitGroup, liA0Three, syscall)
	snap := filepath.Join(dir, "s.snap")
	if code, res, errOut := runJSON(t, "run", "--snapshot-at", "1", "--snapshot-out", snap, prog); code != exitOK || res.Snapshot == nil {
		t.Fatalf("exit %d, %+v, %s", code, res, errOut)
	}
	raw, err := os.ReadFile(snap)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 0x10
	bad := filepath.Join(dir, "bad.snap")
	_ = os.WriteFile(bad, raw, 0o644)
	for name, args := range map[string][]string{
		"corrupted":             {"run", "--from", bad},
		"truncated":             {"run", "--from", prog},
		"missing":               {"run", "--from", filepath.Join(dir, "none.snap")},
		"snapshot-at alone":     {"run", "--snapshot-at", "1", prog},
		"both ELF and snapshot": {"run", "--from", snap, prog},
		"step never reached":    {"run", "--snapshot-at", "99", "--snapshot-out", filepath.Join(dir, "x.snap"), prog},
		"unwritable output":     {"run", "--snapshot-at", "1", "--snapshot-out", filepath.Join(dir, "no", "such", "dir.snap"), prog},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run(args...)
			if code != exitBadInput || errOut == "" || strings.Count(strings.TrimSpace(errOut), "\n") > 1 {
				t.Fatalf("exit %d, stderr %q; want exit 2 and a short error", code, errOut)
			}
		})
	}
	if _, _, errOut := run("run", "--from", bad); !strings.Contains(errOut, "checksum") {
		t.Errorf("corrupted snapshot: %q does not name the checksum", errOut)
	}
}
