package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// hostilePool is the 404-byte model of issue 15 item 3: an MNIST-shaped
// input and four MaxPool2D nodes, each a k×k window at stride 1 padded by
// k−1 on every side (each output larger than its input, each output element
// scanning k² positions).
func hostilePool(t *testing.T, k int) string {
	t.Helper()
	var b opml.Builder
	x := b.Input(opml.Int8, []int{1, 28, 28, 1}, opml.Quant{Scale: opml.Fixed{Mult: 1 << 30}})
	for range 4 {
		x = b.MaxPool2D(x, opml.Window{KH: k, KW: k, StrideH: 1, StrideW: 1, PadTop: k - 1, PadLeft: k - 1, PadBottom: k - 1, PadRight: k - 1})
	}
	m, err := b.Build(x)
	if err != nil {
		t.Fatal(err)
	}
	enc := opml.Encode(m)
	if len(enc) != 404 {
		t.Fatalf("hostile model: %d bytes, want 404", len(enc))
	}
	path := filepath.Join(t.TempDir(), "pool.opml")
	if err := os.WriteFile(path, enc, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
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
