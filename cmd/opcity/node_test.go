package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestCLI_NODE: node 3 (ArgMax) of the MLP on image 0 in the VM: the
// default claim (the native commitment) exits 0 with the VM's output equal
// to it; the same claim with its last bit flipped exits 1.
func TestCLI_NODE(t *testing.T) {
	base := []string{"node", "--model", mlpModel, "--data", mnistData, "--root", "../..", "--image", "0", "--node", "3", "--json"}
	code, out, errOut := run(base...)
	if code != exitOK {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var res nodeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Verdict != "claim right" || res.Output != res.Native || res.Claim != res.Native || res.Steps == 0 || res.Op != "ArgMax" {
		t.Fatalf("result %+v", res)
	}
	h, err := parseHash(res.Native)
	if err != nil {
		t.Fatal(err)
	}
	h[31] ^= 1
	wrong := h.String()
	code, out, _ = run(append(base, "--claim", wrong)...)
	var bad nodeResult
	_ = json.Unmarshal([]byte(out), &bad)
	if code != exitRejected || bad.Verdict != "claim wrong" || bad.Output != res.Native {
		t.Fatalf("wrong claim %s: exit %d, %+v", wrong, code, bad)
	}
}

func TestCLI_NODE_BadInput(t *testing.T) {
	for name, args := range map[string][]string{
		"node out of range": {"node", "--model", mlpModel, "--data", mnistData, "--image", "0", "--node", "4"},
		"bad claim":         {"node", "--model", mlpModel, "--data", mnistData, "--image", "0", "--node", "0", "--claim", "0x12"},
		"no node":           {"node", "--model", mlpModel, "--data", mnistData, "--image", "0"},
		"missing model":     {"node", "--model", "/nope.opml", "--image", "0", "--node", "0"},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, errOut := run(args...); code != exitBadInput || errOut == "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}

// TestCLI_NODE_PROFILE: --profile opcity runs the tensor node program:
// node 2 (FullyConnected 128→10) of the MLP on image 0 accepts the native
// commitment and computes it under both profiles, in fewer steps under
// opcity (its operands are mapped, not copied through the preimage
// oracle); any other profile exits 2.
//
// Its steps count from the node program's committed absolute prestate, as
// docs/report.md's per-node table counts them (the row of MLP node 2 must
// show the same figures), and output_commitment is the same under both
// profiles.
func TestCLI_NODE_PROFILE(t *testing.T) {
	var steps []uint64
	report, err := os.ReadFile("../../docs/report.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| MLP \| 2 \| FullyConnected \| ([0-9,]+) \| ([0-9,]+) \|`).FindStringSubmatch(string(report))
	if row == nil {
		t.Fatal("docs/report.md has no row for MLP node 2")
	}
	for i, p := range []string{"base", "opcity"} {
		code, out, errOut := run("node", "--model", mlpModel, "--data", mnistData, "--root", "../..", "--image", "0", "--node", "2", "--profile", p, "--json")
		var res nodeResult
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
			t.Fatalf("--profile %s: exit %d, %v: %s %s", p, code, err, out, errOut)
		}
		if res.Verdict != "claim right" || res.Output != res.Native || res.OutputCommitment != res.Native || res.Profile != p || res.Op != "FullyConnected" {
			t.Fatalf("--profile %s: %+v", p, res)
		}
		if want := strings.ReplaceAll(row[1+i], ",", ""); fmt.Sprint(res.Steps) != want {
			t.Errorf("--profile %s: %d steps from the prestate, docs/report.md says %s", p, res.Steps, want)
		}
		steps = append(steps, res.Steps)
	}
	if steps[1] >= steps[0] {
		t.Errorf("node 2: %d steps under opcity, %d under base: want fewer", steps[1], steps[0])
	}
	if code, _, _ := run("node", "--model", mlpModel, "--data", mnistData, "--image", "0", "--node", "2", "--profile", "cannon"); code != exitBadInput {
		t.Errorf("--profile cannon: exit %d, want 2", code)
	}
}
