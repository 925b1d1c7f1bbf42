package play

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// ClassSummary is one adversary class's aggregate and the Quartiles that
// the plots draw.
type ClassSummary struct {
	Scenario   string        `json:"scenario"`
	Doc        string        `json:"doc"`
	Aggregate  sim.Aggregate `json:"aggregate"`
	Resolution Quartiles     `json:"resolution_days"`
	HonestGas  Quartiles     `json:"honest_gas"`
	AdvGas     Quartiles     `json:"adversary_gas"`
	HonestPeak Quartiles     `json:"honest_peak_eth"`
	Locked     Quartiles     `json:"honest_locked_eth_days"`
}

// Output is a batch's outcome: DIR/aggregate.json, and with the per-game
// records in GameResults `opcity simulate --json`.
type Output struct {
	Command         string         `json:"command"`
	Model           string         `json:"model"`
	VM              string         `json:"vm"`
	Profile         string         `json:"profile"`
	Seed            uint64         `json:"seed"`
	Games           int            `json:"games"`
	Aggregate       sim.Aggregate  `json:"aggregate"`
	Classes         []ClassSummary `json:"classes"`
	Seconds         float64        `json:"seconds"`
	GamesPerSecond  float64        `json:"games_per_second"`
	ClaimsPerSecond float64        `json:"claims_per_second"`
	PeakHeapMB      float64        `json:"peak_heap_mb"`
	GameResults     []Game         `json:"game_results,omitempty"`
}

// Sound is the batch's verdict: every game decided correctly, no honest
// claim countered, every honest bond returned (per claim, not net) and
// bonds conserved.
func (o Output) Sound() bool {
	a := o.Aggregate
	return a.Correct == a.Games && a.HonestCountered == 0 && a.HonestReturned == a.HonestBonds && a.NotConserved == 0
}

// BatchOptions is one batch of seeded games on chains of MNIST inference
// jobs (docs/dispute.md §10).
type BatchOptions struct {
	Games       int
	Seed        uint64
	Adversaries string // comma-separated scenario names, or all
	FloodBonds  int    // the flood adversary's budget, in depth-1 bonds
	Model       string // mlp or cnn
	BlocksLog2  int    // log2 of the chain's blocks (phase-1 depth), 1..8
	VM          string // synthetic or real (the node program in fpvm)
	Profile     string // base or opcity
	Data, Root  string // the models and test set; the repository (for VM real)
	Workers     int    // parallel games (0: all CPUs), 0..sim.MaxWorkers; at most Games are used
}

// The limits of a batch's counts (requirement CLI-LIMITS). The memory a
// batch holds does not grow with its games (DISPUTE-SIM-STREAM), so
// MaxGames bounds the time (about a day at 130 games/s), not the memory;
// a flood budget beyond a few thousand bonds cannot be spent before the
// game's 60-day deadline (4 claims per hourly tick).
const (
	MaxGames      = 10_000_000
	MaxFloodBonds = 100_000
)

// Check reports the first option out of range.
func (o BatchOptions) Check() error {
	switch {
	case o.Games < 1 || o.Games > MaxGames:
		return fmt.Errorf("--games %d: want 1..%d", o.Games, MaxGames)
	case o.Workers < 0 || o.Workers > sim.MaxWorkers:
		return fmt.Errorf("--workers %d: want 0..%d", o.Workers, sim.MaxWorkers)
	case o.BlocksLog2 < 1 || o.BlocksLog2 > 8:
		return fmt.Errorf("--blocks-log2 %d: want 1..8", o.BlocksLog2)
	case o.VM != "synthetic" && o.VM != "real":
		return fmt.Errorf("--vm %q: want synthetic or real", o.VM)
	case o.Model != "mlp" && o.Model != "cnn":
		return fmt.Errorf("--model %q: want mlp or cnn", o.Model)
	case o.FloodBonds < 0 || o.FloodBonds > MaxFloodBonds:
		return fmt.Errorf("--flood-bonds %d: want 0..%d", o.FloodBonds, MaxFloodBonds)
	}
	_, err := ParseProfile(o.Profile)
	return err
}

