package sim

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// Honest is the honest party's address in simulations.
const Honest dispute.Address = "honest"

// IsHonest reports whether a is an honest party: Honest itself or any
// address starting with "honest" (the two-honest scenario's "honest-2").
func IsHonest(a dispute.Address) bool { return strings.HasPrefix(string(a), string(Honest)) }

// PlayConfig drives one simulated game.
type PlayConfig struct {
	Tick            uint64 // seconds between agent turns (3,600)
	Deadline        uint64 // give up after this many seconds (60 days)
	WithdrawalDelay uint64 // bonds stay locked this long after resolution (OP: 604,800)
	GasPrice        uint64 // gwei per gas (OP's bond curve assumes 200)
	Gas             dispute.GasModel
	// Observe, if set, sees the game after every tick.
	Observe func(g dispute.Game, now uint64)
}

// DefaultPlay is the simulation setting of docs/dispute.md.
var DefaultPlay = PlayConfig{Tick: 3600, Deadline: 60 * 86400, WithdrawalDelay: 604800, GasPrice: 200, Gas: dispute.DefaultGas}

// Result is what one game measured.
type Result struct {
	Scenario    string
	Seed        uint64
	RootCorrect bool
	Status      dispute.Status
	Resolved    uint64    // seconds from the root claim to resolution (0 if unresolved)
	PhaseStart  [4]uint64 // first claim in phase 2 (index 2) and 3 (index 3), first step (index 0); 0 = never
	LastMove    uint64    // the last move or step
	Claims      int
	MaxFanOut   int
	Actions     map[dispute.Address]map[dispute.Kind]int
	Rejected    map[dispute.Code]int
	Gas         map[dispute.Address]uint64
	Posted      map[dispute.Address]uint64 // bonds posted, gwei
	Paid        map[dispute.Address]uint64 // credit received, gwei
	// Honest capital: peak bonds locked (gwei) and the time integral
	// (gwei·s) until resolution plus the withdrawal delay.
	HonestPeak     uint64
	HonestIntegral float64
	Conserved      bool // paid out == posted
	HonestStepped  bool // the game ended in a VM step by the honest party
	Extensions     int  // moves whose clock was clamped to MaxClock − extension
	// Per-claim honest accounting (the headline figures), over the final
	// game's claims whose claimant IsHonest, the root included. A net
	// figure (paid − posted, HonestNet) hides an honest claim that was
	// countered when the honest parties win other bonds; these do not.
	HonestClaims         int    // claims by honest parties
	HonestCountered      int    // honest claims countered (by a step or by resolution)
	HonestCounteredBonds uint64 // bonds of the countered honest claims, gwei
	HonestBonds          uint64 // bonds of all honest claims, gwei
	HonestReturned       uint64 // bonds of honest claims that resolved uncountered (paid back to their claimant), gwei
	HonestUnresolved     int    // honest claims not resolved at the end
}

// Correct reports whether the game's outcome is the truth.
func (r Result) Correct() bool {
	return r.Status == dispute.DefenderWins && r.RootCorrect || r.Status == dispute.ChallengerWins && !r.RootCorrect
}

// HonestIntact reports the per-claim law for the honest parties: no honest
// claim was countered and every honest bond was returned to its claimant
// (HonestCountered == 0 && HonestReturned == HonestBonds).
func (r Result) HonestIntact() bool {
	return r.HonestCountered == 0 && r.HonestReturned == r.HonestBonds
}

// HonestNet returns the honest parties' net bond result, paid − posted in
// gwei (signed; positive: bonds won). It is an extra for reference only: a
// countered honest claim is hidden in it when the honest parties win other
// bonds. The per-claim figures (HonestCountered, HonestReturned) are the
// soundness check.
func (r Result) HonestNet() int64 {
	var net int64
	for a, v := range r.Paid {
		if IsHonest(a) {
			net += int64(v)
		}
	}
	for a, v := range r.Posted {
		if IsHonest(a) {
			net -= int64(v)
		}
	}
	return net
}

// HonestAccount formats the per-claim honest figures, then the net one.
func (r Result) HonestAccount() string {
	return fmt.Sprintf("honest claims %d countered %d (%d gwei); honest bonds %d returned %d gwei; %d honest claims unresolved; honest net %+d gwei (net, for reference)",
		r.HonestClaims, r.HonestCountered, r.HonestCounteredBonds, r.HonestBonds, r.HonestReturned, r.HonestUnresolved, r.HonestNet())
}

