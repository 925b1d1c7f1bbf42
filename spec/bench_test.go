package spec_test

import (
	"runtime"
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/vectors"
)

// buildExample compiles examples/name for mips64 (vectors.BuildExample).
func buildExample(b *testing.B, name string) []byte {
	data, err := vectors.BuildExample("..", name, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkRunBench runs examples/bench to exit in the spec and reports
// steps/s and the peak heap (the most the Go heap held at any GC).
func BenchmarkRunBench(b *testing.B) {
	data := buildExample(b, "bench")
	b.ResetTimer()
	var steps uint64
	for i := 0; i < b.N; i++ {
		s, err := program.Load(data)
		if err != nil {
			b.Fatal(err)
		}
		s, n, err := spec.Run(s, spec.Data{}, 1<<40)
		if err != nil || !s.Exited {
			b.Fatalf("run: %v (exited %v)", err, s.Exited)
		}
		steps += n
	}
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(steps)/float64(b.N), "steps/op")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
}
