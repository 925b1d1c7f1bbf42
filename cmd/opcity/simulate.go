package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
)

type simulateFlags struct {
	o          play.BatchOptions
	gameSeed   string
	out        string
	quiet, asJ bool
}

func defineSimulateFlags(fs *flag.FlagSet) *simulateFlags {
	f := &simulateFlags{}
	intVar(fs, &f.o.Games, "games", 100, 1, play.MaxGames, "number of games (the memory used does not grow with it)")
	uintVar(fs, &f.o.Seed, "seed", 1, 0, math.MaxUint64, "seed of the batch")
	fs.StringVar(&f.o.Adversaries, "adversaries", "all", "comma-separated adversary classes, or all (cycled across games): "+play.ScenarioNames())
	intVar(fs, &f.o.FloodBonds, "flood-bonds", 20, 0, play.MaxFloodBonds, "budget of the flood adversary, in depth-1 bonds")
	fs.StringVar(&f.o.Model, "model", "mlp", "model of the jobs: mlp or cnn")
	intVar(fs, &f.o.BlocksLog2, "blocks-log2", 2, 1, 8, "log2 of the chain's blocks (phase-1 depth)")
	fs.StringVar(&f.o.VM, "vm", "synthetic", "phase-3 VM: synthetic (node traces of measured length), or real (the node program in fpvm; slow for large nodes)")
	fs.StringVar(&f.o.Profile, "profile", "base", play.ProfileUsage)
	fs.StringVar(&f.o.Data, "data", filepath.Join("models", "mnist"), "folder with the models and the MNIST test set")
	fs.StringVar(&f.o.Root, "root", ".", "repository root (for --vm real, where the node program is built from)")
	intVar(fs, &f.o.Workers, "workers", 0, 0, sim.MaxWorkers, "parallel games (0: all CPUs; never more than --games)")
	fs.StringVar(&f.gameSeed, "game-seed", "", "replay one game: its seed (as printed, hex) on the first chain, with one --adversaries NAME")
	fs.StringVar(&f.out, "out", "", "write games.json, games.csv, aggregate.json, classes.csv and the plots to this folder")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the aggregate")
	fs.BoolVar(&f.asJ, "json", false, "print one JSON object (the aggregate.json object with game_results)")
	return f
}

// simulateCommand: opcity simulate (commands.go). It plays a seeded batch
// of games (play.RunBatch; docs/dispute.md §10), or replays one
// (--game-seed), and prints and writes the results. Exit status
// (requirement CLI-SIMULATE): 0 every game decided correctly, no honest
// claim countered, every honest bond returned (per claim, not net) and
// bonds conserved, 1 otherwise, 2 bad flags, data or an unwritable DIR.
func simulateCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("simulate", stderr)
	f := defineSimulateFlags(fs)
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		return badUsage("simulate", fmt.Errorf("unexpected arguments %q", fs.Args()), stderr)
	}
	if err := f.o.Check(); err != nil {
		return badUsage("simulate", err, stderr)
	}
	if f.gameSeed != "" {
		return replayGame(f, stdout, stderr)
	}
	sinks, err := newBatchSinks(f, stdout)
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	defer sinks.close()
	out, err := play.RunBatch(f.o, "opcity simulate "+strings.Join(args, " "), sinks.add)
	if err == nil {
		err = sinks.finish(out, stdout)
	}
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	if !out.Sound() {
		return exitRejected
	}
	return exitOK
}

// batchSinks are where a batch's games go as they complete: the per-game
// text lines (unless --quiet or --json), the --out folder, the --json
// spool.
type batchSinks struct {
	text  io.Writer
	files *play.BatchFiles
	spool *play.GameSpool
}

func newBatchSinks(f *simulateFlags, stdout io.Writer) (*batchSinks, error) {
	s := &batchSinks{}
	var err error
	if f.out != "" {
		if s.files, err = play.CreateBatchFiles(f.out); err != nil {
			return nil, err
		}
	}
	switch {
	case f.asJ:
		if s.spool, err = play.NewGameSpool(); err != nil {
			s.close()
			return nil, err
		}
	case !f.quiet:
		s.text = stdout
	}
	return s, nil
}

func (s *batchSinks) add(g play.Game) error {
	if s.text != nil {
		g.WriteBatchLine(s.text)
	}
	if s.files != nil {
		if err := s.files.Add(g); err != nil {
			return err
		}
	}
	if s.spool != nil {
		return s.spool.Add(g)
	}
	return nil
}

// finish completes the --out folder, then prints the --json object or the
// text output's summary lines.
func (s *batchSinks) finish(out play.Output, stdout io.Writer) error {
	if s.files != nil {
		if err := s.files.Commit(out); err != nil {
			return err
		}
	}
	if s.spool != nil {
		return s.spool.WriteOutput(stdout, out)
	}
	out.WriteText(stdout)
	return nil
}

func (s *batchSinks) close() {
	if s.files != nil {
		s.files.Abort()
	}
	if s.spool != nil {
		s.spool.Close()
	}
}

// replayGame plays the single game --game-seed names.
func replayGame(f *simulateFlags, stdout, stderr io.Writer) int {
	seed, err := parseGameSeed(f.gameSeed)
	if err != nil {
		return badUsage("simulate", fmt.Errorf("--game-seed %q: want the hex seed a batch prints", f.gameSeed), stderr)
	}
	g, err := play.Replay(f.o, seed)
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	if f.asJ {
		writeJSON(stdout, g)
	} else {
		g.WriteText(stdout)
	}
	if !g.Correct || !g.Account.Intact() || !g.Conserved {
		return exitRejected
	}
	return exitOK
}
