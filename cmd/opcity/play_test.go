package main

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
)

// TestCLI_DISPUTE_PLAY: `opcity dispute --image 0 --lie node:K` ends with
// the challenger winning by a step that spec.VerifyStep executes, for every
// node K of the MLP; `--lie step:S` steps exactly the instruction after S
// steps; `--lie none` ends with the proposer winning; no honest claim is
// countered and every honest bond is returned (per claim); bad flags exit 2.
func TestCLI_DISPUTE_PLAY(t *testing.T) {
	base := []string{"dispute", "--model", mlpModel, "--data", mnistData, "--root", "../..", "--image", "0", "--json"}
	play := func(t *testing.T, lie string) play.Report {
		t.Helper()
		code, out, errOut := run(append(append([]string(nil), base...), "--lie", lie)...)
		var rep play.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatalf("exit %d, %v: %s", code, err, errOut)
		}
		if code != 0 || !rep.Correct || rep.HonestCountered != 0 || rep.HonestReturned != rep.HonestBonds || !rep.BondsConserved || len(rep.Phases) == 0 || len(rep.Moves) == 0 {
			t.Fatalf("exit %d: %s; %+v %s", code, rep.Account.Text(), rep, errOut)
		}
		return rep
	}
	for k := range 4 {
		t.Run(fmt.Sprintf("node:%d", k), func(t *testing.T) {
			if testing.Short() && k == 0 {
				t.Skip("node 0 runs 45.6M steps in fpvm")
			}
			rep := play(t, fmt.Sprintf("node:%d", k))
			si := rep.SteppedInstruction
			if rep.Winner != "challenger" || len(rep.Phases) != 3 || si == nil || si.VerifyStep != "ok" || !si.Counters || si.Mnemonic == "" {
				t.Fatalf("%+v %+v", rep, si)
			}
			if si.PreSteps != *rep.LieFromStep {
				t.Fatalf("stepped from %d steps, the lie starts at trace index %d", si.PreSteps, *rep.LieFromStep)
			}
		})
	}
	t.Run("step:1000", func(t *testing.T) {
		rep := play(t, "step:1000")
		if si := rep.SteppedInstruction; rep.Winner != "challenger" || si == nil || si.PreSteps != 1000 || si.VerifyStep != "ok" || *rep.LieNode != 3 {
			t.Fatalf("%+v %+v", rep, si)
		}
	})
	t.Run("none", func(t *testing.T) {
		rep := play(t, "none")
		if rep.Winner != "proposer" || len(rep.Moves) != 1 || rep.SteppedInstruction != nil {
			t.Fatalf("%+v", rep)
		}
	})
	for _, bad := range [][]string{
		{"dispute", "--image", "0"}, {"dispute", "--lie", "none"}, {"dispute", "--image", "0", "--lie", "node"},
		{"dispute", "--image", "0", "--lie", "edge:1"}, {"dispute", "--image", "0", "--lie", "node:4", "--data", mnistData, "--root", "../.."},
		{"dispute", "--image", "0", "--lie", "none", "--model", "other.opml"}, {"dispute", "--image", "-1", "--lie", "none"},
	} {
		if code, _, _ := run(bad...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
