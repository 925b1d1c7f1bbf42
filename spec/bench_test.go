package spec_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
)

// buildExample compiles examples/name for mips64 into dir.
func buildExample(b *testing.B, name string) []byte {
	out := filepath.Join(b.TempDir(), name+".elf")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, "./examples/"+name)
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=mips64", "GOMIPS64=softfloat", "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("build %s: %v\n%s", name, err, msg)
	}
	data, err := os.ReadFile(out)
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
