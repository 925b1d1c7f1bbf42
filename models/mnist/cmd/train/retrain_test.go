package main

import (
	"bytes"
	"os"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/models/mnist"
	"github.com/opcity-spec/opcity/opml"
)

// retrainCommand is the command that runs TestOPML_VIT_RETRAIN.
const retrainCommand = "make retrain-vit (or: cd models/mnist && OPCITY_RETRAIN=1 go test -v -count=1 -timeout 90m -run TestOPML_VIT_RETRAIN ./cmd/train)"

// TestOPML_VIT_RETRAIN retrains the ViT with the shipped configuration
// (vitDefault) on the 60,000 MNIST training images, quantizes it and
// checks that the model file is byte for byte the committed
// models/mnist/vit.opml (requirement OPML-VIT-RETRAIN).
//
// Training takes minutes, so the test runs only when OPCITY_RETRAIN=1. It
// also needs the platform the file was made on. On linux/amd64 built with
// GOAMD64 v1 or v2, every float64 operation of training rounds the same on
// every CPU: the compiler fuses no multiply-add there, and the trainer
// avoids math.Exp and rand.NormFloat64, whose amd64 assembly rounds
// differently with and without FMA (vit.go, exp). arm64 and amd64 with
// GOAMD64=v3 fuse multiply-adds, so they may train a slightly different
// network.
func TestOPML_VIT_RETRAIN(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" || fusesMultiplyAdd() {
		t.Skipf("vit.opml was trained on linux/amd64 (GOAMD64 v1); on %s/%s %s the compiler may fuse multiply-adds, which rounds differently, so retraining need not give the same bytes",
			runtime.GOOS, runtime.GOARCH, amd64Level())
	}
	if os.Getenv("OPCITY_RETRAIN") != "1" {
		t.Skip("retraining the ViT takes about 20 minutes on 2 cores, so it runs only on request: " + retrainCommand)
	}
	want, err := os.ReadFile("../../vit.opml")
	if err != nil {
		t.Fatal(err)
	}
	train, _, err := mnist.Load()
	if err != nil {
		t.Fatalf("loading MNIST: %v", err)
	}
	start := time.Now()
	m, _, dur, err := buildViT(vitDefault, floats(train), train.Labels, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	got := opml.Encode(m)
	t.Logf("trained in %v (%v with quantizing and encoding): %d bytes, keccak256 %s",
		dur.Round(time.Second), time.Since(start).Round(time.Second), len(got), m.Hash())
	if !bytes.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		t.Fatalf("retrained model (%d bytes) differs from ../../vit.opml (%d bytes) first at byte %d; to replace the file: cd models/mnist && go run ./cmd/train -model vit",
			len(got), len(want), i)
	}
}

// amd64Level returns the GOAMD64 setting the test binary was built with
// ("" when there is none).
func amd64Level() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOAMD64" {
				return "GOAMD64=" + s.Value
			}
		}
	}
	return ""
}

// fusesMultiplyAdd reports whether the binary was built with GOAMD64 v3 or
// v4, where the compiler turns x*y + z into one fused instruction.
func fusesMultiplyAdd() bool {
	l := amd64Level()
	return l == "GOAMD64=v3" || l == "GOAMD64=v4"
}
