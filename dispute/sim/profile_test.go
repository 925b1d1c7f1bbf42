package sim_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
	"pgregory.net/rapid"
)

// TestDISPUTE_PROFILE_Scenarios: under the OPcity profile (synthetic VM
// with OPcitySteps) every scenario of the library is decided correctly
// with no honest claim countered, every honest bond returned and bonds
// conserved.
func TestDISPUTE_PROFILE_Scenarios(t *testing.T) {
	w := opcitySynthetic(t)
	rep, err := sim.Simulate(sim.SimOptions{Games: 2 * len(sim.Scenarios()), Seed: 1, Scenarios: sim.Scenarios(), Worlds: []*trace.World{w}, Play: sim.DefaultPlay})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Aggregate
	if a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		t.Fatalf("opcity scenarios:\n%s", a)
	}
}

func opcitySynthetic(t testing.TB) *trace.World {
	set, err := trace.LoadMNIST(disputetest.ModelsDir, 16)
	if err != nil {
		t.Fatal(err)
	}
	w, err := set.NewWorld(trace.WorldConfig{ModelsDir: disputetest.ModelsDir, Model: "mlp.opml", Split1: 2, VMDepth: 27, Images: []int{0, 1, 2, 3}, Profile: spec.ProfileOPcity})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestDISPUTE_PROFILE_HonestProperty: TestDISPUTE_HONEST_Property's
// property under the OPcity profile (synthetic VM).
func TestDISPUTE_PROFILE_HonestProperty(t *testing.T) {
	w := opcitySynthetic(t)
	scen := sim.Scenarios()
	rapid.Check(t, func(rt *rapid.T) {
		s := scen[rapid.IntRange(0, len(scen)-1).Draw(rt, "scenario")]
		seed := rapid.Uint64().Draw(rt, "seed")
		r, err := sim.PlayScenario(w, s, seed, sim.DefaultPlay)
		if err != nil {
			rt.Fatal(err)
		}
		if !r.Correct() || r.HonestCountered != 0 || r.HonestReturned != r.HonestBonds || !r.Conserved {
			rt.Fatalf("%s seed %016x: status %s (root correct %v), %s, conserved %v", s.Name, seed, r.Status, r.RootCorrect, r.HonestAccount(), r.Conserved)
		}
	})
}
