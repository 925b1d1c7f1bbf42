package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
)

// honestAccount is one game's per-claim honest accounting (sim.Result),
// over the claims of every honest party (sim.IsHonest). The game is
// sound for the honest parties iff no honest claim was countered and every
// honest bond was returned; the net figure is an extra, for reference only
// (bonds won elsewhere hide a countered claim in it).
type honestAccount struct {
	HonestClaims         int    `json:"honest_claims"`
	HonestCountered      int    `json:"honest_claims_countered"`
	HonestCounteredBonds uint64 `json:"honest_countered_bonds_gwei"`
	HonestBonds          uint64 `json:"honest_bonds_gwei"`
	HonestReturned       uint64 `json:"honest_bonds_returned_gwei"`
	HonestUnresolved     int    `json:"honest_claims_unresolved"`
	HonestNet            int64  `json:"honest_net_gwei"` // paid − posted (net, for reference)
}

func accountOf(r sim.Result) honestAccount {
	return honestAccount{HonestClaims: r.HonestClaims, HonestCountered: r.HonestCountered, HonestCounteredBonds: r.HonestCounteredBonds,
		HonestBonds: r.HonestBonds, HonestReturned: r.HonestReturned, HonestUnresolved: r.HonestUnresolved, HonestNet: r.HonestNet()}
}

// intact: no honest claim countered and every honest bond returned.
func (h honestAccount) intact() bool {
	return h.HonestCountered == 0 && h.HonestReturned == h.HonestBonds
}

// text is the per-claim figures first, then the net one. (Not String: the
// method would be promoted to the structs embedding honestAccount.)
func (h honestAccount) text() string {
	return fmt.Sprintf("honest claims %d countered %d (%d gwei); honest bonds %d returned %d gwei; honest net %+d gwei (net, for reference)",
		h.HonestClaims, h.HonestCountered, h.HonestCounteredBonds, h.HonestBonds, h.HonestReturned, h.HonestNet)
}

// disputeGame is one game of the --json output of `opcity dispute simulate`.
type disputeGame struct {
	Game         int               `json:"game"`
	Scenario     string            `json:"scenario"`
	Seed         uint64            `json:"seed"`
	RootCorrect  bool              `json:"root_correct"`
	Winner       string            `json:"winner"`
	Correct      bool              `json:"correct"`
	Resolved     uint64            `json:"resolved_s"`
	Phase2       uint64            `json:"phase2_start_s"`
	Phase3       uint64            `json:"phase3_start_s"`
	Step         uint64            `json:"step_s"`
	LastMove     uint64            `json:"last_move_s"`
	Claims       int               `json:"claims"`
	MaxFanOut    int               `json:"max_fan_out"`
	Moves        map[string]int    `json:"moves"`
	Gas          map[string]uint64 `json:"gas"`
	HonestPeak   uint64            `json:"honest_peak_gwei"`
	HonestLocked float64           `json:"honest_locked_eth_days"`
	honestAccount
	Rejected   int  `json:"rejected_actions"`
	Conserved  bool `json:"bonds_conserved"`
	Extensions int  `json:"clock_extensions"`
}

// disputeReport is the --json output.
type disputeReport struct {
	Model           string        `json:"model"`
	VM              string        `json:"vm"`
	Profile         string        `json:"profile"`
	Games           []disputeGame `json:"games"`
	Aggregate       sim.Aggregate `json:"aggregate"`
	Seconds         float64       `json:"seconds"`
	GamesPerSecond  float64       `json:"games_per_second"`
	ClaimsPerSecond float64       `json:"claims_per_second"`
	PeakHeapMB      float64       `json:"peak_heap_mb"`
}

