package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/opcity-spec/opcity/dispute/play"
)

type simulateFlags struct {
	o          play.BatchOptions
	gameSeed   string
	out        string
	quiet, asJ bool
}

func defineSimulateFlags(fs *flag.FlagSet) *simulateFlags {
	f := &simulateFlags{}
	fs.IntVar(&f.o.Games, "games", 100, "number of games")
	fs.Uint64Var(&f.o.Seed, "seed", 1, "seed of the batch")
	fs.StringVar(&f.o.Adversaries, "adversaries", "all", "comma-separated adversary classes, or all (cycled across games): "+play.ScenarioNames())
	fs.IntVar(&f.o.FloodBonds, "flood-bonds", 20, "budget of the flood adversary, in depth-1 bonds")
	fs.StringVar(&f.o.Model, "model", "mlp", "model of the jobs: mlp or cnn")
	fs.IntVar(&f.o.BlocksLog2, "blocks-log2", 2, "log2 of the chain's blocks (phase-1 depth), 1..8")
	fs.StringVar(&f.o.VM, "vm", "synthetic", "phase-3 VM: synthetic (node traces of measured length), or real (the node program in fpvm; slow for large nodes)")
	fs.StringVar(&f.o.Profile, "profile", "base", play.ProfileUsage)
	fs.StringVar(&f.o.Data, "data", filepath.Join("models", "mnist"), "folder with the models and the MNIST test set")
	fs.StringVar(&f.o.Root, "root", ".", "repository root (for --vm real, where the node program is built from)")
	fs.IntVar(&f.o.Workers, "workers", 0, "parallel games (0: all CPUs)")
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
	out, results, err := play.RunBatch(f.o, "opcity simulate "+strings.Join(args, " "))
	if err == nil && f.out != "" {
		err = out.WriteFiles(f.out, results)
	}
	if err != nil {
		fmt.Fprintln(stderr, "opcity simulate:", err)
		return exitBadInput
	}
	if f.asJ {
		for i, r := range results {
			out.GameResults = append(out.GameResults, play.GameOf(i, r))
		}
		writeJSON(stdout, out)
	} else {
		out.WriteText(stdout, results, f.quiet)
	}
	if !out.Sound() {
		return exitRejected
	}
	return exitOK
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
