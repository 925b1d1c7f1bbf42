package main

import (
	"os"
	"strings"
	"testing"
)

// TestCLI_DEMO: `opcity demo` (make demo) shows all three parts and says
// each one was checked: the lockstep run and its statelessly verified
// step, the inference with a node under both profiles, the game won by a
// verified step; a part that cannot show what it says fails the demo
// (exit 1), and bad flags exit 2. The README shows its output verbatim.
func TestCLI_DEMO(t *testing.T) {
	if testing.Short() {
		t.Skip("the demo builds three guest programs and plays a real game")
	}
	code, out, errOut := run("demo", "--root", "../..")
	if code != exitOK {
		t.Fatalf("exit %d: %s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"1. Cannon's MIPS64 VM", "agreed after every one", "checked statelessly: spec.VerifyStep",
		"2. opML", "base profile", "OPcity profile", "accepted it as the claim",
		"3. Dispute", "spec.VerifyStep: ok", "counters claim", "challenger wins, as the truth requires", "countered 0",
		"all three parts checked.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, shown, _ := strings.Cut(string(readme), "## What `make demo` shows\n")
	_, shown, _ = strings.Cut(shown, "```\n")
	if shown, _, _ = strings.Cut(shown, "```\n"); shown != out {
		t.Errorf("README.md's make demo output is stale; it should read:\n%s", out)
	}
	if code, _, _ := run("demo", "--root", t.TempDir()); code != exitRejected {
		t.Errorf("--root of an empty folder (part 1 cannot build its program): exit %d, want 1", code)
	}
	if code, _, _ := run("demo", "--root", "../..", "--node", "9"); code != exitBadInput {
		t.Errorf("--node 9 (the MLP has nodes 0-3, CLI-LIMITS): exit %d, want 2, refused before any part", code)
	}
	if code, _, _ := run("demo", "extra"); code != exitBadInput {
		t.Errorf("an extra argument: exit %d, want 2", code)
	}
}
