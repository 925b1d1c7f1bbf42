package report

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
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
// (the MLP's FC 784→128, the CNN's FC 2704→64), and for the ViT the last
// and its longest MatMul (node 21, the first MLP block's expansion).
var disputeModels = []struct {
	file  string
	nodes []uint64
}{{"mlp.opml", []uint64{3, 0}}, {"cnn.opml", []uint64{7, 4}}, {"vit.opml", []uint64{50, 21}}}

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

// disputeRun plays the dispute figures of every dispute model under both
// profiles, in table order (MLP base, MLP OPcity, CNN base, CNN OPcity),
// building the node programs for the real games (play.NodeProgram).
func disputeRun(root string, progress io.Writer) ([]disputeFigures, error) {
	data := filepath.Join(root, "models", "mnist")
	set, err := trace.LoadMNIST(data, 32)
	if err != nil {
		return nil, err
	}
	var out []disputeFigures
	for _, dm := range disputeModels {
		for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
			f, err := disputeProfile(root, data, set, dm.file, dm.nodes, p, progress)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// disputeProfile measures one model under one profile: the simulated batch
// (simulateProfile), then a real game at each of nodes (realGames).
func disputeProfile(root, data string, set *trace.MNISTSet, model string, nodes []uint64, p spec.Profile, progress io.Writer) (disputeFigures, error) {
	f, err := simulateProfile(data, set, model, p)
	if err != nil {
		return f, err
	}
	fmt.Fprintf(progress, "dispute %s %s: %d games in %.1f s\n", model, p, f.agg.Games, f.seconds)
	f.real, err = realGames(set, root, model, nodes, p, progress)
	return f, err
}

// simulateProfile plays the synthetic batch of one model under one profile:
// simGames games of every scenario over 8 chains of 4 jobs (test images
// 0–31), at the least phase-3 depth that holds the model's longest node
// trace. Errors: a failed world or simulation, or a game decided wrongly,
// countering an honest claim, keeping an honest bond or not conserving
// bonds.
func simulateProfile(data string, set *trace.MNISTSet, model string, p spec.Profile) (disputeFigures, error) {
	f := disputeFigures{model: model, profile: p.String()}
	for _, n := range trace.StepsIn(p, model) {
		f.longest = max(f.longest, n)
	}
	f.vmDepth = set.Model(model).VMDepth(p) // holds f.longest and the registration margin (DISPUTE-VMDEPTH)
	worlds, err := simWorlds(data, set, model, f.vmDepth, p)
	if err != nil {
		return f, err
	}
	rep, err := sim.Simulate(sim.SimOptions{Games: simGames, Seed: simSeed, Scenarios: sim.Scenarios(), Worlds: worlds, Play: sim.DefaultPlay})
	if err != nil {
		return f, err
	}
	f.agg, f.seconds, f.gamesPS, f.claimsPS = rep.Aggregate, rep.Seconds, rep.GamesPerSecond, rep.ClaimsPerSecond
	if a := f.agg; a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		return f, fmt.Errorf("%s, %s profile: a simulated game was decided wrongly, countered an honest claim, kept an honest bond or did not conserve bonds:\n%s", model, p, a)
	}
	return f, nil
}

// simWorlds returns the simulated batch's 8 chains of 4 jobs each, chain w
// on test images 4w to 4w+3.
func simWorlds(data string, set *trace.MNISTSet, model string, vmDepth int, p spec.Profile) ([]*trace.World, error) {
	var worlds []*trace.World
	for w := range 8 {
		wc := trace.WorldConfig{ModelsDir: data, Model: model, Split1: 2, VMDepth: vmDepth, Profile: p}
		for b := range 4 {
			wc.Images = append(wc.Images, 4*w+b)
		}
		world, err := set.NewWorld(wc)
		if err != nil {
			return nil, err
		}
		worlds = append(worlds, world)
	}
	return worlds, nil
}

// realGames builds the profile's node program (play.NodeProgram) and plays
// one real game per node of nodes (playReal).
func realGames(set *trace.MNISTSet, root, model string, nodes []uint64, p spec.Profile, progress io.Writer) ([]realGame, error) {
	nv, err := play.NodeProgram(root, p)
	if err != nil {
		return nil, err
	}
	var games []realGame
	for _, k := range nodes {
		g, err := playReal(set, nv, model, k)
		if err != nil {
			return nil, fmt.Errorf("%s, %s profile, real game at node %d: %v", model, p, k, err)
		}
		fmt.Fprintf(progress, "dispute %s %s: real game at node %d: %s in %.1f s\n", model, p, k, g.status, g.wallSeconds)
		games = append(games, g)
	}
	return games, nil
}

// playReal plays `opcity dispute --image 0 --lie node:K --profile P`'s game
// (play.Real): block 0 runs test image 1, block 1 image 0; the proposer's
// output is wrong at node k of block 1 and its VM trace lies from the
// middle step. The challenger must win by a step spec.VerifyStepIn
// executes, with no honest claim countered and every honest bond returned.
func playReal(set *trace.MNISTSet, nv *trace.NodeVM, model string, k uint64) (realGame, error) {
	start := time.Now()
	rep, err := play.Real(set, nv, model, 0, play.Lie{Kind: "node", Value: k}, -1)
	if err != nil {
		return realGame{}, err
	}
	r := rep.Result
	rg := realGame{node: k, steps: rep.NodeSteps, vmDepth: rep.VMDepth, status: r.Status.String(), stepped: r.HonestStepped, claims: r.Claims,
		resolvedDays: float64(r.Resolved) / 86400, honestGas: r.Gas[sim.Honest], adversaryGas: r.Gas["proposer"], result: r}
	if si := rep.SteppedInstruction; si != nil && si.Stepper == string(sim.Honest) {
		rg.verifiedByIn = si.VerifyStep == "ok" && si.Counters
		rg.steppedFromStep = si.PreSteps
	}
	rg.wallSeconds = time.Since(start).Seconds()
	if r.Status != dispute.ChallengerWins || !rg.verifiedByIn || !rep.Sound() {
		return rg, fmt.Errorf("want the challenger to win by a verified step, no honest claim countered and every honest bond returned: %s; %+v", r.HonestAccount(), r)
	}
	return rg, nil
}