// Scenarios returns the scenarios o names, in library order, the flood
// adversary with o's budget.
func (o BatchOptions) Scenarios() ([]sim.Scenario, error) {
	want := map[string]bool{}
	for _, n := range strings.Split(o.Adversaries, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []sim.Scenario
	for _, s := range sim.Scenarios() {
		if s.Name == "flood" {
			s = sim.FloodScenario(o.FloodBonds)
		}
		if want["all"] || want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	delete(want, "all")
	for n := range want {
		return nil, fmt.Errorf("unknown adversary %q (%s)", n, ScenarioNames())
	}
	return out, nil
}

// setUp checks o and builds its scenarios and worlds.
func (o BatchOptions) setUp() ([]sim.Scenario, []*trace.World, error) {
	if err := o.Check(); err != nil {
		return nil, nil, err
	}
	scen, err := o.Scenarios()
	if err != nil {
		return nil, nil, err
	}
	prof, _ := ParseProfile(o.Profile)
	worlds, err := Worlds(o.Data, o.Root, o.Model+".opml", o.BlocksLog2, o.VM, prof)
	return scen, worlds, err
}

// RunBatch plays the batch o describes; command is the command line
// recorded in the output. It passes each game's record to each (when not
// nil) in game order as the games complete, and returns the output: the
// aggregate and the per-class summaries, kept game by game in memory that
// does not grow with the games (requirement DISPUTE-SIM-STREAM). The
// error is the setup's, a game's or each's.
func RunBatch(o BatchOptions, command string, each func(Game) error) (Output, error) {
	scen, worlds, err := o.setUp()
	if err != nil {
		return Output{}, err
	}
	classes := map[string]*classAcc{}
	for _, s := range scen {
		classes[s.Name] = newClassAcc()
	}
	rep, err := sim.Simulate(sim.SimOptions{Games: o.Games, Seed: o.Seed, Scenarios: scen, Worlds: worlds, Play: sim.DefaultPlay, Workers: o.Workers,
		Each: func(i int, r sim.Result) error {
			classes[r.Scenario].add(r)
			if each == nil {
				return nil
			}
			return each(GameOf(i, r))
		}})
	if err != nil {
		return Output{}, err
	}
	out := Output{Command: command, Model: o.Model, VM: o.VM, Profile: o.Profile, Seed: o.Seed, Games: o.Games,
		Aggregate: rep.Aggregate, Seconds: rep.Seconds, GamesPerSecond: rep.GamesPerSecond, ClaimsPerSecond: rep.ClaimsPerSecond,
		PeakHeapMB: float64(rep.PeakHeapBytes) / (1 << 20)}
	for _, s := range scen {
		out.Classes = append(out.Classes, classes[s.Name].summary(s))
	}
	return out, nil
}

// Replay plays the one game of o's single adversary with the given seed
// (as a batch prints it) on o's first chain.
func Replay(o BatchOptions, seed uint64) (Game, error) {
	scen, worlds, err := o.setUp()
	if err != nil {
		return Game{}, err
	}
	if len(scen) != 1 {
		return Game{}, fmt.Errorf("replaying a game needs one adversary, not %q", o.Adversaries)
	}
	r, err := sim.PlayScenario(worlds[0], scen[0], seed, sim.DefaultPlay)
	return GameOf(0, r), err
}

// WriteBatchLine prints the game's line of the batch's text output.
func (g Game) WriteBatchLine(w io.Writer) {
	fmt.Fprintf(w, "game %d %-17s seed %016x root-correct %-5v %-15s correct %-5v resolved %.2fd claims %d honest-gas %d honest-claims %d countered %d honest-bonds %d returned %d rejected %d\n",
		g.Game, g.Scenario, g.Seed, g.RootCorrect, g.Winner, g.Correct, float64(g.Resolved)/86400, g.Claims, g.Gas["honest"],
		g.HonestClaims, g.HonestCountered, g.HonestBonds, g.HonestReturned, g.Rejected)
}

// WriteText prints the throughput and the aggregate: the lines of the
// batch's text output after its games' lines.
func (o Output) WriteText(w io.Writer) {
	fmt.Fprintf(w, "model %s, vm %s, profile %s, %d games in %.2f s: %.1f games/s, %.0f claims/s, peak heap %.0f MB\n",
		o.Model, o.VM, o.Profile, o.Games, o.Seconds, o.GamesPerSecond, o.ClaimsPerSecond, o.PeakHeapMB)
	fmt.Fprint(w, o.Aggregate.String())
}

// WriteText prints the replayed game's line.
func (g Game) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s seed %016x root-correct %v: %s, correct %v, resolved %.2fd, %d claims, %s, rejected %d\n",
		g.Scenario, g.Seed, g.RootCorrect, g.Winner, g.Correct, float64(g.Resolved)/86400, g.Claims, g.Account.Text(), g.Rejected)
}

