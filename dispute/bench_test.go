package dispute_test

import (
	"testing"

	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// BenchmarkSimulate measures the simulator's throughput on the MLP chain
// with the synthetic VM, cycling the adversary library (games/s).
func BenchmarkSimulate(b *testing.B) {
	w := disputetest.MNISTWorld(b, "mlp.opml", 2, 0)
	scen := sim.Scenarios()
	b.ResetTimer()
	claims := 0
	for i := 0; i < b.N; i++ {
		r, err := sim.PlayScenario(w, scen[i%len(scen)], uint64(i), sim.DefaultPlay)
		if err != nil {
			b.Fatal(err)
		}
		claims += r.Claims
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "games/s")
	b.ReportMetric(float64(claims)/b.Elapsed().Seconds(), "claims/s")
}
