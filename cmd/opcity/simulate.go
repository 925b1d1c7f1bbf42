package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// classSummary is one adversary class's aggregate and the quartiles that
// the plots draw.
type classSummary struct {
	Scenario   string        `json:"scenario"`
	Doc        string        `json:"doc"`
	Aggregate  sim.Aggregate `json:"aggregate"`
	Resolution quartiles     `json:"resolution_days"`
	HonestGas  quartiles     `json:"honest_gas"`
	AdvGas     quartiles     `json:"adversary_gas"`
	HonestPeak quartiles     `json:"honest_peak_eth"`
	Locked     quartiles     `json:"honest_locked_eth_days"`
}

// quartiles are min, lower quartile, median, upper quartile, max and mean.
type quartiles struct {
	Min, Q1, Median, Q3, Max, Mean float64
}

func quartilesOf(v []float64) quartiles {
	if len(v) == 0 {
		return quartiles{}
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	at := func(q float64) float64 { return s[int(q*float64(len(s)-1)+0.5)] }
	var sum float64
	for _, x := range s {
		sum += x
	}
	return quartiles{Min: s[0], Q1: at(0.25), Median: at(0.5), Q3: at(0.75), Max: s[len(s)-1], Mean: sum / float64(len(s))}
}

// simulateOutput is DIR/aggregate.json.
type simulateOutput struct {
	Command         string         `json:"command"`
	Model           string         `json:"model"`
	VM              string         `json:"vm"`
	Profile         string         `json:"profile"`
	Seed            uint64         `json:"seed"`
	Games           int            `json:"games"`
	Aggregate       sim.Aggregate  `json:"aggregate"`
	Classes         []classSummary `json:"classes"`
	Seconds         float64        `json:"seconds"`
	GamesPerSecond  float64        `json:"games_per_second"`
	ClaimsPerSecond float64        `json:"claims_per_second"`
}

// simulateCommand: opcity simulate --games N [--adversaries LIST|all]
// [--seed S] [--model mlp|cnn] [--profile base|opcity] [--data DIR] [--workers N] --out DIR.
// It plays N seeded games with the synthetic phase-3 VM (docs/dispute.md
// §10; phases 1 and 2 and every game rule are the real ones), cycling the
// adversary classes, and writes DIR/games.json and DIR/games.csv (one
// record per game), DIR/aggregate.json and DIR/classes.csv (overall and per
// class), and DIR/resolution.svg, DIR/gas.svg and DIR/capital.svg (box
// plots per class). Exit status (requirement CLI-SIMULATE): 0 every game
// decided correctly, no honest claim countered, every honest bond returned
// (per claim, not net) and bonds conserved, 1 otherwise, 2 bad flags or an
// unwritable DIR.
func simulateCommand(args []string, stdout, stderr io.Writer) int {
	const use = "opcity simulate: usage: opcity simulate --games N [--adversaries LIST|all] [--seed S] [--model mlp|cnn] [--profile base|opcity] [--data DIR] [--workers N] --out DIR"
	fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	games := fs.Int("games", 0, "number of games")
	advs := fs.String("adversaries", "all", "comma-separated adversary classes, or all: "+scenarioNames())
	seed := fs.Uint64("seed", 1, "seed of the batch")
	model := fs.String("model", "mlp", "model of the jobs: mlp or cnn")
	data := fs.String("data", filepath.Join("models", "mnist"), "folder with the models and the MNIST test set")
	workers := fs.Int("workers", 0, "parallel games (0: all CPUs)")
	out := fs.String("out", "", "output folder")
	profArg := fs.String("profile", "base", profileUsage)
	if err := fs.Parse(args); err != nil || fs.NArg() != 0 || *games < 1 || *out == "" || (*model != "mlp" && *model != "cnn") {
		fmt.Fprintln(stderr, use)
		return exitBadInput
	}
	prof, err := parseProfile(*profArg)
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	scen, err := parseAdversaries(*advs)
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	worlds, err := disputeWorlds(*data, ".", *model+".opml", 2, "synthetic", prof)
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	rep, err := sim.Simulate(sim.SimOptions{Games: *games, Seed: *seed, Scenarios: scen, Worlds: worlds, Play: sim.DefaultPlay, Workers: *workers})
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	res := simulateOutput{Command: "opcity simulate " + strings.Join(args, " "), Model: *model, VM: "synthetic", Profile: *profArg, Seed: *seed, Games: *games,
		Aggregate: rep.Aggregate, Seconds: rep.Seconds, GamesPerSecond: rep.GamesPerSecond, ClaimsPerSecond: rep.ClaimsPerSecond}
	byClass := map[string][]sim.Result{}
	for _, r := range rep.Results {
		byClass[r.Scenario] = append(byClass[r.Scenario], r)
	}
	for _, s := range scen {
		res.Classes = append(res.Classes, summarizeClass(s, byClass[s.Name]))
	}
	if err := writeSimulation(*out, res, rep.Results); err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	fmt.Fprintf(stdout, "model %s, vm synthetic, profile %s, %d games in %.2f s: %.1f games/s; wrote %s\n", *model, *profArg, *games, rep.Seconds, rep.GamesPerSecond, *out)
	fmt.Fprint(stdout, rep.Aggregate.String())
	a := rep.Aggregate
	if a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		return 1
	}
	return exitOK
}

