package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
)

// TestCLI_DISPUTE_Simulate: `opcity simulate` (without --out) plays a seeded batch
// over the adversary library, decides every game correctly with no honest
// claim countered and every honest bond returned (exit 0), prints
// the same JSON for the same seed, and exits 2 for bad flags.
func TestCLI_DISPUTE_Simulate(t *testing.T) {
	args := []string{"simulate", "--games", "12", "--seed", "5", "--data", "../../models/mnist", "--json"}
	code, out, errOut := run(args...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep play.Output
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	a := rep.Aggregate
	if len(rep.GameResults) != 12 || rep.Games != 12 || a.Correct != 12 || a.HonestClaims == 0 || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds {
		t.Fatalf("aggregate %+v", a)
	}
	var claims, countered int
	var bonds, returned uint64
	for _, g := range rep.GameResults {
		claims, countered, bonds, returned = claims+g.HonestClaims, countered+g.HonestCountered, bonds+g.HonestBonds, returned+g.HonestReturned
	}
	if claims != a.HonestClaims || countered != a.HonestCountered || bonds != a.HonestBonds || returned != a.HonestReturned {
		t.Fatalf("per-game honest figures (%d claims, %d countered, %d / %d gwei) do not sum to the aggregate's", claims, countered, returned, bonds)
	}
	_, again, _ := run(args...)
	var rep2 play.Output
	json.Unmarshal([]byte(again), &rep2)
	for i := range rep.GameResults {
		if rep.GameResults[i].Seed != rep2.GameResults[i].Seed || rep.GameResults[i].Claims != rep2.GameResults[i].Claims || rep.GameResults[i].Resolved != rep2.GameResults[i].Resolved {
			t.Fatalf("game %d differs between runs", i)
		}
	}
	code, out, _ = run("simulate", "--games", "3", "--adversaries", "flood", "--quiet", "--data", "../../models/mnist")
	if code != 0 || !strings.Contains(out, "games 3 correct 3") {
		t.Fatalf("exit %d: %s", code, out)
	}
	code, out, _ = run("simulate", "--adversaries", "wrong-node", "--game-seed", "5dd50243f81eaa0b", "--data", "../../models/mnist")
	if code != 0 || !strings.Contains(out, "challenger wins, correct true") {
		t.Fatalf("replay: exit %d: %s", code, out)
	}
	for _, bad := range [][]string{
		{"simulate", "--game-seed", "xyz", "--adversaries", "flood"}, {"simulate", "--game-seed", "12"},
		{"dispute"}, {"dispute", "play"}, {"dispute", "simulate"}, {"simulate", "--games", "0"}, {"simulate", "--adversaries", "nobody"},
		{"simulate", "--vm", "quantum"}, {"simulate", "--bogus"}, {"simulate", "--data", "/nonexistent"}, {"simulate", "extra"},
		{"simulate", "--blocks-log2", "9"}, {"simulate", "--flood-bonds", "-1"}, {"simulate", "--profile", "fast"},
	} {
		if code, _, _ := run(bad...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