// disputeCommand: opcity dispute simulate [--games N] [--seed S]
// [--adversary NAME|all] [--model mlp|cnn] [--blocks-log2 N] [--vm synthetic|real]
// [--profile base|opcity] [--data DIR] [--root REPO] [--workers N] [--quiet] [--json].
// It plays N seeded games of the three-phase dispute game on a chain of
// MNIST inference jobs and prints each game and the aggregate metrics.
// Exit status: 0 ok, 2 bad flags or data, 1 a game was decided wrongly, an
// honest claim was countered or an honest bond was not returned (per claim,
// not net), or bonds were not conserved.
func disputeCommand(args []string, stdout, stderr io.Writer) int {
	const use = "opcity dispute: usage: opcity dispute simulate [--games N] [--seed S] [--adversary NAME|all] [--model mlp|cnn] [--blocks-log2 N] [--vm synthetic|real] [--profile base|opcity] [--data DIR] [--root REPO] [--workers N] [--flood-bonds N] [--game-seed HEX] [--quiet] [--json]"
	if len(args) == 0 || args[0] != "simulate" {
		return playCommand(args, stdout, stderr)
	}
	fs := flag.NewFlagSet("dispute simulate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	games := fs.Int("games", 100, "number of games")
	seed := fs.Uint64("seed", 1, "seed of the batch")
	adv := fs.String("adversary", "all", "scenario name, or all (cycled across games): "+scenarioNames())
	model := fs.String("model", "mlp", "model of the jobs: mlp or cnn")
	blocks := fs.Int("blocks-log2", 2, "log2 of the chain's blocks (phase-1 depth), 1..8")
	vm := fs.String("vm", "synthetic", "phase-3 VM: synthetic (node traces of measured length), or real (the node program in fpvm; slow for large nodes)")
	data := fs.String("data", filepath.Join("models", "mnist"), "folder with the models and the MNIST test set")
	root := fs.String("root", ".", "repository root (for --vm real, where the node program is built from)")
	workers := fs.Int("workers", 0, "parallel games (0: all CPUs)")
	flood := fs.Int("flood-bonds", 20, "budget of the flood adversary, in depth-1 bonds")
	gameSeed := fs.String("game-seed", "", "replay one game: its seed (as printed, hex) on the first chain, with --adversary NAME")
	quiet := fs.Bool("quiet", false, "print only the aggregate")
	asJSON := fs.Bool("json", false, "print one JSON object")
	profArg := fs.String("profile", "base", profileUsage)
	if err := fs.Parse(args[1:]); err != nil || fs.NArg() != 0 || *games < 1 || *blocks < 1 || *blocks > 8 || (*vm != "synthetic" && *vm != "real") || (*model != "mlp" && *model != "cnn") {
		fmt.Fprintln(stderr, use)
		return exitBadInput
	}
	prof, err := parseProfile(*profArg)
	if err != nil {
		fmt.Fprintln(stderr, "opcity dispute:", err)
		return exitBadInput
	}
	var scen []sim.Scenario
	for _, s := range sim.Scenarios() {
		if s.Name == "flood" {
			s = sim.FloodScenario(*flood)
		}
		if *adv == "all" || *adv == s.Name {
			scen = append(scen, s)
		}
	}
	if len(scen) == 0 || *flood < 0 {
		fmt.Fprintf(stderr, "opcity dispute: unknown adversary %q (%s)\n", *adv, scenarioNames())
		return exitBadInput
	}
	worlds, err := disputeWorlds(*data, *root, *model+".opml", *blocks, *vm, prof)
	if err != nil {
		fmt.Fprintln(stderr, "opcity dispute:", err)
		return exitBadInput
	}
	if *gameSeed != "" {
		return replayGame(*gameSeed, scen, worlds[0], *asJSON, stdout, stderr)
	}
	rep, err := sim.Simulate(sim.SimOptions{Games: *games, Seed: *seed, Scenarios: scen, Worlds: worlds, Play: sim.DefaultPlay, Workers: *workers})
	if err != nil {
		fmt.Fprintln(stderr, "opcity dispute:", err)
		return exitBadInput
	}
	out := disputeReport{Model: *model, VM: *vm, Profile: *profArg, Aggregate: rep.Aggregate, Seconds: rep.Seconds, GamesPerSecond: rep.GamesPerSecond, ClaimsPerSecond: rep.ClaimsPerSecond, PeakHeapMB: float64(rep.PeakHeapBytes) / (1 << 20)}
	for i, r := range rep.Results {
		out.Games = append(out.Games, gameJSON(i, r))
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(out)
	} else {
		if !*quiet {
			for _, g := range out.Games {
				fmt.Fprintf(stdout, "game %d %-17s seed %016x root-correct %-5v %-15s correct %-5v resolved %.2fd claims %d honest-gas %d honest-claims %d countered %d honest-bonds %d returned %d rejected %d\n",
					g.Game, g.Scenario, g.Seed, g.RootCorrect, g.Winner, g.Correct, float64(g.Resolved)/86400, g.Claims, g.Gas["honest"],
					g.HonestClaims, g.HonestCountered, g.HonestBonds, g.HonestReturned, g.Rejected)
			}
		}
		fmt.Fprintf(stdout, "model %s, vm %s, profile %s, %d games in %.2f s: %.1f games/s, %.0f claims/s, peak heap %.0f MB\n", *model, *vm, *profArg, *games, rep.Seconds, rep.GamesPerSecond, rep.ClaimsPerSecond, out.PeakHeapMB)
		fmt.Fprint(stdout, rep.Aggregate.String())
	}
	a := rep.Aggregate
	if a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		return 1
	}
	return exitOK
}

