package report

import (
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// profiles are the two profiles every node runs under, in table order.
var profiles = []transition.Profile{transition.ProfileBase, transition.ProfileOPcity}

// reportModels are the bundled models the node tables cover, in table
// order (file stems under models/mnist).
var reportModels = []string{"mlp", "cnn", "vit"}

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

// modelRun is one model's native run on the test image: what every node's
// VM run is given and checked against.
type modelRun struct {
	name    string // file stem: mlp or cnn
	model   opml.Model
	tensors [][]byte   // every tensor's canonical bytes by id
	trace   opml.Trace // the native commitments
}

// buildPrestates builds the node program (base profile) and the tensor
// node program (OPcity profile) into dir and runs each to its first oracle
// read: their committed absolute prestates (docs/opml.md §7.5).
func buildPrestates(root, dir string) (map[transition.Profile]*nodevm.Machine, error) {
	progs := map[transition.Profile]string{transition.ProfileBase: nodevm.NodeProgram, transition.ProfileOPcity: nodevm.TensorNodeProgram}
	pre := map[transition.Profile]*nodevm.Machine{}
	for p, pkg := range progs {
		s, err := nodevm.Build(root, pkg, dir)
		if err != nil {
			return nil, err
		}
		m := &nodevm.Machine{State: s, Profile: p}
		if err := m.RunToOracle(1 << 32); err != nil {
			return nil, err
		}
		pre[p] = m
	}
	return pre, nil
}

// measureNodes runs every node of every report model on test image
// o.Image under both profiles from pre, in table order.
func measureNodes(o Options, pre map[transition.Profile]*nodevm.Machine) ([]nodeRow, error) {
	px, _, err := mnist.TestSet(filepath.Join(o.Root, "models", "mnist"), o.Image+1)
	if err != nil {
		return nil, err
	}
	var rows []nodeRow
	for _, name := range reportModels {
		mr, err := runModel(o.Root, name, px[o.Image])
		if err != nil {
			return nil, err
		}
		for k := range mr.model.Nodes {
			row, err := measureNode(mr, k, pre)
			if err != nil {
				return nil, err
			}
			rows = append(rows, row)
			fmt.Fprintf(o.Progress, "%s node %d %s: base %d steps, opcity %d steps\n", name, k, row.op, row.base.steps, row.opcity.steps)
		}
	}
	return rows, nil
}

// runModel loads models/mnist/NAME.opml under root and runs it natively on
// the image's pixels.
func runModel(root, name string, pixels []byte) (modelRun, error) {
	raw, err := limits.ReadFile(filepath.Join(root, "models", "mnist", name+".opml"), limits.Model)
	if err != nil {
		return modelRun{}, err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return modelRun{}, err
	}
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return modelRun{}, err
	}
	in := mnist.Input(pixels)
	tensors, err := e.Tensors(in)
	if err != nil {
		return modelRun{}, err
	}
	tr, err := e.Trace(in)
	if err != nil {
		return modelRun{}, err
	}
	return modelRun{name: name, model: m, tensors: tensors, trace: tr}, nil
}

// measureNode runs node k of mr under both profiles from pre with the
// right claim. Errors: a failed run, or an output commitment other than
// the native one.
func measureNode(mr modelRun, k int, pre map[transition.Profile]*nodevm.Machine) (nodeRow, error) {
	d, ops, err := opml.NodeDescriptorOf(mr.model, k, mr.tensors)
	if err != nil {
		return nodeRow{}, err
	}
	native := mr.trace.States[k].Output
	row := nodeRow{model: strings.ToUpper(mr.name), op: mr.model.Nodes[k].Op.String(), node: k, native: native.String()}
	o := nodevm.WithClaim(nodevm.NodeData(d, ops), native)
	for _, p := range profiles {
		r, err := measureFrom(pre[p], ops, o)
		if err != nil {
			return nodeRow{}, fmt.Errorf("%s node %d, %s profile: %v", mr.name, k, p, err)
		}
		if r.output != row.native {
			return nodeRow{}, fmt.Errorf("%s node %d, %s profile: output %s, native %s", mr.name, k, p, r.output, row.native)
		}
		if p == transition.ProfileBase {
			row.base = r
		} else {
			row.opcity = r
		}
	}
	return row, nil
}

// measureFrom runs a copy of the prestate pre, its step count reset and
// its tensor store holding ops, to exit with oracle o (measure).
func measureFrom(pre *nodevm.Machine, ops [][]byte, o transition.PreimageOracle) (profileRun, error) {
	m := *pre
	m.Steps = 0
	m.Tensors = spec.NewTensors(ops...)
	return measure(&m, o)
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
