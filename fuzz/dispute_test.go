package fuzz

import (
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
)

var (
	disputeOnce  sync.Once
	disputeWorld *trace.World
	disputeErr   error
)

// fuzzDisputeWorld is a chain of two MLP jobs (MNIST test images 0 and 1)
// with the synthetic phase-3 VM: the real game rules on a small game.
func fuzzDisputeWorld(t testing.TB) *trace.World {
	disputeOnce.Do(func() {
		set, err := trace.LoadMNIST("../models/mnist", 2)
		if err != nil {
			disputeErr = err
			return
		}
		disputeWorld, disputeErr = set.NewWorld(trace.WorldConfig{ModelsDir: "../models/mnist", Model: "mlp.opml", Split1: 1, VMDepth: 27, Images: []int{0, 1}})
	})
	if disputeErr != nil {
		t.Fatal(disputeErr)
	}
	return disputeWorld
}

// FuzzDisputeMoves: a sequence of moves, steps and resolutions decoded from
// bytes (arbitrary parents, directions, bonds, values and times, mixed with
// turns of the honest and the lying solver) never panics; every rejected
// action is a typed *dispute.Error with a defined code and leaves the game
// unchanged; after every clock expires each claim resolves exactly once,
// bottom-up, and the credits equal the bonds posted (DISPUTE-FUZZ,
// DISPUTE-ILLEGAL, DISPUTE-BOND). The check is sim.CheckActionSequence;
// the byte layout is in its doc comment.
func FuzzDisputeMoves(f *testing.F) {
	f.Add([]byte{})                                   // no action: the root alone resolves for the proposer
	f.Add([]byte{2, 1, 0, 0, 0})                      // one legal attack on the root with the exact bond
	f.Add([]byte{2, 1, 1, 0, 0, 2, 1, 2, 0, 0})       // wrong bonds: Bond−1 and the parent depth's bond
	f.Add([]byte{10, 1, 0, 0, 0})                     // a defense of the game root: CodeDefendRoot
	f.Add([]byte{2, 1, 0, 0, 0, 2, 1, 0, 0, 0})       // the same attack twice: CodeDuplicate
	f.Add([]byte{2, 0, 0, 0, 0, 3, 1, 0, 0, 0})       // a negative parent, then a step off the max depth
	f.Add([]byte{5, 1, 0, 0, 255, 7, 0, 255, 0, 0})   // premature resolution, then a long wait
	f.Add([]byte{1, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0}) // the liar and the honest solver alternate: phases 1 to 3
	seq := make([]byte, 0, 400)
	for range 40 { // a whole honest-versus-liar game down to the step, then moves in resolved subgames
		seq = append(seq, 1, 0, 0, 0, 2, 0, 0, 0, 0, 2)
	}
	seq = append(seq, 7, 0, 255, 0, 255, 6, 0, 0, 0, 0, 2, 3, 0, 1, 0)
	f.Add(seq)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := sim.CheckActionSequence(fuzzDisputeWorld(t), data); err != nil {
			t.Fatalf("%v\nreplay: go test ./fuzz -run 'FuzzDisputeMoves' with input %x", err, data)
		}
	})
}
