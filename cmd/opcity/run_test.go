package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/vectors"
)

// TestCLI_RUN_VMs: --vm fast (the default), spec and both give the same
// steps, checkpoints, final state and program output on examples/hello and
// examples/goroutines, and the same failing step on a program that needs a
// missing preimage.
func TestCLI_RUN_VMs(t *testing.T) {
	dir := t.TempDir()
	var progs []string
	for _, name := range []string{"hello", "goroutines"} {
		if _, err := vectors.BuildExample("../..", name, dir); err != nil {
			t.Fatal(err)
		}
		progs = append(progs, filepath.Join(dir, name+".elf"))
	}
	progs = append(progs, tinyProgram(t, liV0Read, liA0Five, liA2Eight, syscall))
	for _, prog := range progs {
		var want runner.Result
		var wantOut string
		for i, vm := range []string{"spec", "fast", "both"} {
			code, out, errOut := run("run", "--vm", vm, "--every", "25000", "--json", prog)
			res := mustResult(t, code, out)
			res.VM, res.Seconds = "", 0
			if i == 0 {
				want, wantOut = res, errOut
				continue
			}
			if !reflect.DeepEqual(res, want) || errOut != wantOut {
				t.Fatalf("%s --vm %s: %+v\n(stdout %q)\nspec: %+v\n(stdout %q)", filepath.Base(prog), vm, res, errOut, want, wantOut)
			}
		}
		if len(want.Checkpoints) == 0 && want.Error == "" {
			t.Fatalf("%s: no checkpoints compared", prog)
		}
	}
}

func mustResult(t *testing.T, code int, out string) runner.Result {
	t.Helper()
	var res runner.Result
	if code == exitBadInput || code == exitDiverged {
		t.Fatalf("exit %d: %s", code, out)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("exit %d, output %q: %v", code, out, err)
	}
	return res
}

// TestCLI_RUN_Both_Divergence: when fpvm and the spec start from states
// that differ (here fpvm's copy has one register changed), --vm both stops
// at the first step, and its reproducer is a snapshot of the spec's state
// before that step which replays cleanly with --vm both.
func TestCLI_RUN_Both_Divergence(t *testing.T) {
	dir := t.TempDir()
	elf, err := vectors.BuildExample("../..", "hello", dir)
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(elf)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err = spec.Run(s, spec.Data{}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	skewed := s
	th, _ := skewed.LeftThreads.Top()
	th.CPU.Regs[17] ^= 1
	skewed.LeftThreads, _ = skewed.LeftThreads.ReplaceTop(th)
	fast, err := fpvm.FromState(skewed)
	if err != nil {
		t.Fatal(err)
	}
	e := runner.NewLockstep(s, fast, spec.Data{})
	n, err := e.Advance(10)
	var div *runner.Divergence
	if !errors.As(err, &div) || n != 0 || div.Step != 1001 || div.Pre.Hash() != s.Hash() {
		t.Fatalf("advance: %d steps, %v", n, err)
	}
	path, cmd, err := div.WriteReproducer()
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	back, err := format.ReadSnapshotFile(path)
	if err != nil || back.Hash() != s.Hash() || cmd == "" {
		t.Fatalf("reproducer %s: %v", path, err)
	}
	if code, out, errOut := run("run", "--vm", "both", "--max-steps", "1", "--from", path); code != exitOK {
		t.Fatalf("replaying the reproducer with the real fpvm: exit %d, %s %s", code, out, errOut)
	}
}
