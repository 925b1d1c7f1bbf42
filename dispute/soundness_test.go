package dispute

import (
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/spec"
)

// play plays g with the agents and returns the result.
func play(g Game, agents []Agent) Result {
	_, r := Play(g, agents, DefaultPlay)
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
		w := testWorld(t, "mlp.opml", 2, 0)
		cfg := *w.Cfg
		cfg.legacyTransitionRule = legacy
		v, err := NewCorrupt(w.Truth, 3, 1, Hash{0xbd, 31: 1}, 100)
		if err != nil {
			t.Fatal(err)
		}
		g, err := NewGame(&cfg, v.Output(3), "adversary", 0)
		if err != nil {
			t.Fatal(err)
		}
		r := play(g, []Agent{TransitionStepper{&Solver{Party: "adversary", View: v}}, honest(w)})
		t.Logf("legacy rule %v: %s; %s; net %d gwei; adversary transition steps %d",
			legacy, r.Status, r.HonestAccount(), r.HonestNet(), r.Actions["adversary"][ActStepTransition])
		if legacy {
			// Break 2: the per-claim figures see what the net figure hides.
			if r.HonestCountered != 3 || r.HonestCounteredBonds != 461932000 || r.HonestIntact() || r.Status != DefenderWins || r.HonestNet() <= 0 {
				t.Errorf("the old rule no longer shows the break as the issue measured it: %s, %s, net %d", r.Status, r.HonestAccount(), r.HonestNet())
			}
			continue
		}
		if !r.HonestIntact() || r.Status != ChallengerWins || !r.Conserved {
			t.Errorf("%s, %s, conserved %v", r.Status, r.HonestAccount(), r.Conserved)
		}
	}
}

// TestDISPUTE_VMDEPTH_Bound is break 3: a game type whose phase 3 does not
// hold the longest node trace of a registered model is refused, for every
// bundled model and profile, one depth below the least that holds it; at
// that least depth it is accepted.
func TestDISPUTE_VMDEPTH_Bound(t *testing.T) {
	set, err := LoadMNIST(modelsDir, 4)
	if err != nil {
		t.Fatal(err)
	}
	for _, model := range []string{"mlp.opml", "cnn.opml"} {
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			r := set.Model(model)
			d := r.VMDepth(p)
			if steps := StepsIn(p, model); uint64(1)<<uint(d) < steps[len(steps)-1] {
				t.Fatalf("%s %v: depth %d holds fewer steps than a measured node", model, p, d)
			}
			_, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: model, Split1: 1, VMDepth: d - 1, Images: []int{0, 1}, Profile: p})
			if CodeOf(err) != CodeBadConfig {
				t.Errorf("%s %v: VM depth %d (holds %d steps, bound %d) accepted: %v", model, p, d-1, 1<<uint(d-1), r.StepBound[p], err)
			}
			if _, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: model, Split1: 1, VMDepth: d, Images: []int{0, 1}, Profile: p}); err != nil {
				t.Errorf("%s %v: VM depth %d refused: %v", model, p, d, err)
			}
		}
	}
	// A model without a registered bound is refused.
	w := testWorld(t, "mlp.opml", 1, 0)
	cfg := *w.Cfg
	orig := cfg.Models[w.Jobs[0].Model]
	r := RegisterModel(orig.Model)
	cfg.Models = map[Hash]*Model{r.Hash: r}
	if err := cfg.Validate(); CodeOf(err) != CodeBadConfig {
		t.Errorf("a model without a step bound: %v", err)
	}
}

