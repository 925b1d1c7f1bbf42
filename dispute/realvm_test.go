package dispute_test

import (
	"flag"
	"os"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/internal/disputetest"
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

var realGames = flag.Int("dispute.real", 0, "games of the adversary library to play with the real node program (0: skip)")

// TestDISPUTE_HONEST_RealVM: the library scenarios, played with the node
// program in fpvm and steps checked by spec.VerifyStep, are all decided
// correctly without honest bond losses (-dispute.real=N games; skipped by
// default: a game over the MLP's first node runs 43.4M VM steps).
func TestDISPUTE_HONEST_RealVM(t *testing.T) {
	if *realGames == 0 {
		t.Skip("run with -dispute.real=N")
	}
	w := disputetest.RealWorld(t, 26)
	rep, err := sim.Simulate(sim.SimOptions{Games: *realGames, Seed: 3, Scenarios: sim.Scenarios(), Worlds: []*trace.World{w}, Play: sim.DefaultPlay, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Aggregate
	t.Logf("%d games in %.1f s\n%s", a.Games, rep.Seconds, a)
	if a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		t.Fatal("a real-VM game was decided wrongly, countered an honest claim or kept an honest bond")
	}
}
