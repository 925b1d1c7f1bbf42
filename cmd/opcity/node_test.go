package main

import (
	"encoding/json"
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