// classAcc is one adversary class's summary, kept game by game: the
// aggregate and the distribution of each figure the plots draw.
type classAcc struct {
	agg                                      *sim.Summary
	resolution, honGas, advGas, peak, locked *dist
}

func newClassAcc() *classAcc {
	return &classAcc{agg: sim.NewSummary(sim.DefaultPlay.GasPrice), resolution: newDist(), honGas: newDist(), advGas: newDist(), peak: newDist(), locked: newDist()}
}

// add accumulates one game of the class.
func (c *classAcc) add(r sim.Result) {
	c.agg.Add(r)
	var hon, adv uint64
	for p, g := range r.Gas {
		if sim.IsHonest(p) {
			hon += g
		} else {
			adv += g
		}
	}
	c.resolution.add(float64(r.Resolved) / 86400)
	c.honGas.add(float64(hon))
	c.advGas.add(float64(adv))
	c.peak.add(float64(r.HonestPeak) / 1e9)
	c.locked.add(r.HonestIntegral / 1e9 / 86400)
}

// summary is the class's summary for scenario s.
func (c *classAcc) summary(s sim.Scenario) ClassSummary {
	return ClassSummary{Scenario: s.Name, Doc: s.Doc, Aggregate: c.agg.Aggregate(), Resolution: c.resolution.Quartiles(),
		HonestGas: c.honGas.Quartiles(), AdvGas: c.advGas.Quartiles(), HonestPeak: c.peak.Quartiles(), Locked: c.locked.Quartiles()}
}

func classesCSV(cs []ClassSummary) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"scenario", "games", "correct", "wrong_roots", "wrong_defeated", "honest_roots", "honest_roots_lost",
		"honest_claims", "honest_claims_countered", "honest_countered_bonds_gwei", "honest_bonds_gwei", "honest_bonds_returned_gwei", "honest_claims_unresolved",
		"games_honest_countered", "worst_game_scenario", "worst_game_seed", "worst_game_countered",
		"not_conserved", "mean_resolution_days", "max_resolution_days", "mean_claims", "mean_honest_gas", "mean_adversary_gas",
		"mean_honest_peak_eth", "mean_honest_locked_eth_days", "adversary_honest_spend_ratio", "rejected_actions", "honest_net_gwei"})
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', 3, 64) }
	u := func(x uint64) string { return strconv.FormatUint(x, 10) }
	for _, c := range cs {
		a := c.Aggregate
		rej := 0
		for _, n := range a.Rejected {
			rej += n
		}
		w.Write([]string{c.Scenario, strconv.Itoa(a.Games), strconv.Itoa(a.Correct), strconv.Itoa(a.WrongRoots), strconv.Itoa(a.WrongDefeated),
			strconv.Itoa(a.HonestRoots), strconv.Itoa(a.HonestLostRoots),
			strconv.Itoa(a.HonestClaims), strconv.Itoa(a.HonestCountered), u(a.HonestCounteredBonds), u(a.HonestBonds), u(a.HonestReturned), strconv.Itoa(a.HonestUnresolved),
			strconv.Itoa(a.HonestCounteredGames), a.WorstGameScenario, fmt.Sprintf("%016x", a.WorstGameSeed), strconv.Itoa(a.WorstGameCountered),
			strconv.Itoa(a.NotConserved), f(a.MeanResolvedDays), f(a.MaxResolvedDays), f(a.MeanClaims), f(a.MeanHonestGas), f(a.MeanAdversaryGas), f(a.MeanHonestPeakETH),
			f(a.MeanHonestLockedETHDays), f(a.SpendRatio), strconv.Itoa(rej), strconv.FormatInt(a.HonestNetGwei, 10)})
	}
	w.Flush()
	return []byte(b.String())
}
