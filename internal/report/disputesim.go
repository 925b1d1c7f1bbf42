package report

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/format"
)

// DisputeSimOptions says what RunDisputeSim plays and where it writes.
type DisputeSimOptions struct {
	Root     string    // repository root (models/mnist); "" is the current folder
	Out      string    // output folder: Out/dispute-report.md and Out/dispute-sim/…; the recorded commands name it as given (run from the repository root, "docs")
	Games    int       // games per batch (the committed report: 10,000)
	Seed     uint64    // seed of every batch (the committed report: 1)
	Workers  int       // parallel games (0: all CPUs); the results do not depend on it (DISPUTE-SIM)
	Progress io.Writer // one line per batch; nil discards them
}

// simBatchSpec is one batch of the simulation report: its label in the
// tables, its model and profile, and its folder under Out/dispute-sim.
type simBatchSpec struct {
	label, model, profile, sub string
}

// simBatchSpecs are the report's four batches, in table order.
var simBatchSpecs = []simBatchSpec{
	{"MLP, base", "mlp", "base", ""},
	{"CNN, base", "cnn", "base", "cnn-base"},
	{"MLP, OPcity", "mlp", "opcity", "mlp-opcity"},
	{"CNN, OPcity", "cnn", "opcity", "cnn-opcity"},
}

// opcity simulate's defaults that the report's commands leave unnamed.
const (
	simFloodBonds = 20
	simBlocksLog2 = 2
)

// simBatch is one played batch: its spec, the folder its files went to,
// the equivalent `opcity simulate` command, the output, the wall time of
// play.RunBatch (set-up and games), the sizes of games.json and games.csv,
// and the geometry of its worlds.
type simBatch struct {
	simBatchSpec
	dir                 string
	command             string
	out                 play.Output
	wall                float64
	gamesJSON, gamesCSV int64
	geom                geometry
}

// RunDisputeSim plays the simulation report's four batches (MLP and CNN
// under the base and OPcity profiles, o.Games games each, seed o.Seed,
// every adversary class) with play.RunBatch, writes each batch's files
// into Out/dispute-sim/… as `opcity simulate --out` does
// (play.Output.WriteFiles), then writes Out/dispute-report.md from the
// results, every file completely or not at all (format.WriteFile).
// Errors: a failed batch or write; after writing the report, a batch that
// is not sound (a game decided wrongly, an honest claim countered, an
// honest bond kept or bonds not conserved: the report names them).
func RunDisputeSim(o DisputeSimOptions) error {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	var batches []simBatch
	for _, s := range simBatchSpecs {
		b, err := runSimBatch(o, s)
		if err != nil {
			return fmt.Errorf("%s: %v", s.label, err)
		}
		fmt.Fprintf(o.Progress, "%s: %d games in %.1f s, wrote %s\n", s.label, b.out.Games, b.wall, b.dir)
		batches = append(batches, b)
	}
	machine := fmt.Sprintf("%s, %s, %s/%s, %d CPUs", time.Now().UTC().Format("2006-01-02"), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	var md bytes.Buffer
	writeSimReport(&md, batches, machine)
	if err := format.WriteFile(filepath.Join(o.Out, "dispute-report.md"), md.Bytes()); err != nil {
		return err
	}
	for _, b := range batches {
		if !b.out.Sound() {
			return fmt.Errorf("%s: not every game decided correctly with every honest claim uncountered, every honest bond returned and bonds conserved (see %s)", b.label, filepath.Join(o.Out, "dispute-report.md"))
		}
	}
	return nil
}

// runSimBatch plays batch s of o, writes its files and measures its
// geometry.
func runSimBatch(o DisputeSimOptions, s simBatchSpec) (simBatch, error) {
	bo := play.BatchOptions{Games: o.Games, Seed: o.Seed, Adversaries: "all", FloodBonds: simFloodBonds, Model: s.model,
		BlocksLog2: simBlocksLog2, VM: "synthetic", Profile: s.profile, Data: filepath.Join(o.Root, "models", "mnist"), Root: o.Root, Workers: o.Workers}
	b := simBatch{simBatchSpec: s, dir: filepath.Join(o.Out, "dispute-sim", s.sub)}
	b.command = simCommand(bo, b.dir)
	files, err := play.CreateBatchFiles(b.dir)
	if err != nil {
		return b, err
	}
	start := time.Now()
	out, err := play.RunBatch(bo, b.command, files.Add)
	b.wall = time.Since(start).Seconds()
	if err == nil {
		err = files.Commit(out)
	}
	if err != nil {
		files.Abort()
		return b, err
	}
	b.out = out
	if b.gamesJSON, err = fileSize(filepath.Join(b.dir, "games.json")); err != nil {
		return b, err
	}
	if b.gamesCSV, err = fileSize(filepath.Join(b.dir, "games.csv")); err != nil {
		return b, err
	}
	b.geom, err = geometryOf(bo)
	return b, err
}

// simCommand returns the `opcity simulate` command line that plays batch
// o and writes its files into dir (run from the repository root).
func simCommand(o play.BatchOptions, dir string) string {
	args := []string{"opcity simulate", "--games", fmt.Sprint(o.Games), "--adversaries", o.Adversaries, "--seed", fmt.Sprint(o.Seed)}
	if o.Model != "mlp" {
		args = append(args, "--model", o.Model)
	}
	if o.Profile != "base" {
		args = append(args, "--profile", o.Profile)
	}
	return strings.Join(append(args, "--out", filepath.ToSlash(dir)), " ")
}

// fileSize returns the size of the file at path in bytes.
func fileSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// geometry is a batch's game tree and chain: the split depths, MaxDepth,
// the analytic duration bound (Config.MaxDuration, seconds), the clock,
// the number of chains and blocks per chain.
type geometry struct {
	split1, split2, maxDepth int
	maxDuration, maxClock    uint64
	chains, blocks           int
}

// vmDepth is the phase-3 depth, MaxDepth − Split2 − 1.
func (g geometry) vmDepth() int { return g.maxDepth - g.split2 - 1 }

// geometryOf builds the worlds batch o plays (play.Worlds, as
// play.RunBatch does) and returns their geometry.
func geometryOf(o play.BatchOptions) (geometry, error) {
	prof, err := play.ParseProfile(o.Profile)
	if err != nil {
		return geometry{}, err
	}
	worlds, err := play.Worlds(o.Data, o.Root, o.Model+".opml", o.BlocksLog2, o.VM, prof)
	if err != nil {
		return geometry{}, err
	}
	c := worlds[0].Cfg
	return geometry{split1: c.Split1, split2: c.Split2, maxDepth: c.MaxDepth, maxDuration: c.MaxDuration(), maxClock: c.MaxClock,
		chains: len(worlds), blocks: int(worlds[0].Blocks)}, nil
}
