package sim_test

import (
	"fmt"

	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// ExamplePlayScenario plays one game of the adversary library: a wrong
// output root defended in all three phases, defeated by the honest
// challenger.
func ExamplePlayScenario() {
	set, err := trace.LoadMNIST("../../models/mnist", 4)
	if err != nil {
		panic(err)
	}
	w, err := set.NewWorld(trace.WorldConfig{Model: "mlp.opml", Split1: 2, VMDepth: 27, Images: []int{0, 1, 2, 3}})
	if err != nil {
		panic(err)
	}
	s, _ := sim.ScenarioNamed("wrong-node")
	r, err := sim.PlayScenario(w, s, 1, sim.DefaultPlay)
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s: %s after %.2f days, %d claims; honest claims %d countered %d; honest bonds %d returned %d gwei\n",
		r.Scenario, r.Status, float64(r.Resolved)/86400, r.Claims, r.HonestClaims, r.HonestCountered, r.HonestBonds, r.HonestReturned)
	// Output: wrong-node: challenger wins after 4.17 days, 34 claims; honest claims 17 countered 0; honest bonds 181347830800 returned 181347830800 gwei
}
