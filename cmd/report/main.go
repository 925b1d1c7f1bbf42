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
// profile (cmd/report/dispute.go): a synthetic batch over the adversary
// library and real games with the node program in fpvm. Every figure in
// the report names this command.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

func main() {
	root := flag.String("root", ".", "repository root")
	image := flag.Int("image", 0, "MNIST test image")
	out := flag.String("out", "docs", "output folder (report.md and report/*.svg)")
	flag.Parse()
	if err := run(*root, *image, *out); err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
}

// profileRun is one node program run from its prestate to exit.
type profileRun struct {
	exec    string // the executor: fpvm or spec
	steps   uint64
	seconds float64
	peakMiB float64
	output  string
}

// nodeRow is one node under both profiles.
type nodeRow struct {
	model, op    string
	node         int
	native       string
	base, opcity profileRun
}

func run(root string, image int, out string) error {
	dir, err := os.MkdirTemp("", "opcity-report")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	progs := map[transition.Profile]string{transition.ProfileBase: nodevm.NodeProgram, transition.ProfileOPcity: nodevm.TensorNodeProgram}
	pre := map[transition.Profile]*nodevm.Machine{}
	for p, pkg := range progs {
		s, err := nodevm.Build(root, pkg, dir)
		if err != nil {
			return err
		}
		m := &nodevm.Machine{State: s, Profile: p}
		if err := m.RunToOracle(1 << 32); err != nil {
			return err
		}
		pre[p] = m
	}
	px, _, err := mnist.TestSet(filepath.Join(root, "models", "mnist"), image+1)
	if err != nil {
		return err
	}
	var rows []nodeRow
	for _, name := range []string{"mlp", "cnn"} {
		raw, err := os.ReadFile(filepath.Join(root, "models", "mnist", name+".opml"))
		if err != nil {
			return err
		}
		m, err := opml.Decode(raw)
		if err != nil {
			return err
		}
		e, err := opml.NewExecutor(m, 1)
		if err != nil {
			return err
		}
		in := mnist.Input(px[image])
		tensors, err := e.Tensors(in)
		if err != nil {
			return err
		}
		tr, err := e.Trace(in)
		if err != nil {
			return err
		}
		for k := range m.Nodes {
			d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
			if err != nil {
				return err
			}
			row := nodeRow{model: strings.ToUpper(name), op: m.Nodes[k].Op.String(), node: k, native: tr.States[k].Output.String()}
			o := nodevm.WithClaim(nodevm.NodeData(d, ops), tr.States[k].Output)
			for _, p := range []transition.Profile{transition.ProfileBase, transition.ProfileOPcity} {
				mc := *pre[p]
				mc.Steps = 0
				mc.Tensors = spec.NewTensors(ops...)
				r, err := measure(&mc, o)
				if err != nil {
					return fmt.Errorf("%s node %d, %s profile: %v", name, k, p, err)
				}
				if r.output != row.native {
					return fmt.Errorf("%s node %d, %s profile: output %s, native %s", name, k, p, r.output, row.native)
				}
				if p == transition.ProfileBase {
					row.base = r
				} else {
					row.opcity = r
				}
			}
			rows = append(rows, row)
			fmt.Fprintf(os.Stderr, "%s node %d %s: base %d steps, opcity %d steps\n", name, k, row.op, row.base.steps, row.opcity.steps)
		}
	}
	sizes, err := witnessSizes(pre)
	if err != nil {
		return err
	}
	figs, err := disputeRun(root, dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(out, "report"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "report", "dispute.svg"), disputeChart(figs), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "report", "steps.svg"), stepsChart(rows), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(out, "report.md"))
	if err != nil {
		return err
	}
	defer f.Close()
	writeReport(f, rows, sizes, image)
	writeDispute(f, figs)
	return nil
}

// measure runs m to exit with oracle o and returns the steps, the wall time,
// the peak live heap and the printed output commitment.
func measure(m *nodevm.Machine, o transition.PreimageOracle) (profileRun, error) {
	stop := peakHeap()
	start := time.Now()
	err := m.Run(o, 1<<36)
	secs := time.Since(start).Seconds()
	peak := stop()
	if err != nil {
		return profileRun{}, err
	}
	if st := state.StatusOf(m.State.Exited, m.State.ExitCode); st != state.StatusValid {
		return profileRun{}, fmt.Errorf("status %s", st)
	}
	h, _ := m.Output()
	return profileRun{exec: m.Executor(), steps: m.Steps, seconds: secs, peakMiB: float64(peak) / (1 << 20), output: h.String()}, nil
}

