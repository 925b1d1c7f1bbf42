package dispute_test

import (
	"reflect"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec/memory"
)

// snapshot is a game and the time it was observed.
type snapshot struct {
	g   dispute.Game
	now uint64
}

// history plays scenario name with seed and returns the game after every tick.
func history(t testing.TB, w *trace.World, name string, seed uint64) []snapshot {
	t.Helper()
	s, _ := sim.ScenarioNamed(name)
	var out []snapshot
	pc := sim.DefaultPlay
	pc.Observe = func(g dispute.Game, now uint64) { out = append(out, snapshot{g, now}) }
	g, agents, _, err := sim.StartScenario(w, s, seed)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, snapshot{g, 0})
	sim.Play(g, agents, pc)
	return out
}

// firstAt returns the first snapshot whose last claim is at depth d.
func firstAt(t testing.TB, h []snapshot, d int) snapshot {
	t.Helper()
	for _, s := range h {
		if s.g.Claim(s.g.Len()-1).Position.Depth() == d {
			return s
		}
	}
	t.Fatalf("no claim at depth %d", d)
	return snapshot{}
}

func TestDISPUTE_MOVE_Positions(t *testing.T) {
	p := dispute.RootPosition
	if p.Depth() != 0 || p.IndexAtDepth() != 0 || p.TraceIndex(3) != 7 {
		t.Fatal("root")
	}
	a := p.Move(true)  // 2
	d := a.Move(false) // (2|1)<<1 = 6
	if a != 2 || d != 6 || d.Depth() != 2 || d.IndexAtDepth() != 2 || d.TraceIndex(3) != 5 {
		t.Fatalf("moves: %d %d %d", a, d, d.TraceIndex(3))
	}
	// Edge values: the deepest positions a game may use (MaxDepth ≤ 61, a step at 62).
	deep := dispute.Position(1 << 61)
	if deep.Depth() != 61 || deep.IndexAtDepth() != 0 || dispute.RootPosition.TraceIndex(61) != 1<<61-1 ||
		deep.Move(false).Depth() != 62 || deep.Move(false).IndexAtDepth() != 2 || deep.RightIndex(40) != deep {
		t.Fatal("deep positions")
	}
	if last := dispute.Position(1<<62 - 1); last.TraceAncestor() != dispute.RootPosition || last.TraceIndex(61) != 1<<61-1 {
		t.Fatal("rightmost position")
	}
	// TraceAncestor: 5 (101) → 2; 7 (111, rightmost) → the root; even positions are their own.
	for _, c := range [][2]dispute.Position{{5, 2}, {7, 1}, {6, 6}, {11, 2}, {15, 1}} {
		if got := c[0].TraceAncestor(); got != c[1] || got.TraceIndex(4) != c[0].TraceIndex(4) {
			t.Errorf("TraceAncestor(%d) = %d, want %d", c[0], got, c[1])
		}
	}
}

// TestDISPUTE_BOND_Curve: with OP's geometry (max depth 73) the curve is
// 0.08 ETH at depth 0 and about 60 ETH at depth 73, growing ×1.0949.
func TestDISPUTE_BOND_Curve(t *testing.T) {
	c := dispute.BondCurve(200, 400_000, 300_000_000, 73)
	if c.Bond(-1) != 0 || c.Bond(75) != 0 || c.Bond(74) <= c.Bond(73) {
		t.Fatal("bond table edges: 0 outside depths 0..MaxDepth+1")
	}
	if c.Bond(0) != 80_000_000 {
		t.Fatalf("Bond(0) = %d gwei", c.Bond(0))
	}
	if b := c.Bond(73); b < 59_900_000_000 || b > 60_000_000_000 {
		t.Fatalf("Bond(73) = %d gwei", b)
	}
	for d := 1; d <= 74; d++ {
		r := float64(c.Bond(d)) / float64(c.Bond(d-1))
		if r < 1.0949 || r > 1.0950 {
			t.Fatalf("Bond(%d)/Bond(%d) = %f", d, d-1, r)
		}
	}
	t.Logf("bonds: depth 0 %d, 30 %d, 73 %d gwei", c.Bond(0), c.Bond(30), c.Bond(73))
}

