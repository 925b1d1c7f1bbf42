package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// hostilePool writes the 404-byte four-MaxPool2D model of issue 15 item 3
// with one window size for every node: an MNIST-shaped input and four
// MaxPool2D nodes, each a k×k window at stride 1 padded by k−1 on every
// side (each output larger than its input, each output element scanning k²
// positions), and returns its path. issue15MaxPool is the model of the
// issue's report.
func hostilePool(t *testing.T, k int) string {
	t.Helper()
	enc := poolModel(t, []int{k, k, k, k})
	path := filepath.Join(t.TempDir(), "pool.opml")
	if err := os.WriteFile(path, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var updateTestdata = flag.Bool("update-testdata", false, "rewrite cmd/opcity/testdata/issue15-maxpool.opml from its generator")

// issue15Model is the committed model of issue 15 item 3's report,
// written by issue15MaxPool (TestCLI_NODE_BOUND_Issue15File).
const issue15Model = "testdata/issue15-maxpool.opml"

// issue15Windows are the window sizes of issue15MaxPool's four nodes.
var issue15Windows = []int{28, 121, 121, 121}

// issue15MaxPool returns the model of issue 15 item 3's report, as
// reconstructed from it: 404 bytes, an MNIST-shaped input and four
// MaxPool2D nodes, within the format's work limit, whose one node that
// opcity node runs takes about 46M VM steps, yet the command ran far
// longer than those steps take. Each node is a k×k window at stride 1
// padded by k−1 on every side (k = 28, 121, 121, 121): node 0's window is
// the image (46,258,160 VM steps on test image 0), and nodes 1 to 3 hold
// 4,244,059,875 of the model's 4,246,431,475 window positions (MaxWork is
// 2^32), mostly real pixels, which the native executor took about 7 s to
// compute when opcity node computed the whole model before running node 0.
// Nodes 1 to 3 are far over the step bound.
func issue15MaxPool(t *testing.T) []byte {
	t.Helper()
	return poolModel(t, issue15Windows)
}

// poolModel is an MNIST-shaped input and one MaxPool2D node per window
// size k: a k×k window at stride 1 padded by k−1 on every side; with four
// nodes it is 404 bytes, whatever the sizes.
func poolModel(t *testing.T, windows []int) []byte {
	t.Helper()
	var b opml.Builder
	x := b.Input(opml.Int8, []int{1, 28, 28, 1}, opml.Quant{Scale: opml.Fixed{Mult: 1 << 30}})
	for _, k := range windows {
		x = b.MaxPool2D(x, opml.Window{KH: k, KW: k, StrideH: 1, StrideW: 1, PadTop: k - 1, PadLeft: k - 1, PadBottom: k - 1, PadRight: k - 1})
	}
	m, err := b.Build(x)
	if err != nil {
		t.Fatal(err)
	}
	enc := opml.Encode(m)
	if len(enc) != 404 {
		t.Fatalf("MaxPool2D model %v: %d bytes, want 404", windows, len(enc))
	}
	return enc
}

// TestCLI_NODE_BOUND_Issue15File: the committed issue-15 model
// (cmd/opcity/testdata/issue15-maxpool.opml, which `make measure-node-bound`
// times) is exactly what issue15MaxPool writes, and it decodes: within the
// format's limits, work included. -update-testdata rewrites it.
func TestCLI_NODE_BOUND_Issue15File(t *testing.T) {
	want := issue15MaxPool(t)
	if *updateTestdata {
		if err := os.WriteFile(issue15Model, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(issue15Model)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s (%d bytes) differs from its generator's %d bytes; rerun with -update-testdata", issue15Model, len(got), len(want))
	}
	m, err := opml.Decode(got)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	work := 0
	for k := range m.Nodes {
		work += nodevm.NodeWork(m, k)
	}
	if work > opml.MaxWork || work < opml.MaxWork*98/100 {
		t.Errorf("work %d, want within 2%% under MaxWork %d", work, opml.MaxWork)
	}
}

// TestCLI_NODE_BOUND_Issue15: opcity node on each node of the issue-15
// model ends at once. Node 0 (28×28 window) runs to the verdict "claim
// right" (exit 0) with the node's own steps: opcity node computes natively
// only the nodes up to the one it runs (nodevm.NewJob), so the last three
// nodes' 4.2·10^9 window positions are never computed; nodes 1 to 3 are
// refused before anything runs (exit 2, one line, nothing on stdout). The
// time and memory each run takes are measured by `make
// measure-node-bound` (docs/opml.md §7.6), not here.
func TestCLI_NODE_BOUND_Issue15(t *testing.T) {
	code, out, errOut := run("node", "--model", issue15Model, "--data", mnistData, "--root", "../..", "--image", "0", "--node", "0", "--json")
	var res nodeResult
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK || res.Verdict != "claim right" || res.Output != res.Native {
		t.Fatalf("node 0: exit %d, %v, stdout %q, stderr %q", code, err, out, errOut)
	}
	if res.Steps < 40_000_000 || res.Steps > 52_000_000 {
		t.Errorf("node 0: %d steps, want about 46M", res.Steps)
	}
	t.Logf("node 0: %d steps, %s", res.Steps, res.Verdict)
	for _, k := range []string{"1", "2", "3"} {
		code, out, errOut := run("node", "--model", issue15Model, "--data", mnistData, "--root", "../..", "--image", "0", "--node", k)
		if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "phase-3 trace") {
			t.Errorf("node %s: exit %d, stdout %q, stderr %q", k, code, out, errOut)
		}
	}
}

// TestCLI_NODE_BOUND_Prefix: nodevm.NewJob, which computes only nodes
// 0..k natively, prepares every node of the bundled models and of the
// 404-byte model with 8×8 windows exactly as the whole model's run does:
// the same descriptor bytes, operands and native output commitment.
func TestCLI_NODE_BOUND_Prefix(t *testing.T) {
	raw, err := os.ReadFile(hostilePool(t, 8))
	if err != nil {
		t.Fatal(err)
	}
	pool, err := opml.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	pixels, _, err := mnist.Load(mnistData, "0")
	if err != nil {
		t.Fatal(err)
	}
	input := mnist.Input(pixels)
	for name, m := range map[string]opml.Model{"mlp.opml": bundled(t, "mlp.opml"), "cnn.opml": bundled(t, "cnn.opml"), "pool8": pool} {
		e, err := opml.NewExecutor(m, 1)
		if err != nil {
			t.Fatal(err)
		}
		tensors, err := e.Tensors(input)
		if err != nil {
			t.Fatal(err)
		}
		for k := range m.Nodes {
			job, err := nodevm.NewJob(&m, input, k)
			if err != nil {
				t.Fatalf("%s node %d: %v", name, k, err)
			}
			d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(job.Descriptor.Encode(), d.Encode()) || len(job.Operands) != len(ops) ||
				job.Native != opml.ComputeTensorRoot(tensors[m.Nodes[k].Output]) {
				t.Errorf("%s node %d: the job differs from the whole run's", name, k)
			}
			for i := range ops {
				if !bytes.Equal(job.Operands[i], ops[i]) {
					t.Errorf("%s node %d: operand %d differs from the whole run's", name, k, i)
				}
			}
		}
	}
}

// TestCLI_NODE_BOUND: the 404-byte four-MaxPool2D model (64×64 windows,
// within the format's work limit) is refused at once for its last node,
// whose estimate is far over 2^32 steps: exit 2, one line on stderr,
// nothing on stdout, no program built or run. Every node of the bundled
// models is under the bound.
func TestCLI_NODE_BOUND(t *testing.T) {
	path := hostilePool(t, 64)
	start := time.Now()
	code, out, errOut := run("node", "--model", path, "--data", mnistData, "--root", "../..", "--image", "0", "--node", "3")
	if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "phase-3 trace") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v, want at once", d)
	}
	t.Logf("%s", errOut)
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		m := bundled(t, name)
		for k := range m.Nodes {
			if err := checkNodeBound(m, k); err != nil {
				t.Errorf("%s node %d refused: %v", name, k, err)
			}
		}
	}
}

