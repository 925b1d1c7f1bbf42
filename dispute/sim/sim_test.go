package sim_test

import (
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// scenarioWant is what the truth and the game parameters require of one
// scenario of the library, written down from the scenario's description
// (docs/dispute.md §11, Scenario.Doc), not read from the simulator.
type scenarioWant struct {
	honestRoot bool // the root claim is the truth: the defender must win
	// branch: the adversary and the honest party bisect one branch to the
	// bottom and nobody else's move is applied, so the final game holds
	// exactly one claim at every depth 0..MaxDepth, the honest team's at
	// every other depth.
	branch bool
	// prompt: on a branch, every party answers at its first turn (no
	// delay, no offline honest party), so the resolution time follows
	// from the tick and MaxClock.
	prompt bool
	// baited: honest-team claims on the branch that the adversary posted
	// itself (self-bait's true counter to its own root at depth 1).
	baited int
}

// scenarioWants is the expected figure set per scenario name. Not every
// scenario is a branch: freeloader, flood and exhaustive open side
// branches; right-defense's garbage defenses target the adversary's
// non-root phase-1 claims, so whether it stays a branch depends on Split1
// and the test does not assume it; none has no adversary.
var scenarioWants = map[string]scenarioWant{
	"none":                      {honestRoot: true},
	"wrong-node":                {branch: true, prompt: true},
	"wrong-final-step":          {branch: true, prompt: true},
	"wrong-challenge":           {honestRoot: true, branch: true, prompt: true},
	"freeloader":                {honestRoot: true},
	"right-defense":             {},
	"last-second":               {branch: true},
	"self-bait":                 {branch: true, prompt: true, baited: 1},
	"poisoned-prestate":         {honestRoot: true, branch: true, prompt: true},
	"illegal":                   {branch: true, prompt: true},
	"flood":                     {honestRoot: true},
	"exhaustive":                {},
	"two-honest":                {branch: true, prompt: true},
	"transition-step":           {branch: true, prompt: true},
	"transition-step-challenge": {honestRoot: true, branch: true, prompt: true},
	"offline":                   {branch: true},
}

// TestDISPUTE_SIM_Scenarios plays every scenario of the adversary library
// once (seed 1) on the simulator's MLP world and checks, per scenario:
// the outcome the truth requires (the defender wins iff the root is
// true), bonds conserved, and per claim, recounted from the final game,
// that no honest claim was countered, every honest claim resolved and
// every honest bond was returned; then the figures that follow from the
// game parameters alone (see scenarioWant): for a single branch the claim
// count MaxDepth+1, one claim per depth, the honest team's depths and
// claim count, whether the honest party steps (iff the max-depth claim is
// the adversary's), and for a prompt branch the resolution time; for
// "none" one claim with the depth-0 bond resolved after MaxClock. The
// aggregate over the library obeys the same law.
func TestDISPUTE_SIM_Scenarios(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	cfg := w.Cfg
	// The simulator's geometry (docs/dispute.md §1.2 table): MLP, 4 nodes,
	// Split1 2, Split2 2+1+log2(4) = 5, MaxDepth 5+1+27 = 33.
	if cfg.Split1 != 2 || cfg.Split2 != 5 || cfg.MaxDepth != 33 || cfg.MaxClock != 302400 {
		t.Fatalf("geometry %d/%d/%d, MaxClock %d; want 2/5/33, 302,400 (docs/dispute.md §1.2)", cfg.Split1, cfg.Split2, cfg.MaxDepth, cfg.MaxClock)
	}
	pc := sim.DefaultPlay
	if pc.Tick != 3600 || cfg.MaxClock%pc.Tick != 0 {
		t.Fatalf("tick %d: the resolution times below assume a 3,600 s tick dividing MaxClock", pc.Tick)
	}
	var results []sim.Result
	seen := map[string]bool{}
	for _, s := range sim.Scenarios() {
		want, ok := scenarioWants[s.Name]
		if !ok {
			t.Errorf("%s: no expected figures in scenarioWants", s.Name)
			continue
		}
		seen[s.Name] = true
		var final dispute.Game
		pc.Observe = func(g dispute.Game, _ uint64) { final = g }
		r, err := sim.PlayScenario(w, s, 1, pc)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, r)
		t.Logf("%-18s status %-16s correct %v claims %3d resolved %.1fd honest claims %d countered %d bonds %d returned %d net %+d conserved %v rejected %v stepped %v actions %v",
			s.Name, r.Status, r.Correct(), r.Claims, float64(r.Resolved)/86400, r.HonestClaims, r.HonestCountered, r.HonestBonds, r.HonestReturned, r.HonestNet(), r.Conserved, r.Rejected, r.HonestStepped, r.Actions)
		checkOutcome(t, s.Name, want, r, final)
		if want.branch {
			checkBranch(t, s.Name, want, r, final, pc.Tick)
		}
	}
	for name := range scenarioWants {
		if !seen[name] {
			t.Errorf("scenarioWants names %q, which the library does not have", name)
		}
	}
	checkNone(t, results, cfg, pc.Tick)
	checkIllegal(t, results)
	a := sim.Summarize(results, pc.GasPrice)
	if a.Games != len(results) || a.Correct != a.Games || a.Unresolved != 0 || a.NotConserved != 0 || !a.HonestIntact() || a.HonestCounteredGames != 0 || a.HonestUnresolved != 0 {
		t.Errorf("aggregate over the library:\n%s", a)
	}
}

