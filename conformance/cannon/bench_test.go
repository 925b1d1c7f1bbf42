package cannon

import (
	"os"
	"runtime"
	"runtime/metrics"
	"sync/atomic"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/conformance/cannon/internal/cannonvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
)

// peakHeap samples the live heap every few milliseconds until stopped and
// returns the largest value seen, in bytes.
func peakHeap() (stop func() uint64) {
	runtime.GC()
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		return peak.Load()
	}
}

// BenchmarkProgram runs examples/bench (about 18 million steps) to exit in
// the spec and in Cannon's InstrumentedState (default memory layout, as
// LoadELF builds it), side by side, reporting steps/s and the peak live heap:
//
//	cd conformance/cannon && go test -run '^$' -bench BenchmarkProgram -count 6 | tee new.txt
func BenchmarkProgram(b *testing.B) {
	path := buildExample(b, "bench", b.TempDir())
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("vm=spec", func(b *testing.B) {
		var steps uint64
		stop := peakHeap()
		for i := 0; i < b.N; i++ {
			s, err := program.Load(data)
			if err != nil {
				b.Fatal(err)
			}
			s, n, err := spec.Run(s, spec.Data{}, 1<<40)
			if err != nil || !s.Exited {
				b.Fatalf("run: %v", err)
			}
			_ = s.Hash()
			steps += n
		}
		report(b, steps, stop())
	})
	b.Run("vm=cannon", func(b *testing.B) {
		var steps uint64
		stop := peakHeap()
		for i := 0; i < b.N; i++ {
			cs := loadCannon(b, path)
			vm := cannonvm.NewVM(cs, cannonvm.NewOracle(nil))
			for !cs.Exited {
				if _, err := vm.Step(false); err != nil {
					b.Fatal(err)
				}
			}
			_, _ = cs.EncodeWitness()
			steps += cs.Step
		}
		report(b, steps, stop())
	})
}

func report(b *testing.B, steps, peak uint64) {
	b.ReportMetric(float64(steps)/b.Elapsed().Seconds(), "steps/s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