// TestDISPUTE_JOBS_Inbox is break 4: a proposer whose root is the correct
// root of another job list (other inputs in block 1) defends it with that
// list's truth; the game reads the chain's jobs from its inbox, so the
// honest challenger wins and loses no claim, whichever block differs.
func TestDISPUTE_JOBS_Inbox(t *testing.T) {
	set, err := LoadMNIST(modelsDir, 8)
	if err != nil {
		t.Fatal(err)
	}
	w, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: "mlp.opml", Split1: 1, VMDepth: 27, Images: []int{0, 1}})
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
		other, jobs, err := NewTruth(w.Cfg, inputs, []Hash{r.Hash, r.Hash}, w.Truth.vm)
		if err != nil {
			t.Fatal(err)
		}
		if jobs[b].Hash() == w.Jobs[b].Hash() || opml.TensorRoot(inputs[b][0]) == w.Jobs[b].Inputs[0] {
			t.Fatalf("block %d: the other job list does not differ", b)
		}
		g, err := NewGame(w.Cfg, other.Output(1), "proposer", 0)
		if err != nil {
			t.Fatal(err)
		}
		res := play(g, []Agent{&Solver{Party: "proposer", View: other}, honest(w)})
		if res.Status != ChallengerWins || !res.HonestIntact() || !res.Conserved {
			t.Errorf("jobs differ at block %d: %s, %s, conserved %v", b, res.Status, res.HonestAccount(), res.Conserved)
		}
		// What the old NewGame(cfg, jobs, …) allowed: a game over the other
		// list (here a game type reading another inbox) lets that list's
		// root beat the chain's honest challenger. So the inbox is part of
		// the game type, never the creator's choice.
		forged := *w.Cfg
		forged.Inbox = NewInbox(jobs)
		g, err = NewGame(&forged, other.Output(1), "proposer", 0)
		if err != nil {
			t.Fatal(err)
		}
		if res := play(g, []Agent{&Solver{Party: "proposer", View: other}, honest(w)}); res.Status != DefenderWins {
			t.Errorf("jobs differ at block %d: over a forged inbox the other list's root %s", b, res.Status)
		}
		// The honest root over the chain's jobs, challenged by the other list's truth.
		g, _ = NewGame(w.Cfg, w.Truth.Output(1), Honest, 0)
		res = play(g, []Agent{&Solver{Party: "challenger", View: other}, honest(w)})
		if res.Status != DefenderWins || !res.HonestIntact() {
			t.Errorf("honest root, jobs differ at block %d: %s, %s", b, res.Status, res.HonestAccount())
		}
	}
}

// TestDISPUTE_STEP_AfterClock: as OP's step, a step against a max-depth
// claim whose clock has run out is accepted while the claim is unresolved,
// and once it is resolved the step is refused (CodeResolved).
func TestDISPUTE_STEP_AfterClock(t *testing.T) {
	w := tinyWorld(t, tinyGeometry{1, 2, 2, 4})
	lie, err := NewCorrupt(w.Truth, 1, 1, Hash{0xbd, 31: 2}, 2)
	if err != nil {
		t.Fatal(err)
	}
	liar, hon := &Solver{Party: "liar", View: lie}, &Solver{Party: Honest, View: w.Truth}
	g, err := NewGame(w.Cfg, lie.Output(1), "liar", 0)
	if err != nil {
		t.Fatal(err)
	}
	var step *Action
	for now := uint64(0); step == nil && now < 100*3600; now += 3600 {
		for _, s := range []*Solver{liar, hon} {
			for _, a := range s.Act(g, now) {
				if a.Kind == ActStep {
					step = &a
					break
				}
				if next, err := Apply(g, now, a); err == nil {
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
	stepped, err := Apply(g, late, *step)
	if err != nil || stepped.Claim(step.Claim).CounteredBy != Honest {
		t.Fatalf("a step after the clock ran out: %v", err)
	}
	resolved, err := g.ResolveClaim(late, step.Claim)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(resolved, late, *step); CodeOf(err) != CodeResolved {
		t.Errorf("a step against a resolved claim: %v", err)
	}
}

// TestDISPUTE_VMDEPTH_Bundled: the real node programs' traces, to exit, on
// the test images of both blocks, for every node, stay within the bundled
// models' registered step bounds: the MLP under both profiles and the CNN
// under OPcity (the CNN's base-profile traces, 123M steps per image, are
// left out; its bound holds 1.73 times MeasuredSteps' longest node).
func TestDISPUTE_VMDEPTH_Bundled(t *testing.T) {
	type run struct {
		name  string
		world *World
		model string
		p     spec.Profile
	}
	runs := []run{
		{"mlp base", realWorld(t, 27), "mlp.opml", spec.ProfileBase},
		{"mlp opcity", opcityWorld(t, "mlp.opml", 23), "mlp.opml", spec.ProfileOPcity},
		{"cnn opcity", opcityWorld(t, "cnn.opml", 25), "cnn.opml", spec.ProfileOPcity},
	}
	for _, r := range runs {
		bound := r.world.Cfg.Models[r.world.Jobs[0].Model].StepBound[r.p]
		var longest uint64
		for b := range r.world.Blocks {
			g, err := r.world.Truth.Graph(b)
			if err != nil {
				t.Fatal(err)
			}
			for k := range r.world.Nodes {
				vt, err := r.world.Truth.VM(b, k, g.Commitments[uint64(g.Model.Model.FirstNodeTensor())+k])
				if err != nil {
					t.Fatal(err)
				}
				longest = max(longest, vt.Steps())
				if vt.Steps() > bound {
					t.Errorf("%s block %d node %d: %d steps, registered bound %d", r.name, b, k, vt.Steps(), bound)
				}
			}
		}
		t.Logf("%s: longest node trace %d steps, bound %d (%.2fx)", r.name, longest, bound, float64(bound)/float64(longest))
	}
}