// TestDISPUTE_ILLEGAL_Codes: each illegal action fails with its code and
// leaves the game unchanged.
func TestDISPUTE_ILLEGAL_Codes(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	h := history(t, w, "wrong-node", 1)
	cfg := w.Cfg
	mid := firstAt(t, h, cfg.Split2+2)
	g, now := mid.g, mid.now
	last := g.Len() - 1
	lc := g.Claim(last)
	phase2 := firstAt(t, h, cfg.Split1+1)
	p2root := phase2.g.Len() - 1
	leaf1 := phase2.g.Claim(p2root).Parent
	var junk dispute.Hash
	junk[0] = 0x42
	cases := []struct {
		name string
		g    dispute.Game
		now  uint64
		a    dispute.Action
		code dispute.Code
	}{
		{"bad index", g, now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: last, Disputed: junk, Attack: true, Bond: cfg.Bond(lc.Position.Depth() + 1)}}, dispute.CodeBadIndex},
		{"wrong bond", g, now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: last, Disputed: lc.Value, Attack: true, Value: junk, Bond: 1}}, dispute.CodeWrongBond},
		{"defend root", g, now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: 0, Disputed: g.Claim(0).Value, Value: junk, Bond: cfg.Bond(1)}}, dispute.CodeDefendRoot},
		{"defend phase root", phase2.g, phase2.now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: p2root, Disputed: phase2.g.Claim(p2root).Value, Value: junk, Bond: cfg.Bond(cfg.Split1 + 2)}}, dispute.CodeDefendRoot},
		{"duplicate", g, now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: lc.Parent, Disputed: g.Claim(lc.Parent).Value, Attack: lc.Position == g.Claim(lc.Parent).Position.Move(true), Value: lc.Value, Bond: lc.Bond, Opening: lc.Opening}}, dispute.CodeDuplicate},
		{"clock expired", g, now + cfg.MaxClock, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: last, Disputed: lc.Value, Attack: true, Value: junk, Bond: cfg.Bond(lc.Position.Depth() + 1)}}, dispute.CodeClockExpired},
		{"phase-2 claim without opening", g, now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: 1, Disputed: g.Claim(1).Value, Attack: true, Value: junk, Bond: cfg.Bond(2)}}, 0},
		{"unbound phase-2 root", phase2.g, phase2.now, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: leaf1, Disputed: phase2.g.Claim(leaf1).Value, Attack: true, Value: phase2.g.Claim(leaf1).Value, Bond: cfg.Bond(cfg.Split1 + 1), Opening: &dispute.Opening{Siblings: make([]dispute.Hash, w.Cfg.Models[w.Jobs[0].Model].TableDepth())}}}, dispute.CodeBadOpening},
		{"step above max depth", g, now, dispute.Action{Kind: dispute.ActStep, Claim: last, Attack: true, StateData: junk[:]}, dispute.CodeDepth},
		{"transition step off the phase leaf", g, now, dispute.Action{Kind: dispute.ActStepTransition, Claim: last, Attack: true}, dispute.CodeDepth},
		{"premature resolution", g, now, dispute.Action{Kind: dispute.ActResolveClaim, Claim: last}, dispute.CodeClockNotExpired},
		{"resolve game first", g, now, dispute.Action{Kind: dispute.ActResolve}, dispute.CodeNotResolved},
	}
	for _, c := range cases {
		if c.code == 0 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			c.a.Party = "x"
			next, err := dispute.Apply(c.g, c.now, c.a)
			if dispute.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if !reflect.DeepEqual(next, c.g) {
				t.Fatal("the rejected action changed the game")
			}
		})
	}
	// Past the maximum depth, a step with a wrong prestate, moving in a
	// resolved subgame and a finished game come from the game's end.
	end := h[len(h)-1]
	var maxClaim int
	for i, c := range end.g.Claims() {
		if c.Position.Depth() == cfg.MaxDepth {
			maxClaim = i
		}
	}
	before := h[0]
	for _, sn := range h {
		if sn.g.Len() > maxClaim {
			before = sn
			break
		}
	}
	mc := end.g.Claim(maxClaim)
	for _, c := range []struct {
		name string
		g    dispute.Game
		a    dispute.Action
		code dispute.Code
	}{
		{"past max depth", before.g, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: maxClaim, Disputed: mc.Value, Attack: true, Value: junk, Bond: cfg.Bond(cfg.MaxDepth + 1)}}, dispute.CodeDepth},
		{"step with a wrong prestate", before.g, dispute.Action{Kind: dispute.ActStep, Claim: maxClaim, Attack: false, StateData: junk[:]}, dispute.CodeStepPrestate},
		{"game over", end.g, dispute.Action{Kind: dispute.ActMove, Move: dispute.Move{Parent: 0, Disputed: end.g.Claim(0).Value, Attack: true, Value: junk, Bond: cfg.Bond(1)}}, dispute.CodeGameOver},
	} {
		t.Run(c.name, func(t *testing.T) {
			next, err := dispute.Apply(c.g, before.now, c.a)
			if dispute.CodeOf(err) != c.code {
				t.Fatalf("got %v, want %s", err, c.code)
			}
			if !reflect.DeepEqual(next, c.g) {
				t.Fatal("the rejected action changed the game")
			}
		})
	}
}