// Spend returns a party's cost in gwei: gas at the gas price plus its
// bonds posted minus paid when positive (bonds won are not subtracted).
func (r Result) Spend(a dispute.Address, gasPrice uint64) float64 {
	lost := 0.0
	if r.Posted[a] > r.Paid[a] {
		lost = float64(r.Posted[a] - r.Paid[a])
	}
	return float64(r.Gas[a]*gasPrice) + lost
}

// Parties returns every party that acted or posted a bond.
func (r Result) Parties() []dispute.Address {
	seen := map[dispute.Address]bool{}
	var out []dispute.Address
	for _, m := range []map[dispute.Address]uint64{r.Gas, r.Posted, r.Paid} {
		for a := range m {
			if !seen[a] {
				seen[a] = true
				out = append(out, a)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// Play runs g with the agents, in order each tick, until the game resolves
// or the deadline passes, and pays every party its credit.
func Play(g dispute.Game, agents []Agent, pc PlayConfig) (dispute.Game, Result) {
	r := Result{Actions: map[dispute.Address]map[dispute.Kind]int{}, Rejected: map[dispute.Code]int{}, Gas: map[dispute.Address]uint64{},
		Posted: map[dispute.Address]uint64{}, Paid: map[dispute.Address]uint64{}}
	start := g.Claim(0).Clock.Timestamp
	r.Posted[g.Claim(0).Claimant] += g.Claim(0).Bond
	var locks []lock
	if g.Claim(0).Claimant == Honest {
		locks = append(locks, lock{start, g.Claim(0).Bond})
	}
	now := start
	for ; now <= start+pc.Deadline && g.Status() == dispute.InProgress; now += pc.Tick {
		for _, ag := range agents {
			for _, a := range ag.Act(g, now) {
				next, err := dispute.Apply(g, now, a)
				if err != nil {
					r.Rejected[dispute.CodeOf(err)]++
					continue
				}
				locks = r.record(g, next, a, now-start, pc, locks)
				g = next
			}
		}
		if pc.Observe != nil {
			pc.Observe(g, now)
		}
	}
	if g.Status() != dispute.InProgress {
		r.Resolved = now - pc.Tick - start
	}
	return r.finish(g, now+pc.WithdrawalDelay, locks, pc.Gas)
}

// lock is an honest bond posted at a time.
type lock struct{ at, amount uint64 }

// record accounts for an applied action at elapsed seconds into the game.
func (r *Result) record(g, next dispute.Game, a dispute.Action, elapsed uint64, pc PlayConfig, locks []lock) []lock {
	if r.Actions[a.Party] == nil {
		r.Actions[a.Party] = map[dispute.Kind]int{}
	}
	r.Actions[a.Party][a.Kind]++
	r.Gas[a.Party] += pc.Gas.Cost(g, next, a)
	if a.Kind == dispute.ActMove || a.Kind == dispute.ActStep || a.Kind == dispute.ActStepTransition {
		r.LastMove = elapsed
	}
	switch a.Kind {
	case dispute.ActMove:
		c := next.Claim(next.Len() - 1)
		r.Posted[a.Party] += c.Bond
		if a.Party == Honest {
			locks = append(locks, lock{c.Clock.Timestamp, c.Bond})
		}
		if c.Clock.Duration == next.Config().MaxClock-next.Config().Extension(c.Position.Depth()) {
			r.Extensions++
		}
		if p := next.Config().Phase(c.Position.Depth()); r.PhaseStart[p] == 0 && p > 1 {
			r.PhaseStart[p] = elapsed
		}
	case dispute.ActStep:
		if r.PhaseStart[3] != 0 && r.PhaseStart[0] == 0 {
			r.PhaseStart[0] = elapsed
		}
		r.HonestStepped = r.HonestStepped || a.Party == Honest
	}
	return locks
}

// finish pays out the credits and computes the end-of-game metrics; the
// honest bonds stay locked until end.
func (r Result) finish(g dispute.Game, end uint64, locks []lock, gas dispute.GasModel) (dispute.Game, Result) {
	r.Status = g.Status()
	r.Claims = g.Len()
	for _, c := range g.Claims() {
		r.MaxFanOut = max(r.MaxFanOut, len(c.Children))
	}
	var paid uint64
	for a := range g.Credits() {
		var amt uint64
		g, amt, _ = g.ClaimCredit(a)
		r.Paid[a] += amt
		paid += amt
		if amt > 0 {
			r.Gas[a] += gas.ClaimCreditCost()
		}
	}
	r.Conserved = g.Status() == dispute.InProgress || paid == g.Posted()
	for _, c := range g.Claims() {
		if !IsHonest(c.Claimant) {
			continue
		}
		r.HonestClaims++
		r.HonestBonds += c.Bond
		if c.CounteredBy != "" {
			r.HonestCountered++
			r.HonestCounteredBonds += c.Bond
		}
		if !c.Resolved {
			r.HonestUnresolved++
		} else if c.CounteredBy == "" {
			r.HonestReturned += c.Bond
		}
	}
	for _, l := range locks {
		r.HonestPeak += l.amount
		r.HonestIntegral += float64(l.amount) * float64(end-l.at)
	}
	return g, r
}

// Scenario builds one game: the root claim, its proposer, the agents
// (the honest one included) and whether the root is correct.
type Scenario struct {
	Name  string
	Doc   string
	Build func(w *trace.World, rng *rand.Rand) (root dispute.Hash, proposer dispute.Address, agents []Agent, correct bool, err error)
}

// corrupt returns a view believing a random wrong output at a random node.
func corrupt(w *trace.World, rng *rand.Rand, divergeAtEnd bool) (*trace.Corrupt, error) {
	b, k := rng.Uint64N(w.Blocks), rng.Uint64N(w.Nodes)
	var leaf dispute.Hash
	leaf[0], leaf[31] = 0xbd, byte(rng.Uint32())
	leaf[15] = byte(rng.Uint32())
	n := w.Steps(b, k)
	d := rng.Uint64N(n)
	if divergeAtEnd {
		d = n - 1
	}
	return trace.NewCorrupt(w.Truth, b, k, leaf, d)
}

func honest(w *trace.World) *Solver { return &Solver{Party: Honest, View: w.Truth, Resolve: true} }

// Scenarios is the adversary library (docs/dispute.md §Adversaries).
func Scenarios() []Scenario {
	const adv dispute.Address = "adversary"
	wrongRoot := func(name, doc string, atEnd bool, wrap func(s *Solver, w *trace.World, rng *rand.Rand) []Agent) Scenario {
		return Scenario{Name: name, Doc: doc, Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			v, err := corrupt(w, rng, atEnd)
			if err != nil {
				return dispute.Hash{}, "", nil, false, err
			}
			s := &Solver{Party: adv, View: v}
			return v.Output(w.Blocks - 1), adv, wrap(s, w, rng), false, nil
		}}
	}
	plain := func(s *Solver, w *trace.World, rng *rand.Rand) []Agent { return []Agent{s, honest(w)} }
	return []Scenario{
		{Name: "none", Doc: "an honest root and no adversary", Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			return w.Truth.Output(w.Blocks - 1), Honest, []Agent{honest(w)}, true, nil
		}},
		wrongRoot("wrong-node", "a wrong output at a random node of a random block; the proposer defends it and its VM trace lies from a random step", false, plain),
		wrongRoot("wrong-final-step", "as wrong-node, but the VM trace lies only in its final state", true, plain),
		{Name: "wrong-challenge", Doc: "an honest root challenged by a party that believes a wrong node output; its VM trace lies from a random step", Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			v, err := corrupt(w, rng, false)
			if err != nil {
				return dispute.Hash{}, "", nil, false, err
			}
			return w.Truth.Output(w.Blocks - 1), Honest, []Agent{&Solver{Party: adv, View: v}, honest(w)}, true, nil
		}},
		{Name: "freeloader", Doc: "an honest root; the adversary posts true values in the wrong direction", Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			return w.Truth.Output(w.Blocks - 1), Honest, []Agent{&Freeloader{Party: adv, View: w.Truth, Max: 6}, honest(w)}, true, nil
		}},
		wrongRoot("right-defense", "wrong-node, plus garbage defenses to the right of every honest attack", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{RightDefender{Solver: s, Rand: rng}, honest(w)}
		}),
		wrongRoot("last-second", "wrong-node, moving only in the last tick of its clock", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{LastSecond{Agent: s, Margin: 2 * DefaultPlay.Tick}, honest(w)}
		}),
		wrongRoot("self-bait", "wrong-node, and the proposer counters its own root with the true value first", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{&SelfBait{Solver: s, Truth: w.Truth}, honest(w)}
		}),
		{Name: "poisoned-prestate", Doc: "an honest root challenged by a party whose VM trace lies from step 0 and who steps from its own (witness-less) states", Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			v, err := corrupt(w, rng, false)
			if err != nil {
				return dispute.Hash{}, "", nil, false, err
			}
			v.Diverge = 0
			return w.Truth.Output(w.Blocks - 1), Honest, []Agent{Reckless{&Solver{Party: adv, View: v}}, honest(w)}, true, nil
		}},
		wrongRoot("illegal", "wrong-node, plus a third party submitting every kind of illegal action each tick", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{s, &Illegal{Party: "illegal", Rand: rng}, honest(w)}
		}),
		FloodScenario(20),
		wrongRoot("exhaustive", "wrong-node, plus every move type at every claim (attack and defend, true and false values, every step) up to 120 claims", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{&Exhaustive{Party: "exhaustive", Truth: w.Truth, Lie: s.View, Budget: 120}, s, honest(w)}
		}),
		{Name: "two-honest", Doc: "a wrong root defended by its proposer against two independent honest parties", Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			v, err := corrupt(w, rng, false)
			if err != nil {
				return dispute.Hash{}, "", nil, false, err
			}
			return v.Output(w.Blocks - 1), adv, []Agent{&Solver{Party: adv, View: v}, &Solver{Party: "honest-2", View: w.Truth}, honest(w)}, false, nil
		}},
		wrongRoot("transition-step", "wrong-node, plus a transition step, attack and defense, against every phase-2 leaf of the honest party", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{TransitionStepper{s}, honest(w)}
		}),
		{Name: "transition-step-challenge", Doc: "an honest root challenged by a party that believes a wrong node output and tries a transition step against every honest phase-2 leaf", Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			v, err := corrupt(w, rng, false)
			if err != nil {
				return dispute.Hash{}, "", nil, false, err
			}
			return w.Truth.Output(w.Blocks - 1), Honest, []Agent{TransitionStepper{&Solver{Party: adv, View: v}}, honest(w)}, true, nil
		}},
		wrongRoot("offline", "wrong-node while the honest party is offline for the first 60% of its clock", false, func(s *Solver, w *trace.World, rng *rand.Rand) []Agent {
			return []Agent{s, Offline{Agent: honest(w), From: 0, Until: w.Cfg.MaxClock * 6 / 10}}
		}),
	}
}

