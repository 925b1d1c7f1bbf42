package main

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec/program"
)

// TestINV_STEP_WRAP_Resume: run --from refuses, with exit 2 and one line
// naming the step field, a forged snapshot whose step counter is above
// format.MaxResumeStep (2^64 − 1 would wrap after one step), and resumes
// one at MaxResumeStep.
func TestINV_STEP_WRAP_Resume(t *testing.T) {
	raw, err := os.ReadFile(tinyProgram(t, liV0ExitGroup, syscall))
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(raw)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, c := range []struct {
		step uint64
		code int
	}{{math.MaxUint64, exitBadInput}, {format.MaxResumeStep + 1, exitBadInput}, {format.MaxResumeStep, exitOK}} {
		s.Step = c.step
		snap := filepath.Join(dir, "forged.snap")
		if err := format.WriteSnapshotFile(snap, s); err != nil {
			t.Fatal(err)
		}
		code, res, errOut := runJSON(t, "run", "--from", snap)
		if code != c.code {
			t.Errorf("step %d: exit %d (%s), want %d", c.step, code, errOut, c.code)
		}
		if c.code == exitBadInput && (strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "step")) {
			t.Errorf("step %d: stderr %q, want one line naming the step", c.step, errOut)
		}
		if c.code == exitOK && (!res.Exited || res.Steps != 2) {
			t.Errorf("step %d: %+v, want an exit after 2 steps", c.step, res)
		}
	}
}