func gameJSON(i int, r sim.Result) disputeGame {
	g := disputeGame{Game: i, Scenario: r.Scenario, Seed: r.Seed, RootCorrect: r.RootCorrect, Winner: r.Status.String(), Correct: r.Correct(),
		Resolved: r.Resolved, Phase2: r.PhaseStart[2], Phase3: r.PhaseStart[3], Step: r.PhaseStart[0], LastMove: r.LastMove, Claims: r.Claims, MaxFanOut: r.MaxFanOut,
		Moves: map[string]int{}, Gas: map[string]uint64{}, HonestPeak: r.HonestPeak, HonestLocked: r.HonestIntegral / 1e9 / 86400,
		honestAccount: accountOf(r), Conserved: r.Conserved, Extensions: r.Extensions}
	for p, kinds := range r.Actions {
		g.Moves[string(p)] = kinds[dispute.ActMove]
	}
	for p, gas := range r.Gas {
		g.Gas[string(p)] = gas
	}
	for _, n := range r.Rejected {
		g.Rejected += n
	}
	return g
}

func scenarioNames() string {
	var names []string
	for _, s := range sim.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

const profileUsage = "VM profile of phase 3: base (the node program on Cannon's syscalls) or opcity (the tensor node program on tensor_map/tensor_root)"

// parseProfile parses --profile.
func parseProfile(s string) (spec.Profile, error) {
	switch s {
	case "base":
		return spec.ProfileBase, nil
	case "opcity":
		return spec.ProfileOPcity, nil
	}
	return spec.ProfileBase, fmt.Errorf("--profile %q: want base or opcity", s)
}

// nodeProgram builds the node program of profile p and returns its
// phase-3 NodeVM.
func nodeProgram(root string, p spec.Profile) (*trace.NodeVM, error) {
	dir, err := os.MkdirTemp("", "opcity-dispute")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	pkg := nodevm.NodeProgram
	if p == spec.ProfileOPcity {
		pkg = nodevm.TensorNodeProgram
	}
	prog, err := nodevm.Build(root, pkg, dir)
	if err != nil {
		return nil, fmt.Errorf("%v\n(run it from the repository root, or give --root)", err)
	}
	return &trace.NodeVM{Program: prog, Profile: p, Every: 1 << 17, Max: 1 << 32}, nil
}

// disputeWorlds builds 8 chains over consecutive MNIST test images.
func disputeWorlds(data, root, model string, blocks int, vm string, p spec.Profile) ([]*trace.World, error) {
	n := 1 << blocks
	set, err := trace.LoadMNIST(data, 8*n)
	if err != nil {
		return nil, err
	}
	wc := trace.WorldConfig{ModelsDir: data, Model: model, Split1: blocks, VMDepth: 27, Profile: p}
	if vm == "real" {
		nv, err := nodeProgram(root, p)
		if err != nil {
			return nil, err
		}
		wc.VM, wc.Prestate = nv.Factory(), nv.Program.Hash()
	}
	var worlds []*trace.World
	for w := range 8 {
		wc.Images = nil
		for b := range n {
			wc.Images = append(wc.Images, w*n+b)
		}
		world, err := set.NewWorld(wc)
		if err != nil {
			return nil, err
		}
		worlds = append(worlds, world)
	}
	return worlds, nil
}

// replayGame plays the single game a failure report names.
func replayGame(seedArg string, scen []sim.Scenario, w *trace.World, asJSON bool, stdout, stderr io.Writer) int {
	seed, err := strconv.ParseUint(strings.TrimPrefix(seedArg, "0x"), 16, 64)
	if err != nil || len(scen) != 1 {
		fmt.Fprintln(stderr, "opcity dispute: --game-seed needs a hex seed and one --adversary NAME")
		return exitBadInput
	}
	r, err := sim.PlayScenario(w, scen[0], seed, sim.DefaultPlay)
	if err != nil {
		fmt.Fprintln(stderr, "opcity dispute:", err)
		return exitBadInput
	}
	g := gameJSON(0, r)
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(g)
	} else {
		fmt.Fprintf(stdout, "%s seed %016x root-correct %v: %s, correct %v, resolved %.2fd, %d claims, %s, rejected %d\n",
			g.Scenario, g.Seed, g.RootCorrect, g.Winner, g.Correct, float64(g.Resolved)/86400, g.Claims, g.honestAccount.text(), g.Rejected)
	}
	if !g.Correct || !g.intact() || !g.Conserved {
		return 1
	}
	return exitOK
}