// FloodScenario is an honest root attacked with garbage, 4 claims per
// tick, by an adversary with a budget of the given number of depth-1 bonds.
func FloodScenario(bonds int) Scenario {
	return Scenario{Name: "flood", Doc: fmt.Sprintf("an honest root attacked with garbage by an adversary with a budget of %d depth-1 bonds", bonds),
		Build: func(w *trace.World, rng *rand.Rand) (dispute.Hash, dispute.Address, []Agent, bool, error) {
			f := &Flood{Party: "adversary", Budget: uint64(bonds) * w.Cfg.Bond(1), PerAct: 4, Rand: rng}
			return w.Truth.Output(w.Blocks - 1), Honest, []Agent{f, honest(w)}, true, nil
		}}
}

// ScenarioNamed returns the scenario with a name.
func ScenarioNamed(name string) (Scenario, bool) {
	for _, s := range Scenarios() {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// StartScenario builds the game of scenario s with seed on w, as
// PlayScenario plays it: the game at time 0 holding the scenario's root
// claim, the agents in turn order, and whether the root is correct. The
// seed alone fixes every random choice of the scenario and its agents.
// Errors: the scenario's and NewGame's.
func StartScenario(w *trace.World, s Scenario, seed uint64) (g dispute.Game, agents []Agent, correct bool, err error) {
	rng := rand.New(rand.NewPCG(seed, 0x6f70636974790000))
	root, proposer, agents, correct, err := s.Build(w, rng)
	if err != nil {
		return dispute.Game{}, nil, false, err
	}
	g, err = dispute.NewGame(w.Cfg, root, proposer, 0)
	return g, agents, correct, err
}

// PlayScenario builds and plays one game of scenario s with seed.
func PlayScenario(w *trace.World, s Scenario, seed uint64, pc PlayConfig) (Result, error) {
	g, agents, correct, err := StartScenario(w, s, seed)
	if err != nil {
		return Result{}, err
	}
	_, r := Play(g, agents, pc)
	r.Scenario, r.Seed, r.RootCorrect = s.Name, seed, correct
	return r, nil
}

// Aggregate summarizes many results.
type Aggregate struct {
	Games, Correct, WrongRoots, WrongDefeated, HonestRoots, HonestLostRoots int
	Unresolved, NotConserved, Extensions                                    int
	// Per-claim honest accounting, summed over the games (the headline;
	// see Result): the check is HonestCountered == 0 && HonestReturned ==
	// HonestBonds.
	HonestClaims, HonestCountered, HonestUnresolved   int
	HonestCounteredBonds, HonestBonds, HonestReturned uint64
	HonestCounteredGames                              int // games with at least one honest claim countered
	// WorstGame is the game with the most honest claims countered (the
	// first such in result order): its scenario ("none" and seed 0 when no
	// honest claim was countered; then WorstGameCountered is 0), seed and
	// count.
	WorstGameScenario  string
	WorstGameSeed      uint64
	WorstGameCountered int
	// HonestNetGwei is an extra for reference only: the sum over games of
	// the honest parties' paid − posted (Result.HonestNet), which hides
	// countered honest claims offset by bonds won.
	HonestNetGwei                                int64
	MeanResolvedDays, MaxResolvedDays            float64
	MeanPhase2Days, MeanPhase3Days, MeanStepDays float64
	MeanLastMoveDays, MeanResolutionTailDays     float64 // last move or step; from it to resolution
	MeanClaims                                   float64
	MeanHonestGas, MeanAdversaryGas              float64
	MeanHonestPeakETH, MeanHonestLockedETHDays   float64
	SpendRatio                                   float64 // adversary spend / honest spend (summed; spend = gas + posted − paid when positive; honest = IsHonest parties)
	HonestNetETH                                 float64 // mean per game: the honest parties' gas cost minus net bonds won (negative: profit); net, for reference
	Rejected                                     map[string]int
}

// HonestIntact reports the per-claim law over every game: no honest claim
// countered and every honest bond returned to its claimant.
func (a Aggregate) HonestIntact() bool {
	return a.HonestCountered == 0 && a.HonestReturned == a.HonestBonds
}

// Summarize aggregates results, in their order (Summary).
func Summarize(rs []Result, gasPrice uint64) Aggregate {
	s := NewSummary(gasPrice)
	for _, r := range rs {
		s.Add(r)
	}
	return s.Aggregate()
}

// totals are the sums behind the aggregate's means.
type totals struct {
	phase              [3]uint64 // phase 2 start, phase 3 start, step
	phaseN             [3]int
	advSpend, honSpend float64
}

// add accumulates one result.
func (a *Aggregate) add(r Result, gasPrice uint64, t *totals) {
	a.Games++
	if r.Correct() {
		a.Correct++
	}
	if r.RootCorrect {
		a.HonestRoots++
		if r.Status == dispute.ChallengerWins {
			a.HonestLostRoots++
		}
	} else {
		a.WrongRoots++
		if r.Status == dispute.ChallengerWins {
			a.WrongDefeated++
		}
	}
	if r.Status == dispute.InProgress {
		a.Unresolved++
	}
	if !r.Conserved {
		a.NotConserved++
	}
	a.HonestClaims += r.HonestClaims
	a.HonestCountered += r.HonestCountered
	a.HonestUnresolved += r.HonestUnresolved
	a.HonestCounteredBonds += r.HonestCounteredBonds
	a.HonestBonds += r.HonestBonds
	a.HonestReturned += r.HonestReturned
	if r.HonestCountered > 0 {
		a.HonestCounteredGames++
	}
	if r.HonestCountered > a.WorstGameCountered {
		a.WorstGameScenario, a.WorstGameSeed, a.WorstGameCountered = r.Scenario, r.Seed, r.HonestCountered
	}
	a.HonestNetGwei += r.HonestNet()
	a.Extensions += r.Extensions
	days := float64(r.Resolved) / 86400
	a.MeanResolvedDays += days
	a.MaxResolvedDays = max(a.MaxResolvedDays, days)
	a.MeanLastMoveDays += float64(r.LastMove) / 86400
	if r.Resolved >= r.LastMove {
		a.MeanResolutionTailDays += float64(r.Resolved-r.LastMove) / 86400
	}
	for i, p := range [3]uint64{r.PhaseStart[2], r.PhaseStart[3], r.PhaseStart[0]} {
		if p != 0 {
			t.phase[i] += p
			t.phaseN[i]++
		}
	}
	a.MeanClaims += float64(r.Claims)
	for _, party := range r.Parties() {
		spend := r.Spend(party, gasPrice)
		if IsHonest(party) {
			t.honSpend += spend
			a.MeanHonestGas += float64(r.Gas[party])
			a.HonestNetETH += (float64(r.Gas[party]*gasPrice) - float64(r.Paid[party]) + float64(r.Posted[party])) / 1e9
		} else {
			t.advSpend += spend
			a.MeanAdversaryGas += float64(r.Gas[party])
		}
	}
	a.MeanHonestPeakETH += float64(r.HonestPeak) / 1e9
	a.MeanHonestLockedETHDays += r.HonestIntegral / 1e9 / 86400
	for c, n := range r.Rejected {
		a.Rejected[c.String()] += n
	}
}

// finish turns sums into means.
func (a *Aggregate) finish(t totals) {
	if a.Games > 0 {
		n := float64(a.Games)
		for _, f := range []*float64{&a.MeanResolvedDays, &a.MeanLastMoveDays, &a.MeanResolutionTailDays, &a.MeanClaims, &a.MeanHonestGas, &a.MeanAdversaryGas,
			&a.MeanHonestPeakETH, &a.MeanHonestLockedETHDays, &a.HonestNetETH} {
			*f /= n
		}
	}
	for i, f := range []*float64{&a.MeanPhase2Days, &a.MeanPhase3Days, &a.MeanStepDays} {
		if t.phaseN[i] > 0 {
			*f = float64(t.phase[i]) / float64(t.phaseN[i]) / 86400
		}
	}
	if t.honSpend != 0 {
		a.SpendRatio = t.advSpend / t.honSpend
	}
}

// String formats the aggregate as lines of "name value".
func (a Aggregate) String() string {
	keys := make([]string, 0, len(a.Rejected))
	for k := range a.Rejected {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	s := fmt.Sprintf("honest claims %d countered %d (%d gwei); honest bonds %d returned %d gwei\n", a.HonestClaims, a.HonestCountered, a.HonestCounteredBonds, a.HonestBonds, a.HonestReturned)
	worst := "none"
	if a.WorstGameCountered > 0 {
		worst = fmt.Sprintf("%s seed %016x (%d honest claims countered)", a.WorstGameScenario, a.WorstGameSeed, a.WorstGameCountered)
	}
	s += fmt.Sprintf("games with an honest claim countered %d, worst %s; honest claims unresolved %d\n", a.HonestCounteredGames, worst, a.HonestUnresolved)
	s += fmt.Sprintf("games %d correct %d unresolved %d bonds-not-conserved %d clock-extensions %d\n", a.Games, a.Correct, a.Unresolved, a.NotConserved, a.Extensions)
	s += fmt.Sprintf("wrong roots %d defeated %d; honest roots %d lost %d\n", a.WrongRoots, a.WrongDefeated, a.HonestRoots, a.HonestLostRoots)
	s += fmt.Sprintf("resolution days mean %.2f max %.2f; phase 2 starts %.2f d, phase 3 %.2f d, step %.2f d; last move %.2f d, then %.2f d to resolution\n",
		a.MeanResolvedDays, a.MaxResolvedDays, a.MeanPhase2Days, a.MeanPhase3Days, a.MeanStepDays, a.MeanLastMoveDays, a.MeanResolutionTailDays)
	s += fmt.Sprintf("claims mean %.1f; gas mean honest %.0f adversary %.0f; adversary/honest spend %.2f\n", a.MeanClaims, a.MeanHonestGas, a.MeanAdversaryGas, a.SpendRatio)
	s += fmt.Sprintf("honest capital peak %.3f ETH, locked %.3f ETH·days\n", a.MeanHonestPeakETH, a.MeanHonestLockedETHDays)
	s += fmt.Sprintf("honest bonds %+d gwei, honest cost %.3f ETH/game (negative: profit) (net, for reference)\n", a.HonestNetGwei, a.HonestNetETH)
	for _, k := range keys {
		s += fmt.Sprintf("rejected %s: %d\n", k, a.Rejected[k])
	}
	return s
}
