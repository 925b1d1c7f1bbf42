package mnist

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/opcity-spec/opcity/opml"
)

// benchInputs returns the model and the inputs of the first n test images.
func benchInputs(b *testing.B, model string, n int) (opml.Model, [][]byte) {
	raw, err := os.ReadFile(filepath.Join(data, model))
	if err != nil {
		b.Fatal(err)
	}
	m, err := opml.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	px, _, err := TestSet(data, n)
	if err != nil {
		b.Fatal(err)
	}
	in := make([][]byte, n)
	for i, p := range px {
		in[i] = Input(p)
	}
	return m, in
}

// How a benchmark runs the images of a batch.
const (
	infer = iota // Infer, one image after another: no commitments
	trace        // Trace, one image after another: every commitment, on the same goroutine
	batch        // TraceBatch: every commitment, hashed on a second goroutine while the next image runs
)

// benchInfer runs the bundled model on n test images per iteration through
// one Executor with the given goroutines per node, in the given mode. The
// metric images/s is what a batch costs per image.
func benchInfer(b *testing.B, model string, n, workers, mode int) {
	m, in := benchInputs(b, model, n)
	runs := make([][][]byte, n)
	for i, x := range in {
		runs[i] = [][]byte{x}
	}
	e, err := opml.NewExecutor(m, workers)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.Trace(in[0]); err != nil { // the constants' commitments, computed once per Executor
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if mode == batch {
			_, err = e.TraceBatch(runs)
		}
		for _, x := range in {
			switch mode {
			case infer:
				_, err = e.Infer(x)
			case trace:
				_, err = e.Trace(x)
			}
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "images/s")
}

// Native latency of the bundled models per image and per batch of 100
// images, without commitments (Infer), with every commitment hashed in line
// (Trace) and with every commitment hashed alongside the next image
// (TraceBatch, "Batch"):
//
//	go test ./opml/mnist -run '^$' -bench OPML_BENCH -count 6 | tee new.txt
//
// The commitment overhead is Trace100/Infer100 − 1 (one goroutine) and
// Batch100/Infer100 − 1 (the hashing on a second core).
func BenchmarkOPML_BENCH_MLP_Infer1(b *testing.B)   { benchInfer(b, "mlp.opml", 1, 1, infer) }
func BenchmarkOPML_BENCH_MLP_Trace1(b *testing.B)   { benchInfer(b, "mlp.opml", 1, 1, trace) }
func BenchmarkOPML_BENCH_MLP_Infer100(b *testing.B) { benchInfer(b, "mlp.opml", 100, 1, infer) }
func BenchmarkOPML_BENCH_MLP_Trace100(b *testing.B) { benchInfer(b, "mlp.opml", 100, 1, trace) }
func BenchmarkOPML_BENCH_MLP_Batch100(b *testing.B) { benchInfer(b, "mlp.opml", 100, 1, batch) }
func BenchmarkOPML_BENCH_CNN_Infer1(b *testing.B)   { benchInfer(b, "cnn.opml", 1, 1, infer) }
func BenchmarkOPML_BENCH_CNN_Trace1(b *testing.B)   { benchInfer(b, "cnn.opml", 1, 1, trace) }
func BenchmarkOPML_BENCH_CNN_Infer100(b *testing.B) { benchInfer(b, "cnn.opml", 100, 1, infer) }
func BenchmarkOPML_BENCH_CNN_Trace100(b *testing.B) { benchInfer(b, "cnn.opml", 100, 1, trace) }
func BenchmarkOPML_BENCH_CNN_Batch100(b *testing.B) { benchInfer(b, "cnn.opml", 100, 1, batch) }
