package sim_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute/internal/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
)

func TestDISPUTE_SIM_Scenarios(t *testing.T) {
	w := disputetest.MNISTWorld(t, "mlp.opml", 2, 0)
	for _, s := range sim.Scenarios() {
		r, err := sim.PlayScenario(w, s, 1, sim.DefaultPlay)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-18s status %-16s correct %v claims %3d resolved %.1fd honest claims %d countered %d bonds %d returned %d net %+d conserved %v rejected %v stepped %v actions %v",
			s.Name, r.Status, r.Correct(), r.Claims, float64(r.Resolved)/86400, r.HonestClaims, r.HonestCountered, r.HonestBonds, r.HonestReturned, r.HonestNet(), r.Conserved, r.Rejected, r.HonestStepped, r.Actions)
	}
}
