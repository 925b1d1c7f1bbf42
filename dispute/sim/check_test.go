package sim_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"pgregory.net/rapid"
)

// TestDISPUTE_FUZZ_Sequences runs CheckActionSequence, the check behind
// FuzzDisputeMoves (fuzz/dispute_test.go), on random action sequences, and
// on one that plays a whole honest-versus-liar game down to a step and then
// moves in resolved subgames.
func TestDISPUTE_FUZZ_Sequences(t *testing.T) {
	w := disputetest.SharedWorld(t)
	var game []byte
	for range 40 {
		game = append(game, 1, 0, 0, 0, 2, 0, 0, 0, 0, 2)
	}
	game = append(game, 7, 0, 255, 0, 255, 6, 0, 0, 0, 0, 2, 3, 0, 1, 0)
	if err := sim.CheckActionSequence(w, game); err != nil {
		t.Fatal(err)
	}
	rapid.Check(t, func(rt *rapid.T) {
		data := rapid.SliceOfN(rapid.Byte(), 0, 200).Draw(rt, "actions")
		if err := sim.CheckActionSequence(w, data); err != nil {
			rt.Fatalf("%v\nreplay: go test ./dispute/sim -run TestDISPUTE_FUZZ_Sequences -rapid.seed=... (input %x)", err, data)
		}
	})
}
