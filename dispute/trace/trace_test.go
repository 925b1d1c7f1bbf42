package trace_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
)

// TestDISPUTE_TRACE_RealVM: the checkpointed node-program trace gives at
// every sampled trace index the hash of a straight run of j+1 steps (also
// when thinned to 3 checkpoints), pads past the exit with the final state,
// and its step data verifies in spec.VerifyStep to the next index's hash.
func TestDISPUTE_TRACE_RealVM(t *testing.T) {
	w := disputetest.RealWorld(t, 26)
	prog := disputetest.NodeProgram(t)
	g, err := w.Truth.Graph(0)
	if err != nil {
		t.Fatal(err)
	}
	const k = 3
	out := g.Commitments[g.Model.Model.FirstNodeTensor()+k]
	tr, err := w.Truth.VM(0, k, out)
	if err != nil {
		t.Fatal(err)
	}
	n := tr.Steps()
	final, _ := tr.Hash(n - 1)
	if final[0] != 0 {
		t.Fatalf("the true claim must end VALID, status %d", final[0])
	}
	if pad, _ := tr.Hash(n + 12345); pad != final {
		t.Fatal("padding past the exit is not the final state")
	}
	// A trace thinned to 3 checkpoints gives the same hashes.
	thin, err := (&trace.NodeVM{Program: prog, Every: 1 << 12, MaxCheckpoints: 3, Max: 1 << 32}).Factory()(g, k, out)
	if err != nil {
		t.Fatal(err)
	}
	if kept, every := trace.Checkpoints(thin); kept > 3 || every < n/4 {
		t.Fatalf("thinning: %d checkpoints every %d steps", kept, every)
	}
	for _, j := range []uint64{0, 4095, 4096, 777777, n - 1, n + 5} {
		a, _ := tr.Hash(j)
		b, err := thin.Hash(j)
		if err != nil || a != b {
			t.Fatalf("index %d: thinned trace %s (%v), default %s", j, b, err, a)
		}
	}
	// Straight runs from the initial state for a few indices.
	desc, ops, _ := g.Descriptor(k)
	data := nodevm.WithClaim(nodevm.NodeData(desc, ops), out)
	for _, j := range []uint64{0, 1, 131071, 131072, 500000, n - 2} {
		m := &nodevm.Machine{State: prog}
		m.Run(data, j+1)
		got, _ := tr.Hash(j)
		if m.State.Hash() != got {
			t.Fatalf("index %d: checkpointed %s, straight %s", j, got, m.State.Hash())
		}
		sd, proof, img, err := tr.StepData(int64(j))
		if err != nil {
			t.Fatal(err)
		}
		// The step's preimages as a game serves them in the phase-3 context
		// of node k with claim out: local key 1 the descriptor hash, local key
		// 2 the claimed output, and the keccak256 preimage the step reads,
		// uploaded under its oracle key.
		dh := dispute.Keccak(desc.Encode())
		o := spec.PreimageMap{guest.LocalKey(guest.LocalDescriptor): dh[:], guest.LocalKey(guest.LocalClaim): out[:]}
		if img != nil {
			o[guest.KeccakKey(dispute.Keccak(img))] = img
		}
		post, err := spec.VerifyStep(sd, proof, dispute.Hash{}, spec.Data{Preimages: o})
		want, _ := tr.Hash(j + 1)
		if err != nil || post != want {
			t.Fatalf("step from index %d: %v, post %s want %s", j, err, post, want)
		}
	}
}
