package fpvm_test

import (
	"testing"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
)

// BenchmarkRun runs examples/bench to exit in fpvm (load excluded) and
// reports steps/s.
func BenchmarkRun(b *testing.B) {
	s := loadExample(b, "bench")
	var steps uint64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		vm, err := fpvm.FromState(s)
		if err != nil {
			b.Fatal(err)
		}
		n, err := vm.Run(spec.Data{}, 1<<40)
		if err != nil || !vm.Exited {
			b.Fatalf("run: %v", err)
		}
		steps += n
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
}