// parseAdversaries returns the named scenarios, in library order.
func parseAdversaries(list string) ([]sim.Scenario, error) {
	want := map[string]bool{}
	for _, n := range strings.Split(list, ",") {
		want[strings.TrimSpace(n)] = true
	}
	var out []sim.Scenario
	for _, s := range sim.Scenarios() {
		if want["all"] || want[s.Name] {
			out = append(out, s)
			delete(want, s.Name)
		}
	}
	delete(want, "all")
	for n := range want {
		return nil, fmt.Errorf("unknown adversary class %q (%s)", n, scenarioNames())
	}
	return out, nil
}

func summarizeClass(s sim.Scenario, rs []sim.Result) classSummary {
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
	return classSummary{Scenario: s.Name, Doc: s.Doc, Aggregate: sim.Summarize(rs, sim.DefaultPlay.GasPrice),
		Resolution: quartilesOf(res), HonestGas: quartilesOf(hg), AdvGas: quartilesOf(ag), HonestPeak: quartilesOf(peak), Locked: quartilesOf(locked)}
}

// writeSimulation writes every output file into dir.
func writeSimulation(dir string, res simulateOutput, results []sim.Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var games []disputeGame
	for i, r := range results {
		games = append(games, gameJSON(i, r))
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
			series{"resolution", "#4878a8", func(c classSummary) quartiles { return c.Resolution }})),
		"gas.svg": []byte(boxChart("Gas per game per adversary class", "million gas", res.Classes,
			series{"honest", "#4878a8", func(c classSummary) quartiles { return scaleQ(c.HonestGas, 1e-6) }},
			series{"adversary", "#c8553d", func(c classSummary) quartiles { return scaleQ(c.AdvGas, 1e-6) }})),
		"capital.svg": []byte(boxChart("Honest capital per game per adversary class", "ETH (peak bonds) / 100 ETH·days (locked)", res.Classes,
			series{"peak ETH", "#4878a8", func(c classSummary) quartiles { return c.HonestPeak }},
			series{"locked ETH·days / 100", "#e0a030", func(c classSummary) quartiles { return scaleQ(c.Locked, 0.01) }})),
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func scaleQ(q quartiles, f float64) quartiles {
	return quartiles{q.Min * f, q.Q1 * f, q.Median * f, q.Q3 * f, q.Max * f, q.Mean * f}
}

func gamesCSV(games []disputeGame) []byte {
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

func classesCSV(cs []classSummary) []byte {
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
