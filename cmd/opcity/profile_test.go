package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
)

// TestCLI_DISPUTE_PROFILE: `opcity dispute --profile opcity` plays the game
// with the tensor node program under the OPcity profile: with --lie node:3
// (ArgMax) and node:0 the challenger wins by a step that
// spec.VerifyStepIn(opcity) executes, with --lie none the proposer wins,
// no honest claim countered and every honest bond returned (per claim);
// `opcity dispute simulate --profile
// opcity` and `opcity simulate --profile opcity` decide every synthetic
// game correctly; a bad --profile exits 2 on all three.
func TestCLI_DISPUTE_PROFILE(t *testing.T) {
	base := []string{"dispute", "--model", mlpModel, "--data", mnistData, "--root", "../..", "--image", "0", "--profile", "opcity", "--json"}
	for _, lie := range []string{"node:3", "node:0", "none"} {
		code, out, errOut := run(append(append([]string(nil), base...), "--lie", lie)...)
		var rep play.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("%s: exit %d, %v: %s", lie, code, err, errOut)
		}
		if code != 0 || !rep.Correct || rep.HonestCountered != 0 || rep.HonestReturned != rep.HonestBonds || !rep.BondsConserved || rep.Profile != "opcity" {
			t.Fatalf("%s: exit %d: %s; %+v %s", lie, code, rep.Account.Text(), rep, errOut)
		}
		si := rep.SteppedInstruction
		if lie == "none" {
			if rep.Winner != "proposer" || si != nil {
				t.Fatalf("none: %+v", rep)
			}
			continue
		}
		if rep.Winner != "challenger" || len(rep.Phases) != 3 || si == nil || si.VerifyStep != "ok" || !si.Counters || si.PreSteps != *rep.LieFromStep {
			t.Fatalf("%s: %+v %+v", lie, rep, si)
		}
	}
	code, out, errOut := run("simulate", "--games", "28", "--profile", "opcity", "--data", mnistData, "--quiet")
	if code != 0 || !strings.Contains(out, "profile opcity") || !strings.Contains(out, "games 28 correct 28") {
		t.Fatalf("simulate --quiet: exit %d: %s %s", code, out, errOut)
	}
	code, out, errOut = run("simulate", "--games", "14", "--profile", "opcity", "--data", mnistData, "--out", t.TempDir())
	if code != 0 || !strings.Contains(out, "profile opcity") || !strings.Contains(out, "games 14 correct 14") {
		t.Fatalf("simulate: exit %d: %s %s", code, out, errOut)
	}
	for _, bad := range [][]string{
		{"dispute", "--image", "0", "--lie", "none", "--profile", "cannon"},
		{"simulate", "--profile", "OPcity", "--data", mnistData},
		{"simulate", "--games", "1", "--profile", "", "--data", mnistData, "--out", t.TempDir()},
	} {
		if code, _, _ := run(bad...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
