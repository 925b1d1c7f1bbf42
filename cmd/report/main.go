// Command report measures the base and OPcity profiles side by side on the
// bundled MNIST models and writes docs/report.md and its plots (run by
// `make report` from the repository root):
//
//	go run ./cmd/report [--root .] [--image 0] [--out docs]
//
// For every node of both models on one test image it runs the node program
// under the base profile and the tensor node program under the OPcity
// profile from their committed absolute prestates (docs/opml.md §7.5) and
// records the VM steps, the trace-generation wall time, the peak live heap,
// the output commitment (which must be the native one under both) and the
// size of a step witness. It then plays the dispute game under each
// profile: a synthetic batch over the adversary library and real games
// with the node program in fpvm. Every figure in the report names this
// command.
//
// With --dispute-sim it instead writes the simulation report (run by `make
// dispute-report`):
//
//	go run ./cmd/report --dispute-sim [--root .] [--out docs] [--games 10000] [--seed 1] [--workers 0]
//
// four batches (MLP and CNN, base and OPcity profiles, every adversary
// class) as `opcity simulate --out` plays and writes them, into
// docs/dispute-sim/…, and docs/dispute-report.md from their results.
//
// The measurements and the writing live in package internal/report
// (report.Run, report.RunDisputeSim); this command parses the flags, prints
// one progress line per node, game or batch on stderr, and exits 1 on an
// error.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/opcity-spec/opcity/internal/report"
)

func main() {
	o := report.Options{Progress: os.Stderr}
	so := report.DisputeSimOptions{Progress: os.Stderr}
	sim := flag.Bool("dispute-sim", false, "write the simulation report (docs/dispute-report.md, docs/dispute-sim/…) instead of report.md")
	flag.StringVar(&o.Root, "root", ".", "repository root")
	flag.IntVar(&o.Image, "image", 0, "MNIST test image")
	flag.StringVar(&o.Out, "out", "docs", "output folder (report.md and report/*.svg; with --dispute-sim dispute-report.md and dispute-sim/)")
	flag.IntVar(&so.Games, "games", 10000, "with --dispute-sim: games per batch")
	flag.Uint64Var(&so.Seed, "seed", 1, "with --dispute-sim: seed of every batch")
	flag.IntVar(&so.Workers, "workers", 0, "with --dispute-sim: parallel games (0: all CPUs)")
	flag.Parse()
	var err error
	if *sim {
		so.Root, so.Out = o.Root, o.Out
		err = report.RunDisputeSim(so)
	} else {
		err = report.Run(o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}