// peakHeap samples the live heap until stopped and returns the largest value.
func peakHeap() func() uint64 {
	runtime.GC()
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// witnessSizes returns the size of the witness (state and proof) of each
// profile's first oracle-read step from its prestate: constant, whatever
// the tensor's size (TENSOR-WITNESS-SIZE).
func witnessSizes(pre map[transition.Profile]*nodevm.Machine) (map[transition.Profile]int, error) {
	sizes := map[transition.Profile]int{}
	for p, m := range pre {
		_, w, err := spec.StepWithWitnessIn(p, m.State, spec.Data{})
		if err != nil && w.Proof == nil {
			return nil, fmt.Errorf("%s witness: %v", p, err)
		}
		sizes[p] = len(w.State) + spec.ProofSize
	}
	return sizes, nil
}

func writeReport(w io.Writer, rows []nodeRow, sizes map[transition.Profile]int, image int) {
	fmt.Fprintf(w, `# Base versus OPcity profile: measured

Generated by `+"`make report`"+` (`+"`go run ./cmd/report --image %d`"+`) on %s, %s/%s, %d CPUs.
Every figure below comes from that command: each node of both bundled MNIST
models on test image %d, run in the VM from the node program's committed
absolute prestate (docs/opml.md §7.5) to exit with the right claim — the node
program under the base profile, the tensor node program under the OPcity
profile. Both print the native executor's output commitment for every node
(the command fails otherwise).

`, image, time.Now().UTC().Format("2006-01-02"), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), image)
	fmt.Fprintf(w, "## VM steps, trace-generation time and memory per node\n\n")
	fmt.Fprintf(w, "| model | node | op | base steps | OPcity steps | ratio | base time | OPcity time | base peak heap | OPcity peak heap |\n|---|---|---|---|---|---|---|---|---|---|\n")
	type sum struct {
		base, opcity         uint64
		baseSecs, opcitySecs float64
		basePeak, opcityPeak float64
	}
	sums := map[string]*sum{}
	var order []string
	for _, r := range rows {
		if sums[r.model] == nil {
			sums[r.model] = &sum{}
			order = append(order, r.model)
		}
		sm := sums[r.model]
		sm.base += r.base.steps
		sm.opcity += r.opcity.steps
		sm.baseSecs += r.base.seconds
		sm.opcitySecs += r.opcity.seconds
		sm.basePeak = max(sm.basePeak, r.base.peakMiB)
		sm.opcityPeak = max(sm.opcityPeak, r.opcity.peakMiB)
		fmt.Fprintf(w, "| %s | %d | %s | %s | %s | %.1f× | %.3f s | %.3f s | %.1f MiB | %.1f MiB |\n", r.model, r.node, r.op,
			commas(r.base.steps), commas(r.opcity.steps), float64(r.base.steps)/float64(r.opcity.steps),
			r.base.seconds, r.opcity.seconds, r.base.peakMiB, r.opcity.peakMiB)
	}
	fmt.Fprintf(w, "\n| model | nodes | base steps per inference | OPcity steps per inference | mean ratio | base time | OPcity time | base peak heap | OPcity peak heap |\n|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range order {
		n := 0
		for _, r := range rows {
			if r.model == m {
				n++
			}
		}
		sm := sums[m]
		fmt.Fprintf(w, "| %s | %d | %s | %s | %.2f× | %.3f s | %.3f s | %.1f MiB | %.1f MiB |\n", m, n, commas(sm.base), commas(sm.opcity),
			float64(sm.base)/float64(sm.opcity), sm.baseSecs, sm.opcitySecs, sm.basePeak, sm.opcityPeak)
	}
	fmt.Fprintf(w, `
Per inference is the sum over the nodes (one VM run per node, each from the
prestate) of steps and times, and the largest peak heap of its nodes. The mean ratio is the ratio of the per-node means, the issue's
criterion (at least 5×). Times are wall-clock seconds of generating the
node's trace (running it to exit) in the executor `+"`nodevm.Machine`"+` uses
for that profile — base: %s, OPcity: %s (compare the times across profiles
only when both are the same executor); peak heap is the live heap sampled
every 5 ms.

![VM steps per node, log scale](report/steps.svg)

## Witness size

| profile | state + proof of one step |
|---|---|
| base | %d bytes |
| OPcity | %d bytes |

A tensor syscall's witness has the same size whatever the tensor's size
(slot 2 holds a region proof of at most 60 hashes; TENSOR-WITNESS-SIZE).

`, rows[0].base.exec, rows[0].opcity.exec, sizes[transition.ProfileBase], sizes[transition.ProfileOPcity])
}

// commas formats n with thousands separators.
func commas(n uint64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
