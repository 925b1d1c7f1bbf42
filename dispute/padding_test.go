package dispute_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml"
)

// threeNodeWorld is a chain of two blocks running the worked example's
// first layer (FC 4→3, ReLU, ArgMax: 3 nodes, padded to 4 graph slots),
// with the synthetic VM (10 steps per node).
func threeNodeWorld(t *testing.T) *trace.World {
	t.Helper()
	b := &opml.Builder{}
	q := opml.Quant{Scale: opml.Fixed{Mult: 1 << 30, Shift: 6}}
	w1 := b.Int8Const([]int{3, 4}, opml.Quant{}, []int8{1, -2, 3, -4, 5, 6, -7, 8, 127, -128, 0, 1})
	b1 := b.Int32Const([]int{3}, opml.Fixed{}, []int32{108, -208, 0})
	x := b.Input(opml.Int8, []int{1, 4}, q)
	m, err := b.Build(b.ArgMax(b.ReLU(b.FC(x, w1, b1, opml.Fixed{Mult: 1 << 30, Shift: 3}, opml.Quant{}))))
	if err != nil {
		t.Fatal(err)
	}
	r := dispute.RegisterModel(m)
	r.StepBound = [2]uint64{10, 10}
	cfg := &dispute.Config{Split1: 1, Split2: 4, MaxDepth: 9, Models: map[dispute.Hash]*dispute.Model{r.Hash: r}, Anchor: dispute.Hash{7}}
	dispute.DefaultClocks(cfg)
	y := &trace.Synthetic{Steps: func(*dispute.Model, uint64) uint64 { return 10 }}
	cfg.AbsolutePrestate, cfg.Verifier = trace.SyntheticPrestate(), y.Verifier()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	inputs := [][][]byte{{opml.Int8Bytes([]int8{10, -20, 30, 40})}, {opml.Int8Bytes([]int8{-3, 7, 90, -1})}}
	tr, jobs, err := trace.NewTruth(cfg, inputs, []dispute.Hash{r.Hash, r.Hash}, y.Factory())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Inbox = dispute.NewInbox(jobs)
	return &trace.World{Cfg: cfg, Truth: tr, Jobs: jobs, Blocks: 2, Nodes: 3, Steps: func(_, _ uint64) uint64 { return 10 }}
}

// TestDISPUTE_BIND_Padding: a model with fewer nodes than graph slots. A
// wrong node output at each real node is defeated as usual; a graph root
// that differs from the final state only in the padding slot is countered
// by StepTransition (the padded transition must not change the state), and
// no VM subgame can be opened on it.
func TestDISPUTE_BIND_Padding(t *testing.T) {
	w := threeNodeWorld(t)
	for k := uint64(0); k < 3; k++ {
		v, err := trace.NewCorrupt(w.Truth, 1, k, dispute.Hash{0xbd, byte(k)}, 4)
		if err != nil {
			t.Fatal(err)
		}
		g, _ := dispute.NewGame(w.Cfg, v.Output(1), "adversary", 0)
		_, r := sim.Play(g, []sim.Agent{&sim.Solver{Party: "adversary", View: v}, disputetest.Honest(w)}, sim.DefaultPlay)
		r.RootCorrect = false
		if !r.Correct() || !r.HonestIntact() || !r.Conserved {
			t.Fatalf("node %d: %s; %+v", k, r.HonestAccount(), r)
		}
	}

	// The padding lie: X opens the true final leaf with a changed sibling.
	gt, _ := w.Truth.Graph(1)
	o := gt.Opening(3)
	o.Siblings = append([]dispute.Hash(nil), o.Siblings...)
	o.Siblings[len(o.Siblings)-1][3] ^= 1
	e := w.Cfg.Models[w.Jobs[1].Model].Entry(3)
	X := o.Root(e)
	h := disputetest.Honest(w)
	act := func(g dispute.Game, now uint64) dispute.Game {
		for _, a := range h.Act(g, now) {
			next, err := dispute.Apply(g, now, a)
			if err != nil {
				t.Fatalf("honest %v: %v", a.Kind, err)
			}
			g = next
		}
		return g
	}
	must := func(g dispute.Game, err error) dispute.Game {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g := must(dispute.NewGame(w.Cfg, dispute.OutputRoot(w.Truth.Output(0), w.Jobs[1], X), "adversary", 0))
	g = act(g, 1) // honest attacks the root with O_0 (claim 1)
	if g.Len() != 2 || g.Claim(1).Value != w.Truth.Output(0) {
		t.Fatalf("honest did not attack the root: %d claims", g.Len())
	}
	// The adversary agrees with O_0 and defends it with a phase-2 root X for block 1.
	g = must(g.Move(2, dispute.Move{Parent: 1, Disputed: g.Claim(1).Value, Attack: false, Value: X, Bond: w.Cfg.Bond(2), Claimant: "adversary", Opening: &o}))
	g = act(g, 3) // honest attacks X with S_1
	o2 := gt.Opening(2)
	g = must(g.Move(4, dispute.Move{Parent: 3, Disputed: g.Claim(3).Value, Attack: false, Value: gt.State(2), Bond: w.Cfg.Bond(4), Claimant: "adversary", Opening: &o2}))
	if _, err := g.Move(5, dispute.Move{Parent: 4, Disputed: gt.State(2), Attack: false, Value: dispute.Hash{}, Bond: w.Cfg.Bond(5), Claimant: sim.Honest}); dispute.CodeOf(err) != dispute.CodeUnboundPhaseRoot {
		t.Fatalf("VM root on a padded transition: %v", err)
	}
	g = act(g, 5) // honest agrees with S_2, and the padded transition to X is wrong
	if g.Claim(4).CounteredBy != sim.Honest {
		t.Fatalf("leaf not countered by StepTransition: %+v", g.Claim(4))
	}
	late := uint64(30 * 86400)
	g = act(g, late)
	if g.Status() != dispute.ChallengerWins || g.Credit(sim.Honest) == 0 {
		t.Fatalf("status %s, honest credit %d", g.Status(), g.Credit(sim.Honest))
	}
}
