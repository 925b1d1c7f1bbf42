package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// TestCLI_SIMULATE: `opcity simulate --games 24 --out DIR` writes the
// per-game JSON and CSV, the aggregate with one summary per adversary
// class, and the three SVG plots; every game is decided correctly with no
// honest claim countered and every honest bond returned (exit 0); bad flags
// exit 2.
func TestCLI_SIMULATE(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run("simulate", "--games", "24", "--seed", "3", "--data", mnistData, "--out", dir)
	if code != 0 || !strings.Contains(out, "games 24 correct 24") {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var agg play.Output
	raw, err := os.ReadFile(filepath.Join(dir, "aggregate.json"))
	if err != nil || json.Unmarshal(raw, &agg) != nil {
		t.Fatalf("aggregate.json: %v", err)
	}
	perClass := 0
	for _, c := range agg.Classes {
		perClass += c.Aggregate.Games
	}
	if a := agg.Aggregate; agg.Games != 24 || a.HonestClaims == 0 || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || len(agg.Classes) != len(sim.Scenarios()) || perClass != 24 {
		t.Fatalf("aggregate %+v", agg)
	}
	var games []play.Game
	raw, _ = os.ReadFile(filepath.Join(dir, "games.json"))
	if err := json.Unmarshal(raw, &games); err != nil || len(games) != 24 {
		t.Fatalf("games.json: %v, %d games", err, len(games))
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "games.csv"))
	if n := strings.Count(string(csv), "\n"); n != 25 {
		t.Fatalf("games.csv has %d lines, want 25", n)
	}
	classes, _ := os.ReadFile(filepath.Join(dir, "classes.csv"))
	for name, b := range map[string][]byte{"games.csv": csv, "classes.csv": classes} {
		header, _, _ := strings.Cut(string(b), "\n")
		if !strings.Contains(header, "honest_claims_countered") || !strings.Contains(header, "honest_bonds_returned_gwei") || strings.Contains(header, "lost_gwei") {
			t.Fatalf("%s header: %s", name, header)
		}
	}
	for _, svg := range []string{"resolution.svg", "gas.svg", "capital.svg"} {
		b, err := os.ReadFile(filepath.Join(dir, svg))
		if err != nil || !strings.HasPrefix(string(b), "<svg") || !strings.Contains(string(b), "wrong-node") {
			t.Fatalf("%s: %v", svg, err)
		}
	}
	code, _, _ = run("simulate", "--games", "4", "--adversaries", "wrong-node,flood", "--data", mnistData, "--out", dir)
	if code != 0 {
		t.Fatalf("two classes: exit %d", code)
	}
	for _, bad := range [][]string{
		{"simulate", "--games", "0", "--out", dir}, {"simulate", "--games", "3", "--out", dir, "--adversaries", "nobody"},
		{"simulate", "--games", "3", "--out", "/proc/opcity-unwritable"},
		{"simulate", "--games", "3", "--out", dir, "--model", "rnn"}, {"simulate", "--games", "3", "--out", dir, "--data", "/nonexistent"},
	} {
		if code, _, _ := run(bad...); code != exitBadInput {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}
