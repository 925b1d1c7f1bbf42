// Package report measures the base and OPcity profiles side by side on the
// bundled MNIST models and writes docs/report.md and its plots; `make
// report` runs it through cmd/report.
//
// For every node of both models on one test image it runs the node program
// under the base profile and the tensor node program under the OPcity
// profile from their committed absolute prestates (docs/opml.md §7.5) and
// records the VM steps, the trace-generation wall time, the peak live heap,
// the output commitment (which must be the native one under both) and the
// size of a step witness. It then plays the dispute game under each
// profile (dispute.go): a synthetic batch over the adversary library and
// real games with the node program in fpvm. Every figure in the report
// names the command that produced it.
//
// RunDisputeSim (disputesim.go; `make dispute-report`) writes the other
// generated report, docs/dispute-report.md: four batches of the adversary
// library (MLP and CNN, base and OPcity profiles) played and written as
// `opcity simulate --out` does (play.RunBatch, play.Output.WriteFiles),
// every number of the report taken from their outputs.
package report

import (
	"io"
	"os"
)

// Options says where Run reads and writes.
type Options struct {
	Root     string    // repository root (models/mnist and the node programs' sources); "" is the current folder
	Image    int       // MNIST test image the node runs infer
	Out      string    // output folder: Run writes Out/report.md, Out/report/steps.svg and Out/report/dispute.svg
	Progress io.Writer // one line per measured node and game; nil discards them
}

// Run measures both profiles as the package doc says and writes the report
// into o.Out. Each output file is written completely or not at all (a
// temporary file renamed over it), and nothing is written unless every
// measurement succeeded. Errors: a failed build, model load, VM run or
// game; a node whose VM output is not the native commitment; a dispute
// game decided wrongly or costing an honest claim or bond; a failed write.
func Run(o Options) error {
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	gas, err := readChainGas(o.Root)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "opcity-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pre, err := buildPrestates(o.Root, dir)
	if err != nil {
		return err
	}
	rows, err := measureNodes(o, pre)
	if err != nil {
		return err
	}
	sizes, err := witnessSizes(pre)
	if err != nil {
		return err
	}
	figs, err := disputeRun(o.Root, o.Progress)
	if err != nil {
		return err
	}
	return writeOutputs(o.Out, o.Image, rows, sizes, figs, gas)
}
