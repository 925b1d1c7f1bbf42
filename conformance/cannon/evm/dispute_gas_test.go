package evm

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/spec"
)

var disputeGasOut = flag.Bool("evm.dispute-gas", false, "write the dispute game's gas figures to docs/report/dispute-gas.json instead of checking them")

const disputeGasFile = repoRoot + "/docs/report/dispute-gas.json"

// TestEVM_DISPUTE_GAS measures the dispute game's gas per action kind
// (moves per phase and phase-root moves, each step kind, uploads, local
// data, resolveClaim per call and per child, resolve, claimCredit) and per
// game, by replaying one game of every scenario of the library on MLP and
// CNN under both profiles (resolveClaim in one call per claim). With
// -evm.dispute-gas it writes docs/report/dispute-gas.json (make
// gas-dispute); otherwise the committed file must equal the measurement,
// which is deterministic.
func TestEVM_DISPUTE_GAS(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var replays [][]Replay
	for _, model := range []string{"mlp.opml", "cnn.opml"} {
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			w := disputeWorld(t, model, p)
			names = append(names, fmt.Sprintf("%s profile %d", model, p))
			var rs []Replay
			for _, s := range sim.Scenarios() {
				r, err := ReplayScenario(h, w, s, sim.GameSeed(1, 0), ReplayOptions{})
				if err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			replays = append(replays, rs)
		}
	}
	g := MeasureDisputeGas("TestEVM_DISPUTE_GAS: one game (seed sim.GameSeed(1, 0)) of every scenario of sim.Scenarios on mlp.opml and cnn.opml, profiles 0 (base) and 1 (OPcity), synthetic VM (SyntheticStepper); gas = 21,000 + calldata (EIP-2028) + execution", names, replays)
	for _, k := range []string{"move phase 1", "move phase-2 root", "move phase 2", "move phase-3 root", "move phase 3", "step", "resolve-claim", "resolve", "claim-credit unlock", "claim-credit withdraw", "upload-tensor", "add-local-data"} {
		found := false
		for _, kg := range g.Kinds {
			if kg.Kind == k {
				found = true
				t.Logf("%-20s %5d tx  min %8d  median %8d  max %8d", k, kg.Count, kg.Min, kg.Median, kg.Max)
			}
		}
		if !found {
			t.Errorf("no accepted %s measured", k)
		}
	}
	t.Logf("resolveClaim: %.1f + %.1f per child (max error %.1f over %d calls)", g.Resolve.Base, g.Resolve.PerChild, g.Resolve.MaxError, g.Resolve.Calls)
	raw, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	raw = append(raw, '\n')
	if *disputeGasOut {
		if err := os.WriteFile(disputeGasFile, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(disputeGasFile)
	if err != nil || !bytes.Equal(old, raw) {
		t.Errorf("%s differs from the measurement (%v): run make gas-dispute", filepath.Base(disputeGasFile), err)
	}
}
