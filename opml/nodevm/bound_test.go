package nodevm

import (
	"errors"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml"
)

// poolModel is an MNIST-shaped input and one MaxPool2D node per window
// size k, a k×k window at stride 1 padded by k−1 on every side: the
// 404-byte hostile models of docs/opml.md §4.3 and §7.6.
func poolModel(t *testing.T, windows ...int) opml.Model {
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
	return m
}

// TestOPML_NODE_WORK_BOUND: ValidateSteps passes every bundled model at
// MaxSteps and at exactly its largest node estimate, and refuses it one
// step below with a *StepBoundError naming that node, its op, its
// estimate, work and bytes and the bound; the 404-byte MaxPool2D model with
// windows 28, 35, 64 is refused at node 2 (the first over 2^32), and
// CheckNodeSteps still admits its nodes 0 and 1 one by one.
func TestOPML_NODE_WORK_BOUND(t *testing.T) {
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		m, _ := loadModel(t, name)
		if err := ValidateSteps(m, MaxSteps); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		worst, est := 0, uint64(0)
		for k := range m.Nodes {
			if e := EstimateSteps(m, k); e > est {
				worst, est = k, e
			}
		}
		if err := ValidateSteps(m, est); err != nil {
			t.Errorf("%s at its largest estimate %d: %v", name, est, err)
		}
		err := ValidateSteps(m, est-1)
		var sb *StepBoundError
		if !errors.As(err, &sb) {
			t.Fatalf("%s below its largest estimate: %v, want *StepBoundError", name, err)
		}
		want := StepBoundError{Node: worst, Op: m.Nodes[worst].Op, Estimate: est, Work: NodeWork(m, worst), Bytes: NodeBytes(m, worst), Max: est - 1}
		if *sb != want {
			t.Errorf("%s: %+v, want %+v", name, *sb, want)
		}
		t.Logf("%s: %v", name, err)
	}
	m := poolModel(t, 28, 35, 64)
	err := ValidateSteps(m, MaxSteps)
	var sb *StepBoundError
	if !errors.As(err, &sb) || sb.Node != 2 || sb.Op != opml.OpMaxPool2D || sb.Estimate != EstimateSteps(m, 2) || sb.Max != MaxSteps {
		t.Fatalf("pool model: %v, want node 2 over %d", err, uint64(MaxSteps))
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "node 2 (MaxPool2D): about ") || strings.Contains(msg, "\n") {
		t.Errorf("message %q", msg)
	}
	for k := range 2 {
		if err := CheckNodeSteps(m, k, MaxSteps); err != nil {
			t.Errorf("pool model node %d: %v", k, err)
		}
	}
}