// checkOutcome asserts the truth's outcome and the per-claim honest
// accounting, recounted from the final game.
func checkOutcome(t *testing.T, name string, want scenarioWant, r sim.Result, final dispute.Game) {
	t.Helper()
	status := dispute.ChallengerWins
	if want.honestRoot {
		status = dispute.DefenderWins
	}
	if r.RootCorrect != want.honestRoot || r.Status != status || !r.Correct() || !r.Conserved {
		t.Errorf("%s: status %s, root correct %v, conserved %v; want %s with root correct %v, bonds conserved", name, r.Status, r.RootCorrect, r.Conserved, status, want.honestRoot)
	}
	if r.HonestCountered != 0 || r.HonestReturned != r.HonestBonds || r.HonestUnresolved != 0 || !r.HonestIntact() {
		t.Errorf("%s: %s", name, r.HonestAccount())
	}
	claims, bonds, faults := recountHonest(final)
	for _, f := range faults {
		t.Errorf("%s: %s", name, f)
	}
	// A true root is the honest party's; a wrong one is countered by an
	// honest claim: either way the accounting covers at least one bond.
	if claims == 0 || claims != r.HonestClaims || bonds != r.HonestBonds {
		t.Errorf("%s: the final game has %d honest claims (%d gwei), the result %d (%d gwei)", name, claims, bonds, r.HonestClaims, r.HonestBonds)
	}
}

// checkBranch asserts the figures of a single bisection branch: with the
// honest team at depths of parity hp (0 for a true root, 1 for a wrong
// one), the final game holds one claim per depth 0..MaxDepth, honest iff
// its depth has parity hp (save the baited ones), and the honest party
// steps iff MaxDepth's parity is the adversary's. Prompt branches
// resolve when the honest team's clock on the adversary's last claim runs
// out: the adversary answers one tick after each honest claim and moves
// before the honest party within a tick, so its last claim is posted at
// tick ⌊MaxDepth/2⌋ (wrong root: depths 2, 4, … at ticks 1, 2, …) or
// ⌊(MaxDepth−1)/2⌋ (true root: depths 1, 3, … at ticks 0, 1, …), and the
// honest team, answering within the tick, has used nothing of its clock.
func checkBranch(t *testing.T, name string, want scenarioWant, r sim.Result, final dispute.Game, tick uint64) {
	t.Helper()
	cfg := final.Config()
	hp := 1
	if want.honestRoot {
		hp = 0
	}
	atDepth := make([]int, cfg.MaxDepth+1)
	var wantHonest, honest int
	for d := 0; d <= cfg.MaxDepth; d++ {
		if d%2 == hp {
			wantHonest++
		}
	}
	wantHonest -= want.baited
	for i, c := range final.Claims() {
		d := c.Position.Depth()
		atDepth[d]++
		if sim.IsHonest(c.Claimant) && d%2 != hp {
			t.Errorf("%s: honest claim %d at depth %d, on the adversary's team", name, i, d)
		}
		if sim.IsHonest(c.Claimant) {
			honest++
		}
	}
	for d, n := range atDepth {
		if n != 1 {
			t.Errorf("%s: %d claims at depth %d, want one per depth 0..%d", name, n, d, cfg.MaxDepth)
		}
	}
	if r.Claims != cfg.MaxDepth+1 || honest != wantHonest || r.HonestClaims != wantHonest {
		t.Errorf("%s: %d claims, %d honest (result %d); want %d and %d", name, r.Claims, honest, r.HonestClaims, cfg.MaxDepth+1, wantHonest)
	}
	wantStep := cfg.MaxDepth%2 != hp
	steps := 0
	for a, kinds := range r.Actions {
		if sim.IsHonest(a) {
			steps += kinds[dispute.ActStep]
		}
	}
	if r.HonestStepped != wantStep || (wantStep && steps != 1) || (!wantStep && steps != 0) {
		t.Errorf("%s: honest stepped %v (%d steps); want a step %v (MaxDepth %d, honest depth parity %d)", name, r.HonestStepped, steps, wantStep, cfg.MaxDepth, hp)
	}
	for _, c := range final.Claims() {
		if c.Position.Depth() == cfg.MaxDepth && wantStep && c.CounteredBy != sim.Honest {
			t.Errorf("%s: the adversary's max-depth claim is countered by %q, want the honest step", name, c.CounteredBy)
		}
	}
	if !want.prompt {
		return
	}
	last := uint64(cfg.MaxDepth / 2)
	if want.honestRoot {
		last = uint64((cfg.MaxDepth - 1) / 2)
	}
	if wantResolved := last*tick + cfg.MaxClock; r.Resolved != wantResolved {
		t.Errorf("%s: resolved after %d s, want %d·%d + %d = %d s", name, r.Resolved, last, tick, cfg.MaxClock, wantResolved)
	}
}

