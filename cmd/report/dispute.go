package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// Dispute-game figures per model and profile: a synthetic batch of
// simGames games (seed simSeed, every scenario of the library), and one real
// game per profile and lying node.
const (
	simGames = 1400
	simSeed  = 1
)

// disputeModels are the models the dispute figures cover, with the nodes a
// real game disputes: the last (ArgMax) and the longest in the base profile
// (the MLP's FC 784→128, the CNN's FC 2704→64).
var disputeModels = []struct {
	file  string
	nodes []uint64
}{{"mlp.opml", []uint64{3, 0}}, {"cnn.opml", []uint64{7, 4}}}

// disputeFigures are one profile's dispute figures.
type disputeFigures struct {
	model    string
	profile  string
	vmDepth  int // phase-3 depth of the synthetic batch
	longest  uint64
	agg      sim.Aggregate
	seconds  float64
	gamesPS  float64
	claimsPS float64
	real     []realGame
}

// realGame is one real three-phase game with the node program in fpvm.
type realGame struct {
	node, steps     uint64
	vmDepth         int
	status          string
	stepped         bool
	claims          int
	resolvedDays    float64
	honestGas       uint64
	adversaryGas    uint64
	result          sim.Result // the game's metrics (its per-claim honest figures are tabled)
	wallSeconds     float64
	verifiedByIn    bool
	steppedFromStep uint64
}

