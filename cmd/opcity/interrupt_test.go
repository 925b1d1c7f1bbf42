//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	sys "syscall"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/vectors"
)

// interruptCase is one file-writing command: its arguments with the
// target directory dir, the files it writes there and how a complete new
// output may differ from the old one.
type interruptCase struct {
	name  string
	args  func(dir string) []string
	kills int
	// same says whether got is a complete output of the file rel whose
	// complete old content is old; nil means byte for byte.
	same func(rel string, old, got []byte) bool
	// marker, if not "", is the file whose absence marks the folder
	// incomplete: a kill may leave it absent (simulate removes the old
	// aggregate.json before it puts the new files in place).
	marker string
}

// TestCLI_INTERRUPT_FilesWholeOrOld: killing (SIGKILL, the whole process
// group) run --snapshot-out, simulate --out and vectors --out at seeded
// pseudo-random moments spread over their measured run time leaves every
// target file either absent (no run finished before) or complete: equal
// to the old complete output, and no other non-hidden file.
func TestCLI_INTERRUPT_FilesWholeOrOld(t *testing.T) {
	if testing.Short() {
		t.Skip("kills three commands over a minute; -short skips it")
	}
	start := time.Now()
	work := t.TempDir()
	bin := filepath.Join(work, "opcity")
	goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
	if out, err := exec.Command(goTool, "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if _, err := vectors.BuildExample("../..", "hello", work); err != nil {
		t.Fatal(err)
	}
	elf := filepath.Join(work, "hello.elf")
	at := lateStep(t, bin, elf)
	cases := []interruptCase{
		{name: "run", kills: 8, args: func(dir string) []string {
			return []string{"run", "--snapshot-at", strconv.FormatUint(at, 10), "--snapshot-out", filepath.Join(dir, "late.snap"), elf}
		}},
		{name: "simulate", kills: 6, same: sameAggregate, marker: "aggregate.json", args: func(dir string) []string {
			return []string{"simulate", "--games", "200", "--data", "../../models/mnist", "--quiet", "--out", dir}
		}},
		{name: "vectors", kills: 3, args: func(dir string) []string {
			return []string{"vectors", "--out", dir, "--root", "../.."}
		}},
	}
	rng := rand.New(rand.NewPCG(15, 2026))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { interruptCommand(t, bin, c, rng) })
	}
	t.Logf("total %.1f s", time.Since(start).Seconds())
}

// interruptCommand runs c once to completion for the old output and its
// run time d, then kills it once at a seeded moment of d over an empty
// target, at c.kills moments (one in each of c.kills equal slices of d,
// seeded) over the old output, and on the first and a seeded later change
// the test sees in the target folder.
func interruptCommand(t *testing.T, bin string, c interruptCase, rng *rand.Rand) {
	dir := t.TempDir()
	began := time.Now()
	if out, err := exec.Command(bin, c.args(dir)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", c.name, err, out)
	}
	d := time.Since(began)
	old := readTree(t, dir)
	if len(old) == 0 {
		t.Fatalf("%s wrote nothing in %s", c.name, dir)
	}
	t.Logf("%s: complete run %.2f s, %d files", c.name, d.Seconds(), len(old))
	// The same target with no output (simulate names its folder in
	// aggregate.json), then the old output put back.
	putTree(t, dir, nil)
	at := time.Duration(rng.Int64N(int64(d)))
	ran := killAt(t, bin, c.args(dir), dir, at, 0)
	checkTree(t, c, dir, old, false, "at "+at.String(), ran)
	putTree(t, dir, old)
	for i := range c.kills {
		at := time.Duration((float64(i) + rng.Float64()) / float64(c.kills) * float64(d))
		ran := killAt(t, bin, c.args(dir), dir, at, 0)
		checkTree(t, c, dir, old, true, "at "+at.String(), ran)
	}
	// The writes take milliseconds of the run: kill also on the first
	// change the test sees in the target folder, and on a seeded later one.
	for _, n := range []int{1, 2 + rng.IntN(4)} {
		ran := killAt(t, bin, c.args(dir), dir, 2*d, n)
		checkTree(t, c, dir, old, true, "on change "+strconv.Itoa(n), ran)
	}
}

