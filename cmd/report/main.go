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
// command. The measurements and the writing live in package
// internal/report (report.Run); this command parses the flags, prints one
// progress line per node and game on stderr, and exits 1 on an error.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/opcity-spec/opcity/internal/report"
)

func main() {
	o := report.Options{Progress: os.Stderr}
	flag.StringVar(&o.Root, "root", ".", "repository root")
	flag.IntVar(&o.Image, "image", 0, "MNIST test image")
	flag.StringVar(&o.Out, "out", "docs", "output folder (report.md and report/*.svg)")
	flag.Parse()
	if err := report.Run(o); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}
