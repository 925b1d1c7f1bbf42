package play

import (
	"strings"
	"testing"
)

var defaults = BatchOptions{Games: 1, Seed: 1, Adversaries: "all", FloodBonds: 20, Model: "mlp", BlocksLog2: 2, VM: "synthetic", Profile: "base"}

// TestPLAY_Scenarios: --adversaries picks scenarios in library order
// whatever the order it names them in, "all" is the whole library of 16,
// the flood adversary carries --flood-bonds, and an unknown name is an
// error that names it.
func TestPLAY_Scenarios(t *testing.T) {
	o := defaults
	all, err := o.Scenarios()
	if err != nil || len(all) != 16 || all[0].Name != "none" || all[len(all)-1].Name != "offline" {
		t.Fatalf("all: %d scenarios, %v", len(all), err)
	}
	o.Adversaries, o.FloodBonds = "flood, wrong-node", 7
	two, err := o.Scenarios()
	if err != nil || len(two) != 2 || two[0].Name != "wrong-node" || two[1].Name != "flood" || !strings.Contains(two[1].Doc, "budget of 7 depth-1 bonds") {
		t.Fatalf("flood, wrong-node: %+v, %v", two, err)
	}
	o.Adversaries = "wrong-node,nobody"
	if _, err := o.Scenarios(); err == nil || !strings.Contains(err.Error(), `"nobody"`) {
		t.Fatalf("nobody: %v", err)
	}
}

// TestPLAY_Check: each option out of range is refused with its flag named;
// the defaults pass.
func TestPLAY_Check(t *testing.T) {
	if err := defaults.Check(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	for flag, edit := range map[string]func(*BatchOptions){
		"--games":       func(o *BatchOptions) { o.Games = 0 },
		"--blocks-log2": func(o *BatchOptions) { o.BlocksLog2 = 9 },
		"--vm":          func(o *BatchOptions) { o.VM = "quantum" },
		"--model":       func(o *BatchOptions) { o.Model = "rnn" },
		"--flood-bonds": func(o *BatchOptions) { o.FloodBonds = -1 },
		"--profile":     func(o *BatchOptions) { o.Profile = "OPcity" },
	} {
		o := defaults
		edit(&o)
		if err := o.Check(); err == nil || !strings.Contains(err.Error(), flag) {
			t.Errorf("%s out of range: %v", flag, err)
		}
	}
}
