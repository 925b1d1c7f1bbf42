package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
)

const repoRoot = "../../../.."

// TestEVM_DISPUTE_REALVM_Command runs evmdispute on one real game (MLP,
// image 0, a lie at node 1, base profile) and holds its JSON to the Go
// rules' own game of the same flags (play.Play, what `opcity dispute`
// prints): the winner, the claims, the honest claims countered and their
// bonds; no difference; every transaction's gas is 21,000 + calldata +
// execution and sums to the per-party totals; one accepted VM step, whose
// VM gas is vm_step_gas.
func TestEVM_DISPUTE_REALVM_Command(t *testing.T) {
	lie, err := play.ParseLie("node:1")
	if err != nil {
		t.Fatal(err)
	}
	want, err := play.Play(play.RealOptions{Model: "mlp.opml", Data: filepath.Join(repoRoot, "models", "mnist"), Root: repoRoot,
		Image: 0, Lie: lie, Node: -1, Profile: "base"})
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"--root", repoRoot, "--image", "0", "--lie", "node:1", "--json"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var got Report
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Winner != want.Winner || got.Claims != want.Claims || got.HonestClaimsCountered != want.HonestCountered ||
		got.HonestBondsLost != want.HonestCounteredBonds || got.Differences != 0 {
		t.Fatalf("evmdispute: winner %s, %d claims, %d honest countered (%d gwei), %d differences; the Go rules: %s, %d, %d (%d gwei)",
			got.Winner, got.Claims, got.HonestClaimsCountered, got.HonestBondsLost, got.Differences, want.Winner, want.Claims, want.HonestCountered, want.HonestCounteredBonds)
	}
	sums := map[string]uint64{}
	steps := 0
	for _, tx := range got.Actions {
		used := 21000 + tx.Calldata + tx.Exec
		if want := max(used-min(tx.Refund, used/5), 21000+tx.Floor); tx.Gas != want || tx.Floor == 0 {
			t.Fatalf("%+v: gas is not max(21,000 + calldata + execution − refund (capped at a fifth), 21,000 + floor) = %d", tx, want)
		}
		sums[tx.Party] += tx.Gas
		if tx.Kind == "step" && tx.Accepted {
			steps++
			if tx.VMGas == 0 || tx.VMGas != got.VMStepGas || tx.VMGas >= tx.Exec {
				t.Fatalf("step %+v: vm_step_gas %d", tx, got.VMStepGas)
			}
		}
	}
	if steps != 1 {
		t.Fatalf("%d accepted steps", steps)
	}
	for p, g := range got.Gas {
		if sums[p] != g {
			t.Fatalf("gas of %s: %d, its transactions sum to %d", p, g, sums[p])
		}
	}
	t.Logf("winner %s, %d claims, gas %v, VM step gas %d", got.Winner, got.Claims, got.Gas, got.VMStepGas)
}

// TestEVM_DISPUTE_REALVM_CommandUsage: bad flags and inputs exit 2 with a
// message on standard error and nothing on standard output.
func TestEVM_DISPUTE_REALVM_CommandUsage(t *testing.T) {
	for _, args := range [][]string{
		{"--image", "0", "--lie", "bogus"},
		{"--image", "0"},
		{"--lie", "none"},
		{"--image", "0", "--lie", "none", "--profile", "x"},
		{"--image", "99999", "--lie", "none"},
		{"--image", "0", "--lie", "none", "--model", "foo"},
		{"--image", "0", "--lie", "none", "--node", "-2"},
		{"--image", "0", "--lie", "node:99", "--root", repoRoot},
		{"--image", "0", "--lie", "none", "--root", repoRoot, "--data", "/nonexistent"},
		{"--image", "0", "--lie", "none", "extra"},
		{"--bogus"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(args, &stdout, &stderr); code != exitBadInput || stdout.Len() != 0 || stderr.Len() == 0 {
			t.Errorf("evmdispute %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout.String(), stderr.String())
		}
	}
}