// TestDISPUTE_CLOCK_Extensions: a move made with less than the extension
// left gets its clock set to MaxClock − extension: 3 h normally, 6 h when
// the grandchild is a phase root, 27 h when it is a step.
func TestDISPUTE_CLOCK_Extensions(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	h := history(t, w, "last-second", 1)
	end := h[len(h)-1].g
	cfg := w.Cfg
	for i, c := range end.Claims() {
		if i == 0 || c.Claimant != "adversary" {
			continue
		}
		ext := cfg.Extension(c.Position.Depth())
		if c.Clock.Duration != cfg.MaxClock-ext {
			t.Errorf("claim %d at depth %d: clock %d, want %d", i, c.Position.Depth(), c.Clock.Duration, cfg.MaxClock-ext)
		}
	}
	if cfg.Extension(cfg.Split1-1) != 21600 || cfg.Extension(cfg.Split2-1) != 21600 || cfg.Extension(cfg.MaxDepth-1) != 97200 || cfg.Extension(cfg.Split1+1) != 10800 {
		t.Fatal("extension table")
	}
}

// TestDISPUTE_RESOLVE_Leftmost: a claim with two uncountered children pays
// its bond to the leftmost; resolution is bottom-up only.
func TestDISPUTE_RESOLVE_Leftmost(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	g, _ := dispute.NewGame(w.Cfg, w.Truth.Output(3), "p", 0)
	var v1, v2 dispute.Hash
	v1[0], v2[0] = 1, 2
	g, err := g.Move(10, dispute.Move{Parent: 0, Disputed: g.Claim(0).Value, Attack: true, Value: v1, Bond: w.Cfg.Bond(1), Claimant: "a"})
	if err != nil {
		t.Fatal(err)
	}
	g, _ = g.Move(20, dispute.Move{Parent: 1, Disputed: v1, Attack: false, Value: v2, Bond: w.Cfg.Bond(2), Claimant: "right"})
	g, _ = g.Move(30, dispute.Move{Parent: 1, Disputed: v1, Attack: true, Value: v2, Bond: w.Cfg.Bond(2), Claimant: "left"})
	if _, err := g.ResolveClaim(40, 1); dispute.CodeOf(err) != dispute.CodeClockNotExpired {
		t.Fatal(err)
	}
	late := uint64(10 * 86400)
	if _, err := g.ResolveClaim(late, 1); dispute.CodeOf(err) != dispute.CodeOutOfOrder {
		t.Fatal(err)
	}
	for _, i := range []int{3, 2, 1, 0} {
		if g, err = g.ResolveClaim(late, i); err != nil {
			t.Fatal(err)
		}
	}
	if g.Claim(1).CounteredBy != "left" || g.Claim(0).CounteredBy != "" {
		t.Fatalf("countered by %q / %q", g.Claim(1).CounteredBy, g.Claim(0).CounteredBy)
	}
	g, _ = g.Resolve()
	if g.Status() != dispute.DefenderWins || g.Credit("left") != w.Cfg.Bond(1)+w.Cfg.Bond(2) || g.Credit("right") != w.Cfg.Bond(2) || g.Credit("p") != w.Cfg.Bond(0) {
		t.Fatalf("status %s credits %v", g.Status(), g.Credits())
	}
}