// checkNone: an unchallenged true root is the only claim; its bond is the
// depth-0 bond BaseFee·BaseGas (docs/dispute.md §7: r^0 = 1), returned,
// and it resolves at the first tick at which its MaxClock has run.
func checkNone(t *testing.T, results []sim.Result, cfg *dispute.Config, tick uint64) {
	t.Helper()
	for _, r := range results {
		if r.Scenario != "none" {
			continue
		}
		wantResolved := (cfg.MaxClock + tick - 1) / tick * tick
		if r.Claims != 1 || r.HonestClaims != 1 || r.HonestBonds != cfg.BaseFee*cfg.BaseGas || r.HonestReturned != r.HonestBonds || r.Resolved != wantResolved {
			t.Errorf("none: %d claims, resolved after %d s, %s; want 1 claim of %d gwei resolved after %d s", r.Claims, r.Resolved, r.HonestAccount(), cfg.BaseFee*cfg.BaseGas, wantResolved)
		}
		return
	}
	t.Error("the library has no scenario none")
}

// checkIllegal: the illegal party's actions are all rejected
// (DISPUTE-ILLEGAL): none applied, and it did submit some.
func checkIllegal(t *testing.T, results []sim.Result) {
	t.Helper()
	for _, r := range results {
		if r.Scenario != "illegal" {
			continue
		}
		var rejected int
		for _, n := range r.Rejected {
			rejected += n
		}
		if len(r.Actions["illegal"]) != 0 || rejected == 0 {
			t.Errorf("illegal: the illegal party's applied actions %v, %d rejected; want none applied, some rejected", r.Actions["illegal"], rejected)
		}
		return
	}
	t.Error("the library has no scenario illegal")
}

// recountHonest counts the honest claims of a finished game and their
// bonds from the game itself (not from sim.Result), and lists every honest
// claim that is countered, unresolved, or counters another honest claim.
func recountHonest(g dispute.Game) (claims int, bonds uint64, faults []string) {
	for i, c := range g.Claims() {
		if !sim.IsHonest(c.Claimant) {
			continue
		}
		claims++
		bonds += c.Bond
		if c.Parent >= 0 && sim.IsHonest(g.Claim(c.Parent).Claimant) {
			faults = append(faults, fmt.Sprintf("%s's claim %d counters %s's claim %d", c.Claimant, i, g.Claim(c.Parent).Claimant, c.Parent))
		}
		if c.CounteredBy != "" || !c.Resolved {
			faults = append(faults, fmt.Sprintf("%s's claim %d (depth %d): countered by %q, resolved %v", c.Claimant, i, c.Position.Depth(), c.CounteredBy, c.Resolved))
		}
	}
	return claims, bonds, faults
}