func disputeRun(root, progDir string) ([]disputeFigures, error) {
	data := filepath.Join(root, "models", "mnist")
	set, err := trace.LoadMNIST(data, 32)
	if err != nil {
		return nil, err
	}
	var out []disputeFigures
	for _, dm := range disputeModels {
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			f, err := disputeProfile(root, progDir, data, set, dm.file, dm.nodes, p)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// disputeProfile measures one model under one profile.
func disputeProfile(root, progDir, data string, set *trace.MNISTSet, model string, nodes []uint64, p spec.Profile) (disputeFigures, error) {
	f := disputeFigures{model: model, profile: p.String()}
	for _, n := range trace.StepsIn(p, model) {
		f.longest = max(f.longest, n)
	}
	f.vmDepth = set.Model(model).VMDepth(p) // holds f.longest and the registration margin (DISPUTE-VMDEPTH)
	var worlds []*trace.World
	for w := range 8 {
		wc := trace.WorldConfig{ModelsDir: data, Model: model, Split1: 2, VMDepth: f.vmDepth, Profile: p}
		for b := range 4 {
			wc.Images = append(wc.Images, 4*w+b)
		}
		world, err := set.NewWorld(wc)
		if err != nil {
			return f, err
		}
		worlds = append(worlds, world)
	}
	rep, err := sim.Simulate(sim.SimOptions{Games: simGames, Seed: simSeed, Scenarios: sim.Scenarios(), Worlds: worlds, Play: sim.DefaultPlay})
	if err != nil {
		return f, err
	}
	f.agg, f.seconds, f.gamesPS, f.claimsPS = rep.Aggregate, rep.Seconds, rep.GamesPerSecond, rep.ClaimsPerSecond
	if a := f.agg; a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		return f, fmt.Errorf("%s, %s profile: a simulated game was decided wrongly, countered an honest claim, kept an honest bond or did not conserve bonds:\n%s", model, p, a)
	}
	fmt.Fprintf(os.Stderr, "dispute %s %s: %d games in %.1f s\n", model, p, f.agg.Games, f.seconds)
	pkg := nodevm.NodeProgram
	if p == spec.ProfileOPcity {
		pkg = nodevm.TensorNodeProgram
	}
	prog, err := nodevm.Build(root, pkg, progDir)
	if err != nil {
		return f, err
	}
	for _, k := range nodes {
		g, err := playReal(set, prog, model, p, k)
		if err != nil {
			return f, fmt.Errorf("%s, %s profile, real game at node %d: %v", model, p, k, err)
		}
		fmt.Fprintf(os.Stderr, "dispute %s %s: real game at node %d: %s in %.1f s\n", model, p, k, g.status, g.wallSeconds)
		f.real = append(f.real, g)
	}
	return f, nil
}

// playReal plays `opcity dispute --image 0 --lie node:K --profile P`'s game
// (sim.PlayReal): block 0 runs test image 1, block 1 image 0; the
// proposer's output is wrong at node k of block 1 and its VM trace lies
// from the middle step; the VM depth is the least that holds the model's
// registered step bound, made even so the proposer posts the max-depth
// claim and only a step can counter it.
func playReal(set *trace.MNISTSet, prog state.State, model string, p spec.Profile, k uint64) (realGame, error) {
	start := time.Now()
	nv := &trace.NodeVM{Program: prog, Profile: p, Every: 1 << 17, Max: 1 << 32}
	leaf := dispute.Hash(memory.Keccak256([]byte("opcity report: a wrong output")))
	played, err := sim.PlayReal(set, model, 0, nv, &sim.RealLie{Node: k, Leaf: leaf, Middle: true})
	if err != nil {
		return realGame{}, err
	}
	g, r := played.Game, played.Result
	rg := realGame{node: k, steps: played.NodeSteps, vmDepth: played.VMDepth, status: r.Status.String(), stepped: r.HonestStepped, claims: r.Claims,
		resolvedDays: float64(r.Resolved) / 86400, honestGas: r.Gas[sim.Honest], adversaryGas: r.Gas["proposer"], result: r}
	for _, a := range played.Steps {
		if g.Claim(a.Claim).CounteredBy != sim.Honest {
			continue
		}
		sc, err := g.CheckStep(a.Claim, a.Attack, a.StateData, a.Proof)
		if err != nil {
			return realGame{}, err
		}
		rg.verifiedByIn = sc.VerifyErr == nil && sc.Counters
		rg.steppedFromStep = sc.PreSteps
	}
	rg.wallSeconds = time.Since(start).Seconds()
	if r.Status != dispute.ChallengerWins || !rg.verifiedByIn || r.HonestCountered != 0 || r.HonestReturned != r.HonestBonds || !r.Conserved {
		return rg, fmt.Errorf("want the challenger to win by a verified step, no honest claim countered and every honest bond returned: %s; %+v", r.HonestAccount(), r)
	}
	return rg, nil
}

func writeDispute(w io.Writer, figs []disputeFigures) {
	fmt.Fprintf(w, `## Dispute game per profile

Generated by the same command. Under each profile the three-phase dispute
game (docs/dispute.md, "Profiles") runs its phase 3 on that profile's node
program: the node program on Cannon's syscalls (base) or the tensor node
program on tensor_map/tensor_root with the operands in D's tensor store
(OPcity), steps checked by spec.VerifyStepIn under the profile.

**Simulated** (`+"`sim.Simulate`"+`: %d games per model and profile, seed %d, every scenario of the
adversary library cycled, 8 chains of 4 jobs on test images 0–31; the
synthetic phase-3 VM with the profile's measured trace lengths —
`+"`trace.MeasuredSteps`"+` for base, `+"`trace.OPcitySteps`"+` for OPcity — and
a phase-3 depth that is the least holding the model's longest node trace):

| figure | MLP, base | MLP, OPcity | CNN, base | CNN, OPcity |
|---|---|---|---|---|
`, simGames, simSeed)
	row := func(name string, f func(d disputeFigures) string) {
		fmt.Fprintf(w, "| %s |", name)
		for _, d := range figs {
			fmt.Fprintf(w, " %s |", f(d))
		}
		fmt.Fprintln(w)
	}
	row("longest node trace (steps)", func(d disputeFigures) string { return commas(d.longest) })
	row("VM depth used (phase 3)", func(d disputeFigures) string { return fmt.Sprint(d.vmDepth) })
	row("games", func(d disputeFigures) string { return fmt.Sprint(d.agg.Games) })
	row("decided correctly", func(d disputeFigures) string {
		return fmt.Sprintf("%d (%.1f%%)", d.agg.Correct, pct(d.agg.Correct, d.agg.Games))
	})
	row("wrong roots defeated (accuracy)", func(d disputeFigures) string {
		return fmt.Sprintf("%d / %d (%.1f%%)", d.agg.WrongDefeated, d.agg.WrongRoots, pct(d.agg.WrongDefeated, d.agg.WrongRoots))
	})
	row("honest roots lost (false positives)", func(d disputeFigures) string {
		return fmt.Sprintf("%d / %d", d.agg.HonestLostRoots, d.agg.HonestRoots)
	})
	row("honest claims countered", func(d disputeFigures) string {
		s := fmt.Sprintf("%d / %d (%s gwei)", d.agg.HonestCountered, d.agg.HonestClaims, commas(d.agg.HonestCounteredBonds))
		if d.agg.WorstGameCountered > 0 {
			s += fmt.Sprintf("; %d games, worst %s seed %016x (%d)", d.agg.HonestCounteredGames, d.agg.WorstGameScenario, d.agg.WorstGameSeed, d.agg.WorstGameCountered)
		}
		return s
	})
	row("honest bonds returned", func(d disputeFigures) string {
		return fmt.Sprintf("%s / %s gwei", commas(d.agg.HonestReturned), commas(d.agg.HonestBonds))
	})
	row("mean / max resolution time", func(d disputeFigures) string {
		return fmt.Sprintf("%.2f d / %.2f d", d.agg.MeanResolvedDays, d.agg.MaxResolvedDays)
	})
	row("mean moves (claims per game)", func(d disputeFigures) string { return fmt.Sprintf("%.1f", d.agg.MeanClaims) })
	row("mean gas, honest / adversary", func(d disputeFigures) string {
		return fmt.Sprintf("%s / %s", commas(uint64(d.agg.MeanHonestGas)), commas(uint64(d.agg.MeanAdversaryGas)))
	})
	row("honest bonds won − posted (net, for reference)", func(d disputeFigures) string { return fmt.Sprintf("%+d gwei", d.agg.HonestNetGwei) })
	row("simulator throughput", func(d disputeFigures) string {
		return fmt.Sprintf("%.0f games/s (%.0f claims/s; %.1f s)", d.gamesPS, d.claimsPS, d.seconds)
	})
	fmt.Fprintf(w, `
![Dispute game per model and profile](report/dispute.svg)

The profile changes phase 3's trace lengths only: phases 1 and 2 and every
game rule are the same. The shorter OPcity traces need fewer bisection
levels in phase 3 (MLP %d versus %d, CNN %d versus %d), so games that reach
the VM take fewer moves, less gas and less time. Throughput is wall-clock on
this machine, all CPUs.

**Real games** (one per model, profile and disputed node, as `+"`opcity dispute [--model M] --image 0 --lie node:K --profile P`"+`:
block 1 = test image 0, the proposer's output is wrong at node K and
its VM trace lies from its middle step; the node program in fpvm; the VM
depth is the least holding the trace, made even so that only a step can
counter the proposer's max-depth claim):

| model | profile | node | node trace (steps) | VM depth | outcome | claims | resolved | honest claims countered | honest bonds returned | gas honest / proposer | honest step verified (VerifyStepIn) | wall time |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
`, figs[1].vmDepth, figs[0].vmDepth, figs[3].vmDepth, figs[2].vmDepth)
	for _, f := range figs {
		for _, g := range f.real {
			r := g.result
			fmt.Fprintf(w, "| %s | %s | %d | %s | %d | %s | %d | %.2f d | %d / %d | %s / %s gwei | %s / %s | %v (from step %s) | %.1f s |\n", f.model, f.profile, g.node, commas(g.steps), g.vmDepth,
				g.status, g.claims, g.resolvedDays, r.HonestCountered, r.HonestClaims, commas(r.HonestReturned), commas(r.HonestBonds),
				commas(g.honestGas), commas(g.adversaryGas), g.verifiedByIn, commas(g.steppedFromStep), g.wallSeconds)
		}
	}
	fmt.Fprintln(w)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