// TestDISPUTE_BIND_GraphRoot: a phase-2 root is bound to the disputed
// output root: attacking the adversary's output root with the adversary's
// own final graph state (which reproduces that output root) is rejected,
// and so is defending it with the true final state.
func TestDISPUTE_BIND_GraphRoot(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	v, err := trace.NewCorrupt(w.Truth, 2, 1, dispute.Hash{0xbd}, 10)
	if err != nil {
		t.Fatal(err)
	}
	var snap snapshot
	pc := sim.DefaultPlay
	pc.Observe = func(g dispute.Game, now uint64) {
		if snap.g.Config() == nil {
			for i, c := range g.Claims() {
				if c.Position.Depth() == w.Cfg.Split1 && c.Claimant == "adversary" {
					_ = i
					snap = snapshot{g, now}
				}
			}
		}
	}
	g, _ := dispute.NewGame(w.Cfg, v.Output(3), "adversary", 0)
	sim.Play(g, []sim.Agent{&sim.Solver{Party: "adversary", View: v}, disputetest.Honest(w)}, pc)
	if snap.g.Config() == nil {
		t.Fatal("no phase-1 leaf by the adversary")
	}
	g = snap.g
	var leaf int
	for i, c := range g.Claims() {
		if c.Position.Depth() == w.Cfg.Split1 && c.Claimant == "adversary" {
			leaf = i
		}
	}
	l := g.Claim(leaf)
	ctx, _, _ := g.NextContext(leaf, true)
	bad, _ := v.Graph(ctx.Block)
	good, _ := w.Truth.Graph(ctx.Block)
	last := uint64(len(good.States) - 1)
	ob, og := bad.Opening(last), good.Opening(last)
	if ctx.Block == v.Block {
		_, err = g.Move(snap.now, dispute.Move{Parent: leaf, Disputed: l.Value, Attack: true, Value: bad.Final(), Bond: w.Cfg.Bond(w.Cfg.Split1 + 1), Opening: &ob, Claimant: "x"})
		if dispute.CodeOf(err) != dispute.CodeUnboundPhaseRoot {
			t.Fatalf("attack with the liar's own result: %v", err)
		}
	}
	if _, err := g.Move(snap.now, dispute.Move{Parent: leaf, Disputed: l.Value, Attack: true, Value: good.Final(), Bond: w.Cfg.Bond(w.Cfg.Split1 + 1), Opening: &og, Claimant: "x"}); err != nil && dispute.CodeOf(err) != dispute.CodeDuplicate && ctx.Block == v.Block {
		t.Fatalf("attack with the true result: %v", err)
	}
}

