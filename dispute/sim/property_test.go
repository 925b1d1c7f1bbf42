package sim_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"pgregory.net/rapid"
)

// TestDISPUTE_HONEST_Property: whatever scenario of the adversary library
// and seed, the game's outcome is the truth, bonds are conserved (paid out
// == posted), and per claim, for every honest party (IsHonest: "honest"
// and the two-honest scenario's "honest-2"): no honest claim counters
// another honest claim, no honest claim is countered, and every honest
// claim resolves with its bond returned to its claimant. The check is per
// claim, not net: bonds won elsewhere must not hide a countered claim.
func TestDISPUTE_HONEST_Property(t *testing.T) {
	w := disputetest.SharedWorld(t)
	scen := sim.Scenarios()
	rapid.Check(t, func(rt *rapid.T) {
		s := scen[rapid.IntRange(0, len(scen)-1).Draw(rt, "scenario")]
		seed := rapid.Uint64().Draw(rt, "seed")
		var final dispute.Game
		pc := sim.DefaultPlay
		pc.Observe = func(g dispute.Game, _ uint64) { final = g }
		g, agents, correct, err := sim.StartScenario(w, s, seed)
		if err != nil {
			rt.Fatal(err)
		}
		_, r := sim.Play(g, agents, pc)
		r.RootCorrect = correct
		replay := fmt.Sprintf("replay: go run ./cmd/opcity simulate --adversaries %s --game-seed %016x", s.Name, seed)
		if !r.Correct() || !r.Conserved {
			rt.Fatalf("%s seed %016x: status %s (root correct %v), conserved %v, %s; %s", s.Name, seed, r.Status, correct, r.Conserved, r.HonestAccount(), replay)
		}
		if r.HonestCountered != 0 || r.HonestReturned != r.HonestBonds {
			rt.Fatalf("%s seed %016x: %s; %s", s.Name, seed, r.HonestAccount(), replay)
		}
		claims, bonds, faults := recountHonest(final)
		if len(faults) > 0 {
			rt.Fatalf("%s seed %016x: %s; %s", s.Name, seed, faults[0], replay)
		}
		if claims != r.HonestClaims || bonds != r.HonestBonds {
			rt.Fatalf("%s seed %016x: the final game has %d honest claims (%d gwei), the result %d (%d gwei)", s.Name, seed, claims, bonds, r.HonestClaims, r.HonestBonds)
		}
	})
}

// TestDISPUTE_SIM_Deterministic: the same seed gives the same results.
func TestDISPUTE_SIM_Deterministic(t *testing.T) {
	w := disputetest.SharedWorld(t)
	for _, s := range sim.Scenarios() {
		a, err1 := sim.PlayScenario(w, s, 42, sim.DefaultPlay)
		b, err2 := sim.PlayScenario(w, s, 42, sim.DefaultPlay)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(a, b) {
			t.Fatalf("%s: runs differ (%v %v)", s.Name, err1, err2)
		}
	}
}

// TestDISPUTE_SIM_Workers: a batch's results do not depend on the number
// of workers.
func TestDISPUTE_SIM_Workers(t *testing.T) {
	w := disputetest.SharedWorld(t)
	o := sim.SimOptions{Games: 24, Seed: 9, Scenarios: sim.Scenarios(), Worlds: []*trace.World{w}, Play: sim.DefaultPlay, Workers: 1}
	a, aResults := simulateAll(t, o)
	o.Workers = 3
	b, bResults := simulateAll(t, o)
	if len(aResults) != 24 || !reflect.DeepEqual(aResults, bResults) || !reflect.DeepEqual(a.Aggregate, b.Aggregate) {
		t.Fatal("results depend on the worker count")
	}
	if a.Aggregate.Correct != 24 {
		t.Fatalf("aggregate %+v", a.Aggregate)
	}
}

// simulateAll runs the batch o and returns its report and every result, in
// the order Simulate passed them on, checked to be game order.
func simulateAll(t *testing.T, o sim.SimOptions) (sim.Report, []sim.Result) {
	t.Helper()
	var rs []sim.Result
	o.Each = func(i int, r sim.Result) error {
		if i != len(rs) {
			t.Fatalf("result of game %d passed on after %d results", i, len(rs))
		}
		rs = append(rs, r)
		return nil
	}
	rep, err := sim.Simulate(o)
	if err != nil {
		t.Fatal(err)
	}
	return rep, rs
}
