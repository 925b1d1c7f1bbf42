package play

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/format"
)

// ClassSummary is one adversary class's aggregate and the quartiles that
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

// Quartiles are min, lower quartile, median, upper quartile, max and mean.
type Quartiles struct {
	Min, Q1, Median, Q3, Max, Mean float64
}

func quartilesOf(v []float64) Quartiles {
	if len(v) == 0 {
		return Quartiles{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(q float64) float64 { return s[int(q*float64(len(s)-1)+0.5)] }
	var sum float64
	for _, x := range s {
		sum += x
	}
	return Quartiles{Min: s[0], Q1: at(0.25), Median: at(0.5), Q3: at(0.75), Max: s[len(s)-1], Mean: sum / float64(len(s))}
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
	Workers     int    // parallel games (0: all CPUs)
}

// Check reports the first option out of range.
func (o BatchOptions) Check() error {
	switch {
	case o.Games < 1:
		return fmt.Errorf("--games %d: want at least 1", o.Games)
	case o.BlocksLog2 < 1 || o.BlocksLog2 > 8:
		return fmt.Errorf("--blocks-log2 %d: want 1..8", o.BlocksLog2)
	case o.VM != "synthetic" && o.VM != "real":
		return fmt.Errorf("--vm %q: want synthetic or real", o.VM)
	case o.Model != "mlp" && o.Model != "cnn":
		return fmt.Errorf("--model %q: want mlp or cnn", o.Model)
	case o.FloodBonds < 0:
		return fmt.Errorf("--flood-bonds %d: want at least 0", o.FloodBonds)
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
// recorded in the output. It returns the output and the games' results.
func RunBatch(o BatchOptions, command string) (Output, []sim.Result, error) {
	scen, worlds, err := o.setUp()
	if err != nil {
		return Output{}, nil, err
	}
	rep, err := sim.Simulate(sim.SimOptions{Games: o.Games, Seed: o.Seed, Scenarios: scen, Worlds: worlds, Play: sim.DefaultPlay, Workers: o.Workers})
	if err != nil {
		return Output{}, nil, err
	}
	out := Output{Command: command, Model: o.Model, VM: o.VM, Profile: o.Profile, Seed: o.Seed, Games: o.Games,
		Aggregate: rep.Aggregate, Seconds: rep.Seconds, GamesPerSecond: rep.GamesPerSecond, ClaimsPerSecond: rep.ClaimsPerSecond,
		PeakHeapMB: float64(rep.PeakHeapBytes) / (1 << 20)}
	byClass := map[string][]sim.Result{}
	for _, r := range rep.Results {
		byClass[r.Scenario] = append(byClass[r.Scenario], r)
	}
	for _, s := range scen {
		out.Classes = append(out.Classes, summarizeClass(s, byClass[s.Name]))
	}
	return out, rep.Results, nil
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

// WriteText prints each game's line (unless quiet), the throughput and
// the aggregate.
func (o Output) WriteText(w io.Writer, results []sim.Result, quiet bool) {
	if !quiet {
		for i, r := range results {
			g := GameOf(i, r)
			fmt.Fprintf(w, "game %d %-17s seed %016x root-correct %-5v %-15s correct %-5v resolved %.2fd claims %d honest-gas %d honest-claims %d countered %d honest-bonds %d returned %d rejected %d\n",
				g.Game, g.Scenario, g.Seed, g.RootCorrect, g.Winner, g.Correct, float64(g.Resolved)/86400, g.Claims, g.Gas["honest"],
				g.HonestClaims, g.HonestCountered, g.HonestBonds, g.HonestReturned, g.Rejected)
		}
	}
	fmt.Fprintf(w, "model %s, vm %s, profile %s, %d games in %.2f s: %.1f games/s, %.0f claims/s, peak heap %.0f MB\n",
		o.Model, o.VM, o.Profile, o.Games, o.Seconds, o.GamesPerSecond, o.ClaimsPerSecond, o.PeakHeapMB)
	fmt.Fprint(w, o.Aggregate.String())
}

// WriteText prints the replayed game's line.
func (g Game) WriteText(w io.Writer) {
	fmt.Fprintf(w, "%s seed %016x root-correct %v: %s, correct %v, resolved %.2fd, %d claims, %s, rejected %d\n",
		g.Scenario, g.Seed, g.RootCorrect, g.Winner, g.Correct, float64(g.Resolved)/86400, g.Claims, g.Account.Text(), g.Rejected)
}

func summarizeClass(s sim.Scenario, rs []sim.Result) ClassSummary {
	var res, hg, ag, peak, locked []float64
	for _, r := range rs {
		res = append(res, float64(r.Resolved)/86400)
		var hon, adv uint64
		for p, g := range r.Gas {
			if sim.IsHonest(p) {
				hon += g
			} else {
				adv += g
			}
		}
		hg = append(hg, float64(hon))
		ag = append(ag, float64(adv))
		peak = append(peak, float64(r.HonestPeak)/1e9)
		locked = append(locked, r.HonestIntegral/1e9/86400)
	}
	return ClassSummary{Scenario: s.Name, Doc: s.Doc, Aggregate: sim.Summarize(rs, sim.DefaultPlay.GasPrice),
		Resolution: quartilesOf(res), HonestGas: quartilesOf(hg), AdvGas: quartilesOf(ag), HonestPeak: quartilesOf(peak), Locked: quartilesOf(locked)}
}

// WriteFiles writes games.json, games.csv, aggregate.json, classes.csv
// and the plots resolution.svg, gas.svg and capital.svg into dir, each
// completely or not at all.
func (res Output) WriteFiles(dir string, results []sim.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var games []Game
	for i, r := range results {
		games = append(games, GameOf(i, r))
	}
	gj, err := json.Marshal(games)
	if err != nil {
		return err
	}
	aj, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	files := map[string][]byte{
		"games.json":     append(gj, '\n'),
		"aggregate.json": append(aj, '\n'),
		"games.csv":      gamesCSV(games),
		"classes.csv":    classesCSV(res.Classes),
		"resolution.svg": []byte(boxChart("Time to resolution per adversary class", "days", res.Classes,
			series{"resolution", "#4878a8", func(c ClassSummary) Quartiles { return c.Resolution }})),
		"gas.svg": []byte(boxChart("Gas per game per adversary class", "million gas", res.Classes,
			series{"honest", "#4878a8", func(c ClassSummary) Quartiles { return scaleQ(c.HonestGas, 1e-6) }},
			series{"adversary", "#c8553d", func(c ClassSummary) Quartiles { return scaleQ(c.AdvGas, 1e-6) }})),
		"capital.svg": []byte(boxChart("Honest capital per game per adversary class", "ETH (peak bonds) / 100 ETH·days (locked)", res.Classes,
			series{"peak ETH", "#4878a8", func(c ClassSummary) Quartiles { return c.HonestPeak }},
			series{"locked ETH·days / 100", "#e0a030", func(c ClassSummary) Quartiles { return scaleQ(c.Locked, 0.01) }})),
	}
	for name, b := range files {
		if err := format.WriteFile(filepath.Join(dir, name), b); err != nil {
			return err
		}
	}
	return nil
}

func scaleQ(q Quartiles, f float64) Quartiles {
	return Quartiles{q.Min * f, q.Q1 * f, q.Median * f, q.Q3 * f, q.Max * f, q.Mean * f}
}

func gamesCSV(games []Game) []byte {
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write([]string{"game", "scenario", "seed", "root_correct", "winner", "correct", "resolved_s", "phase2_start_s", "phase3_start_s", "step_s",
		"claims", "max_fan_out", "honest_gas", "adversary_gas", "honest_peak_gwei", "honest_locked_eth_days",
		"honest_claims", "honest_claims_countered", "honest_countered_bonds_gwei", "honest_bonds_gwei", "honest_bonds_returned_gwei", "honest_claims_unresolved",
		"rejected_actions", "bonds_conserved", "clock_extensions", "honest_net_gwei"})
	for _, g := range games {
		var hon, adv uint64
		for p, gas := range g.Gas {
			if sim.IsHonest(dispute.Address(p)) {
				hon += gas
			} else {
				adv += gas
			}
		}
		u := func(x uint64) string { return strconv.FormatUint(x, 10) }
		w.Write([]string{strconv.Itoa(g.Game), g.Scenario, u(g.Seed), strconv.FormatBool(g.RootCorrect), g.Winner, strconv.FormatBool(g.Correct),
			u(g.Resolved), u(g.Phase2), u(g.Phase3), u(g.Step), strconv.Itoa(g.Claims), strconv.Itoa(g.MaxFanOut), u(hon), u(adv),
			u(g.HonestPeak), strconv.FormatFloat(g.HonestLocked, 'f', 3, 64),
			strconv.Itoa(g.HonestClaims), strconv.Itoa(g.HonestCountered), u(g.HonestCounteredBonds), u(g.HonestBonds), u(g.HonestReturned), strconv.Itoa(g.HonestUnresolved),
			strconv.Itoa(g.Rejected), strconv.FormatBool(g.Conserved), strconv.Itoa(g.Extensions), strconv.FormatInt(g.HonestNet, 10)})
	}
	w.Flush()
	return []byte(b.String())
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
