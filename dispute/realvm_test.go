package dispute_test

import (
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
)

var realNode = flag.Int("dispute.node", 3, "MLP node disputed in the real three-phase game (3 = ArgMax, ~1.56M steps; 0 = FC 784→128, ~43.4M)")

// TestDISPUTE_STEP_RealVM is the end-to-end game: the proposer
// posts an output root whose block 1 has a wrong output at an MLP node and
// defends it in all three phases with a VM trace that lies from a middle
// step; the honest challenger bisects output roots, graph states and the
// node program's MIPS execution in fpvm, and wins with spec.VerifyStep on
// the disputed instruction. The geometry makes the adversary post the
// max-depth claim, so the game can only end in a step.
func TestDISPUTE_STEP_RealVM(t *testing.T) {
	if testing.Short() && *realNode == 0 {
		t.Skip("node 0 runs 43.4M steps")
	}
	vmDepth := 26 // 2^26 holds the MLP's registered bound (BundledStepBound: node 0's 43.4M steps and the margin)
	if (1+1+2+1+vmDepth)%2 != 0 {
		vmDepth++
	}
	w := disputetest.RealWorld(t, vmDepth)
	k := uint64(*realNode)
	var leaf dispute.Hash
	leaf[0], leaf[31] = 0x77, 1
	n := trace.MeasuredSteps["mlp.opml"][k]
	v, err := trace.NewCorrupt(w.Truth, 1, k, leaf, n/2)
	if err != nil {
		t.Fatal(err)
	}
	adv := &sim.Solver{Party: "adversary", View: v}
	h := disputetest.Honest(w)
	g, err := dispute.NewGame(w.Cfg, v.Output(1), "adversary", 0)
	if err != nil {
		t.Fatal(err)
	}
	g, r := sim.Play(g, []sim.Agent{adv, h}, sim.DefaultPlay)
	if h.Err != nil {
		t.Fatal(h.Err)
	}
	t.Logf("status %s, %d claims, resolved after %.2f d, phases start %v s, honest stepped %v, gas %v, rejected %v",
		r.Status, r.Claims, float64(r.Resolved)/86400, r.PhaseStart, r.HonestStepped, r.Gas, r.Rejected)
	if r.Status != dispute.ChallengerWins || !r.HonestStepped || !r.HonestIntact() || !r.Conserved {
		t.Fatalf("want the honest challenger to win by a step with no honest claim countered and every honest bond returned: %s; %+v", r.HonestAccount(), r)
	}
	var stepped bool
	for _, c := range g.Claims() {
		if c.Position.Depth() == w.Cfg.MaxDepth && c.CounteredBy == sim.Honest {
			stepped = true
		}
	}
	if !stepped {
		t.Fatal("no max-depth claim countered by the honest step")
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(m.Run())
}

// realGames is the number of library games TestDISPUTE_HONEST_RealVM
// plays. The default, 3, runs in every go test ./... (make test-main):
// games 0–2 are the scenarios none, wrong-node and wrong-final-step
// (SimOptions: game i plays Scenarios[i]). Measured on the 2-core machine:
// the three games take 11.1 s on a quiet machine and 21–26 s with a load
// average of 7 (another build running), about 11 s of CPU either way; the
// fourth game (wrong-challenge, an honest step) adds about 20 s, so it stays
// behind the flag.
var realGames = flag.Int("dispute.real", 3, "games of the adversary library to play with the real node program (default 3, about 12 s; 0: skip)")

// TestDISPUTE_HONEST_RealVM: the library scenarios, played with the node
// program in fpvm and steps checked by spec.VerifyStep, are all decided
// correctly without honest bond losses: per game, the truth's outcome, bonds
// conserved, no honest claim countered, every honest claim resolved with its
// bond returned; over the batch the same in the aggregate. The first two
// wrong-root scenarios (wrong-node, wrong-final-step) bisect one branch to
// the bottom: MaxDepth+1 claims, the honest challenger's at the odd depths,
// and with MaxDepth odd (1 + 1 + log2(4) + 1 + 26 = 31) the honest party
// posts the max-depth claim, so the lie loses by the clock, not a step.
// -dispute.real=N plays N games (docs/dispute.md §13 reports 16).
func TestDISPUTE_HONEST_RealVM(t *testing.T) {
	if *realGames == 0 {
		t.Skip("run with -dispute.real=N")
	}
	w := disputetest.RealWorld(t, 26)
	if w.Cfg.Split1 != 1 || w.Cfg.Split2 != 4 || w.Cfg.MaxDepth != 31 {
		t.Fatalf("geometry %d/%d/%d, want 1/4/31 (2 blocks, 4 MLP nodes, VMDepth 26)", w.Cfg.Split1, w.Cfg.Split2, w.Cfg.MaxDepth)
	}
	scen := sim.Scenarios()
	var results []sim.Result
	rep, err := sim.Simulate(sim.SimOptions{Games: *realGames, Seed: 3, Scenarios: scen, Worlds: []*trace.World{w}, Play: sim.DefaultPlay, Workers: 1,
		Each: func(_ int, r sim.Result) error { results = append(results, r); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Aggregate
	t.Logf("%d games in %.1f s\n%s", a.Games, rep.Seconds, a)
	if a.Games != *realGames || len(results) != *realGames {
		t.Fatalf("%d games aggregated, %d results, want %d", a.Games, len(results), *realGames)
	}
	if a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		t.Error("a real-VM game was decided wrongly, countered an honest claim or kept an honest bond (per game below)")
	}
	for i, r := range results {
		replay := fmt.Sprintf("replay: go test ./dispute -run 'TestDISPUTE_HONEST_RealVM$' -v -dispute.real=%d (game %d, seed %016x)", i+1, i, r.Seed)
		if r.Scenario != scen[i%len(scen)].Name {
			t.Errorf("game %d played %s, want %s", i, r.Scenario, scen[i%len(scen)].Name)
		}
		if !r.Correct() || !r.Conserved || r.Status == dispute.InProgress || !r.HonestIntact() || r.HonestUnresolved != 0 || r.HonestClaims == 0 {
			t.Errorf("game %d (%s): status %s, root correct %v, conserved %v; %s; %s", i, r.Scenario, r.Status, r.RootCorrect, r.Conserved, r.HonestAccount(), replay)
		}
		switch r.Scenario {
		case "none":
			if r.Claims != 1 || !r.RootCorrect || r.Status != dispute.DefenderWins {
				t.Errorf("game %d (none): %d claims, status %s; want the unchallenged true root to stand alone; %s", i, r.Claims, r.Status, replay)
			}
		case "wrong-node", "wrong-final-step":
			if r.RootCorrect || r.Status != dispute.ChallengerWins || r.Claims != w.Cfg.MaxDepth+1 || r.HonestClaims != (w.Cfg.MaxDepth+1)/2 || r.HonestStepped {
				t.Errorf("game %d (%s): status %s, %d claims (%d honest), honest stepped %v; want challenger wins, %d claims (%d honest), no step; %s",
					i, r.Scenario, r.Status, r.Claims, r.HonestClaims, r.HonestStepped, w.Cfg.MaxDepth+1, (w.Cfg.MaxDepth+1)/2, replay)
			}
		}
	}
}