// TestDISPUTE_BIND_Transition: a graph claim that is not a single leaf
// update of its prestate cannot open a VM subgame and is countered by
// StepTransition.
func TestDISPUTE_BIND_Transition(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	gt, _ := w.Truth.Graph(0)
	g, _ := dispute.NewGame(w.Cfg, w.Truth.Output(3), sim.Honest, 0)
	cfg := w.Cfg
	// Bisect phase 1 honestly down to block 0, then post a phase-2 root
	// and a phase-2 leaf for node 0 that changes two entries.
	var v dispute.Hash
	v[0] = 0xee
	now := uint64(100)
	g, err := g.Move(now, dispute.Move{Parent: 0, Disputed: g.Claim(0).Value, Attack: true, Value: v, Bond: cfg.Bond(1), Claimant: "adv"})
	if err != nil {
		t.Fatal(err)
	}
	g, err = g.Move(now, dispute.Move{Parent: 1, Disputed: v, Attack: true, Value: w.Truth.Output(0), Bond: cfg.Bond(2), Claimant: sim.Honest})
	if err != nil {
		t.Fatal(err)
	}
	// adv disputes block 0's output with a phase-2 root (asserting it wrong).
	table := append([]dispute.Hash(nil), gt.Commitments...)
	first := uint64(gt.Model.Model.FirstNodeTensor())
	last := first + uint64(len(gt.States)) - 1
	table[last][5] ^= 1
	table[0][5] ^= 1 // a second, illegal change (a constant)
	depth := gt.Model.TableDepth()
	root := memory.ComputePathRoot(table[last], last, dispute.TablePath(table, depth, last))
	g, err = g.Move(now, dispute.Move{Parent: 2, Disputed: w.Truth.Output(0), Attack: true, Value: root, Bond: cfg.Bond(3), Claimant: "adv",
		Opening: &dispute.Opening{Leaf: table[last], Siblings: dispute.TablePath(table, depth, last)}})
	if err != nil {
		t.Fatal(err)
	}
	// Honest attacks with the true state after node 1, adv attacks with a
	// state after node 0 that changes the constant too.
	o1 := gt.Opening(1)
	g, err = g.Move(now, dispute.Move{Parent: 3, Disputed: root, Attack: true, Value: gt.State(1), Bond: cfg.Bond(4), Claimant: sim.Honest, Opening: &o1})
	if err != nil {
		t.Fatal(err)
	}
	t0 := append([]dispute.Hash(nil), gt.Commitments[:first+1]...)
	t0[0][5] ^= 1
	bad := memory.ComputePathRoot(t0[first], first, dispute.TablePath(t0, depth, first))
	g, err = g.Move(now, dispute.Move{Parent: 4, Disputed: gt.State(1), Attack: true, Value: bad, Bond: cfg.Bond(5), Claimant: "adv",
		Opening: &dispute.Opening{Leaf: t0[first], Siblings: dispute.TablePath(t0, depth, first)}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok, err := g.NextContext(5, true); err != nil || ok {
		t.Fatalf("NextContext: ok %v err %v", ok, err)
	}
	if _, err := g.Move(now, dispute.Move{Parent: 5, Disputed: bad, Attack: true, Value: dispute.Hash{1}, Bond: cfg.Bond(6), Claimant: sim.Honest}); dispute.CodeOf(err) != dispute.CodeUnboundPhaseRoot {
		t.Fatalf("VM root on a non-update: %v", err)
	}
	g2, err := g.StepTransition(now, sim.Honest, 5, true)
	if err != nil || g2.Claim(5).CounteredBy != sim.Honest {
		t.Fatalf("StepTransition: %v", err)
	}
	if _, err := g2.StepTransition(now, sim.Honest, 5, true); dispute.CodeOf(err) != dispute.CodeDuplicateStep {
		t.Fatalf("second step: %v", err)
	}
	// The honest graph claim cannot be countered that way.
	if _, err := g.StepTransition(now, "adv", 4, true); dispute.CodeOf(err) != dispute.CodeDepth {
		t.Fatalf("%v", err)
	}
}

// TestDISPUTE_BIND_Unavailable: a phase-3 root whose operand tensors were
// never uploaded is rejected with CodeUnavailable (data availability); with
// the upload it is accepted.
func TestDISPUTE_BIND_Unavailable(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	h := history(t, w, "wrong-node", 5)
	end := h[len(h)-1].g
	root := -1
	for i, c := range end.Claims() {
		if c.Position.Depth() == w.Cfg.Split2+1 {
			root = i
			break
		}
	}
	if root < 0 {
		t.Fatal("no phase-3 root")
	}
	c := end.Claim(root)
	var before snapshot
	for _, s := range h {
		if s.g.Len() == root && s.g.Len() > c.Parent {
			before = s
		}
	}
	if before.g.Config() == nil {
		t.Skip("the phase-3 root was posted in the same tick as its parent")
	}
	// A fresh copy of the game state without any upload.
	g := before.g
	g = dispute.WithoutTensors(g)
	gt, _ := w.Truth.Graph(c.Context.Block)
	ops, data := gt.Operands(c.Context.Node)
	p := g.Claim(c.Parent)
	m := dispute.Move{Parent: c.Parent, Disputed: p.Value, Attack: c.Position == p.Position.Move(true), Value: c.Value, Bond: c.Bond, Claimant: c.Claimant, Operands: ops}
	if len(data) == 0 {
		t.Skip("node reads only constants")
	}
	if _, err := g.Move(before.now, m); dispute.CodeOf(err) != dispute.CodeUnavailable {
		t.Fatalf("without the upload: %v", err)
	}
	for _, d := range data {
		g = g.UploadTensor(d)
	}
	if _, err := g.Move(before.now, m); err != nil {
		t.Fatalf("with the upload: %v", err)
	}
}

// TestDISPUTE_ILLEGAL_Config: invalid game types and chains are rejected
// with CodeBadConfig.
func TestDISPUTE_ILLEGAL_Config(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	base := *w.Cfg
	for name, mut := range map[string]func(c *dispute.Config){
		"split1 0":            func(c *dispute.Config) { c.Split1 = 0 },
		"split2 <= split1":    func(c *dispute.Config) { c.Split2 = c.Split1 },
		"max depth too small": func(c *dispute.Config) { c.MaxDepth = c.Split2 + 1 },
		"max depth 62":        func(c *dispute.Config) { c.MaxDepth = 62 },
		"no clock":            func(c *dispute.Config) { c.MaxClock = 0 },
		"extension too long":  func(c *dispute.Config) { c.StepExtension = c.MaxClock },
		"no bond gas":         func(c *dispute.Config) { c.BaseGas = 0 },
	} {
		c := base
		mut(&c)
		if err := c.Validate(); dispute.CodeOf(err) != dispute.CodeBadConfig {
			t.Errorf("%s: %v", name, err)
		}
	}
	inbox := func(jobs []dispute.Job) *dispute.Config { c := base; c.Inbox = dispute.NewInbox(jobs); return &c }
	if _, err := dispute.NewGame(inbox(w.Jobs[:3]), dispute.Hash{}, "p", 0); dispute.CodeOf(err) != dispute.CodeBadConfig {
		t.Errorf("3 jobs: %v", err)
	}
	noInbox := base
	noInbox.Inbox = nil
	if _, err := dispute.NewGame(&noInbox, dispute.Hash{}, "p", 0); dispute.CodeOf(err) != dispute.CodeBadConfig {
		t.Errorf("no inbox: %v", err)
	}
	jobs := append([]dispute.Job(nil), w.Jobs...)
	jobs[1] = dispute.Job{Model: dispute.Hash{1}, Inputs: jobs[1].Inputs}
	if _, err := dispute.NewGame(inbox(jobs), dispute.Hash{}, "p", 0); dispute.CodeOf(err) != dispute.CodeBadConfig {
		t.Errorf("unregistered model: %v", err)
	}
	jobs[1] = dispute.Job{Model: w.Jobs[1].Model}
	if _, err := dispute.NewGame(inbox(jobs), dispute.Hash{}, "p", 0); dispute.CodeOf(err) != dispute.CodeBadConfig {
		t.Errorf("missing input: %v", err)
	}
	small := base
	small.Split2 = small.Split1 + 2 // 2 graph slots for 4 nodes
	small.MaxDepth = small.Split2 + 1 + (base.MaxDepth - base.Split2 - 1)
	if err := small.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := dispute.NewGame(&small, dispute.Hash{}, "p", 0); dispute.CodeOf(err) != dispute.CodeBadConfig {
		t.Errorf("model larger than phase 2: %v", err)
	}
}
