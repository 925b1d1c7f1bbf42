package dispute_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/spec"
)

// play plays g with the agents and returns the result.
func play(g dispute.Game, agents []sim.Agent) sim.Result {
	_, r := sim.Play(g, agents, sim.DefaultPlay)
	return r
}

// TestDISPUTE_BIND_TransitionStepBreak is break 1 of the soundness issue,
// and break 2 (the net figure) with it
// on the default MLP geometry (split1 2, split2 5): the proposer lies at
// node 1 and tries a transition step against every honest phase-2 leaf.
// On the old rule (a well-formed lie as poststate counted as a proven
// transition) 3 honest claims are countered (0.46 ETH) and the lie wins,
// while the honest party's net (paid − posted) is positive, which the old
// net "honest bonds lost" reported as 0; on the rule of StepTransition no
// honest claim is countered, every honest bond returns and the lie loses.
func TestDISPUTE_BIND_TransitionStepBreak(t *testing.T) {
	for _, legacy := range []bool{true, false} {
		w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
		cfg := *w.Cfg
		dispute.SetLegacyTransitionRule(&cfg, legacy)
		v, err := trace.NewCorrupt(w.Truth, 3, 1, dispute.Hash{0xbd, 31: 1}, 100)
		if err != nil {
			t.Fatal(err)
		}
		g, err := dispute.NewGame(&cfg, v.Output(3), "adversary", 0)
		if err != nil {
			t.Fatal(err)
		}
		r := play(g, []sim.Agent{sim.TransitionStepper{Solver: &sim.Solver{Party: "adversary", View: v}}, disputetest.Honest(w)})
		t.Logf("legacy rule %v: %s; %s; net %d gwei; adversary transition steps %d",
			legacy, r.Status, r.HonestAccount(), r.HonestNet(), r.Actions["adversary"][dispute.ActStepTransition])
		if legacy {
			// Break 2: the per-claim figures see what the net figure hides.
			if r.HonestCountered != 3 || r.HonestCounteredBonds != 461932000 || r.HonestIntact() || r.Status != dispute.DefenderWins || r.HonestNet() <= 0 {
				t.Errorf("the old rule no longer shows the break as the issue measured it: %s, %s, net %d", r.Status, r.HonestAccount(), r.HonestNet())
			}
			continue
		}
		if !r.HonestIntact() || r.Status != dispute.ChallengerWins || !r.Conserved {
			t.Errorf("%s, %s, conserved %v", r.Status, r.HonestAccount(), r.Conserved)
		}
	}
}

// TestDISPUTE_VMDEPTH_Bound is break 3: a game type whose phase 3 does not
// hold the longest node trace of a registered model is refused, for every
// bundled model and profile, one depth below the least that holds it; at
// that least depth it is accepted.
func TestDISPUTE_VMDEPTH_Bound(t *testing.T) {
	set, err := trace.LoadMNIST(disputetest.ModelsDir, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"mlp.opml", "cnn.opml"} {
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			r := set.Model(model)
			d := r.VMDepth(p)
			if steps := trace.StepsIn(p, model); uint64(1)<<uint(d) < steps[len(steps)-1] {
				t.Fatalf("%s %v: depth %d holds fewer steps than a measured node", model, p, d)
			}
			_, err := set.NewWorld(trace.WorldConfig{ModelsDir: disputetest.ModelsDir, Model: model, Split1: 1, VMDepth: d - 1, Images: []int{0, 1}, Profile: p})
			if dispute.CodeOf(err) != dispute.CodeBadConfig {
				t.Errorf("%s %v: VM depth %d (holds %d steps, bound %d) accepted: %v", model, p, d-1, 1<<uint(d-1), r.StepBound[p], err)
			}
			if _, err := set.NewWorld(trace.WorldConfig{ModelsDir: disputetest.ModelsDir, Model: model, Split1: 1, VMDepth: d, Images: []int{0, 1}, Profile: p}); err != nil {
				t.Errorf("%s %v: VM depth %d refused: %v", model, p, d, err)
			}
		}
	}
	// A model without a registered bound is refused.
	w := disputetest.MNISTWorld(t, "mlp.opml", 1, 0)
	cfg := *w.Cfg
	orig := cfg.Models[w.Jobs[0].Model]
	r := dispute.RegisterModel(orig.Model)
	cfg.Models = map[dispute.Hash]*dispute.Model{r.Hash: r}
	if err := cfg.Validate(); dispute.CodeOf(err) != dispute.CodeBadConfig {
		t.Errorf("a model without a step bound: %v", err)
	}
}