// TestCLI_NODE_BOUND_Calibration: nodevm.EstimateSteps is at least the
// measured trace length of every bundled node under both profiles
// (dispute/trace.MeasuredSteps, OPcitySteps: docs/opml.md §7.4, §7.5), and
// at most 4 times it for the nodes of more than 10 million steps, so the
// bound is conservative without being vacuous.
func TestCLI_NODE_BOUND_Calibration(t *testing.T) {
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		m := bundled(t, name)
		for k := range m.Nodes {
			est := nodevm.EstimateSteps(m, k)
			for _, steps := range []uint64{trace.MeasuredSteps[name][k], trace.OPcitySteps[name][k]} {
				if est < steps {
					t.Errorf("%s node %d (%s): estimate %d below the measured %d", name, k, m.Nodes[k].Op, est, steps)
				}
				if steps > 10_000_000 && est > 4*steps {
					t.Errorf("%s node %d (%s): estimate %d over 4× the measured %d", name, k, m.Nodes[k].Op, est, steps)
				}
			}
			t.Logf("%s node %d %-14s work %7d bytes %7d estimate %11d base %9d opcity %9d", name, k, m.Nodes[k].Op,
				nodevm.NodeWork(m, k), nodevm.NodeBytes(m, k), est, trace.MeasuredSteps[name][k], trace.OPcitySteps[name][k])
		}
	}
}

// bundled decodes models/mnist/name.
func bundled(t *testing.T, name string) opml.Model {
	t.Helper()
	raw, err := limits.ReadFile(filepath.Join(mnistData, name), limits.Model)
	if err != nil {
		t.Fatal(err)
	}
	m, err := opml.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
