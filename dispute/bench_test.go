package dispute

import "testing"

// BenchmarkSimulate measures the simulator's throughput on the MLP chain
// with the synthetic VM, cycling the adversary library (games/s).
func BenchmarkSimulate(b *testing.B) {
	w := testWorld(b, "mlp.opml", 2, 0)
	scen := Scenarios()
	b.ResetTimer()
	claims := 0
	for i := 0; i < b.N; i++ {
		r, err := PlayScenario(w, scen[i%len(scen)], uint64(i), DefaultPlay)
		if err != nil {
			b.Fatal(err)
		}
		claims += r.Claims
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "games/s")
	b.ReportMetric(float64(claims)/b.Elapsed().Seconds(), "claims/s")
}