// TestDISPUTE_JOBS_Inbox is break 4: a proposer whose root is the correct
// root of another job list (other inputs in block 1) defends it with that
// list's truth; the game reads the chain's jobs from its inbox, so the
// honest challenger wins and loses no claim, whichever block differs.
func TestDISPUTE_JOBS_Inbox(t *testing.T) {
	set, err := trace.LoadMNIST(disputetest.ModelsDir, 8)
	if err != nil {
		t.Fatal(err)
	}
	w, err := set.NewWorld(trace.WorldConfig{ModelsDir: disputetest.ModelsDir, Model: "mlp.opml", Split1: 1, VMDepth: 27, Images: []int{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	r := set.Model("mlp.opml")
	for b := 0; b < 2; b++ {
		imgs := []int{0, 1}
		imgs[b] = 5
		var inputs [][][]byte
		for _, i := range imgs {
			inputs = append(inputs, [][]byte{mnist.Input(set.Pixels[i])})
		}
		other, jobs, err := trace.NewTruth(w.Cfg, inputs, []dispute.Hash{r.Hash, r.Hash}, w.Truth.VMFactory())
		if err != nil {
			t.Fatal(err)
		}
		if jobs[b].Hash() == w.Jobs[b].Hash() || opml.ComputeTensorRoot(inputs[b][0]) == w.Jobs[b].Inputs[0] {
			t.Fatalf("block %d: the other job list does not differ", b)
		}
		g, err := dispute.NewGame(w.Cfg, other.Output(1), "proposer", 0)
		if err != nil {
			t.Fatal(err)
		}
		res := play(g, []sim.Agent{&sim.Solver{Party: "proposer", View: other}, disputetest.Honest(w)})
		if res.Status != dispute.ChallengerWins || !res.HonestIntact() || !res.Conserved {
			t.Errorf("jobs differ at block %d: %s, %s, conserved %v", b, res.Status, res.HonestAccount(), res.Conserved)
		}
		// What the old NewGame(cfg, jobs, …) allowed: a game over the other
		// list (here a game type reading another inbox) lets that list's
		// root beat the chain's honest challenger. So the inbox is part of
		// the game type, never the creator's choice.
		forged := *w.Cfg
		forged.Inbox = dispute.NewInbox(jobs)
		g, err = dispute.NewGame(&forged, other.Output(1), "proposer", 0)
		if err != nil {
			t.Fatal(err)
		}
		if res := play(g, []sim.Agent{&sim.Solver{Party: "proposer", View: other}, disputetest.Honest(w)}); res.Status != dispute.DefenderWins {
			t.Errorf("jobs differ at block %d: over a forged inbox the other list's root %s", b, res.Status)
		}
		// The honest root over the chain's jobs, challenged by the other list's truth.
		g, _ = dispute.NewGame(w.Cfg, w.Truth.Output(1), sim.Honest, 0)
		res = play(g, []sim.Agent{&sim.Solver{Party: "challenger", View: other}, disputetest.Honest(w)})
		if res.Status != dispute.DefenderWins || !res.HonestIntact() {
			t.Errorf("honest root, jobs differ at block %d: %s, %s", b, res.Status, res.HonestAccount())
		}
	}
}

// TestDISPUTE_STEP_AfterClock: as OP's step, a step against a max-depth
// claim whose clock has run out is accepted while the claim is unresolved,
// and once it is resolved the step is refused (CodeResolved).
func TestDISPUTE_STEP_AfterClock(t *testing.T) {
	w := disputetest.TinyWorld(t, disputetest.TinyGeometry{Blocks: 1, Nodes: 2, VMDepth: 2, Steps: 4})
	lie, err := trace.NewCorrupt(w.Truth, 1, 1, dispute.Hash{0xbd, 31: 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	liar, hon := &sim.Solver{Party: "liar", View: lie}, &sim.Solver{Party: sim.Honest, View: w.Truth}
	g, err := dispute.NewGame(w.Cfg, lie.Output(1), "liar", 0)
	if err != nil {
		t.Fatal(err)
	}
	var step *dispute.Action
	for now := uint64(0); step == nil && now < 100*3600; now += 3600 {
		for _, s := range []*sim.Solver{liar, hon} {
			for _, a := range s.Act(g, now) {
				if a.Kind == dispute.ActStep {
					step = &a
					break
				}
				if next, err := dispute.Apply(g, now, a); err == nil {
					g = next
				}
			}
		}
	}
	if step == nil {
		t.Fatal("the game never reached a step")
	}
	late := g.Claim(step.Claim).Clock.Timestamp + w.Cfg.MaxClock + 1
	if d := g.ChallengerDuration(step.Claim, late); d < w.Cfg.MaxClock {
		t.Fatalf("the clock of claim %d has not run out: %d s", step.Claim, d)
	}
	stepped, err := dispute.Apply(g, late, *step)
	if err != nil || stepped.Claim(step.Claim).CounteredBy != sim.Honest {
		t.Fatalf("a step after the clock ran out: %v", err)
	}
	resolved, err := g.ResolveClaim(late, step.Claim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dispute.Apply(resolved, late, *step); dispute.CodeOf(err) != dispute.CodeResolved {
		t.Errorf("a step against a resolved claim: %v", err)
	}
}