// killAt starts bin with args in its own process group and kills the
// group with SIGKILL after at or, when changes > 0, as soon as the test has
// seen the folder dir change that many times; it waits for the command
// and reports whether it had finished first.
func killAt(t *testing.T, bin string, args []string, dir string, at time.Duration, changes int) bool {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.SysProcAttr = &sys.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.After(at)
	last, seen := treeStamp(dir), 0
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v before the kill: %v", args, err)
			}
			return true
		case <-deadline:
			sys.Kill(-cmd.Process.Pid, sys.SIGKILL)
			<-done
			return false
		default:
		}
		if changes == 0 {
			time.Sleep(time.Millisecond)
			continue
		}
		time.Sleep(100 * time.Microsecond)
		if s := treeStamp(dir); s != last {
			last, seen = s, seen+1
			if seen == changes {
				sys.Kill(-cmd.Process.Pid, sys.SIGKILL)
				<-done
				return false
			}
		}
	}
}

// treeStamp is every name, size and modification time under dir.
func treeStamp(dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if info, err := e.Info(); err == nil {
			b.WriteString(path + " " + strconv.FormatInt(info.Size(), 10) + " " + strconv.FormatInt(info.ModTime().UnixNano(), 10) + "\n")
		}
		return nil
	})
	return b.String()
}

// checkTree checks, after a kill at (when) the moment, that every file
// of old under dir is its old content (or, when !present, absent) and that
// no other non-hidden file is there; hidden leftovers are logged and
// removed, so that the next kill starts from the old output alone.
func checkTree(t *testing.T, c interruptCase, dir string, old map[string][]byte, present bool, at string, finished bool) {
	t.Helper()
	got := readTree(t, dir)
	where := "over the old output"
	if !present {
		where = "over no output"
	}
	t.Logf("%s killed %s %s (finished first: %v)", c.name, at, where, finished)
	for rel, data := range got {
		if isHidden(rel) {
			t.Logf("  leftover hidden file %s (%d bytes): a SIGKILL cannot remove it", rel, len(data))
			if err := os.Remove(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, ok := old[rel]
		switch {
		case !ok:
			t.Errorf("%s killed %s %s: unexpected file %s", c.name, at, where, rel)
		case c.same != nil && !c.same(rel, want, data), c.same == nil && !bytes.Equal(want, data):
			t.Errorf("%s killed %s %s: %s is %d bytes, not its complete %d; from byte %d it has %q", c.name, at, where, rel, len(data), len(want), firstDiff(want, data), snippet(data, firstDiff(want, data)))
		}
	}
	for rel := range old {
		if _, ok := got[rel]; ok || !present {
			continue
		}
		if rel == c.marker {
			t.Logf("  %s absent: the folder is marked incomplete", rel)
			continue
		}
		t.Errorf("%s killed %s %s: %s is gone", c.name, at, where, rel)
	}
}

// firstDiff is the offset of the first byte where a and b differ.
func firstDiff(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// snippet is up to 40 bytes of b from i.
func snippet(b []byte, i int) []byte { return b[i:min(len(b), i+40)] }

// putTree empties dir and writes files into it.
func putTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for rel, data := range files {
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every regular file under dir by its slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		data, err := os.ReadFile(path)
		files[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// isHidden: a part of the path begins with '.'.
func isHidden(rel string) bool {
	return slices.ContainsFunc(strings.Split(rel, "/"), func(p string) bool { return strings.HasPrefix(p, ".") })
}

// sameAggregate: simulate's files are deterministic except aggregate.json's
// timing fields, so a complete new aggregate.json is valid JSON equal to
// the old one apart from them.
func sameAggregate(rel string, old, got []byte) bool {
	if bytes.Equal(old, got) {
		return true
	}
	if rel != "aggregate.json" {
		return false
	}
	var a, b map[string]json.RawMessage
	if json.Unmarshal(old, &a) != nil || json.Unmarshal(got, &b) != nil {
		return false
	}
	for _, k := range []string{"seconds", "games_per_second", "claims_per_second", "peak_heap_mb"} {
		delete(a, k)
		delete(b, k)
	}
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

// lateStep returns a step nine tenths of the way through the program.
func lateStep(t *testing.T, bin, elf string) uint64 {
	t.Helper()
	out, err := exec.Command(bin, "run", "--json", elf).Output()
	if err != nil {
		t.Fatalf("run %s: %v", elf, err)
	}
	var res struct{ Steps uint64 }
	if err := json.Unmarshal(out, &res); err != nil || res.Steps < 10 {
		t.Fatalf("run %s: steps %d, %v", elf, res.Steps, err)
	}
	return res.Steps / 10 * 9
}
