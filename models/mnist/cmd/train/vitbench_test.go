package main

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkViTStep measures one training sample (forward and backward) of
// the shipped ViT shape, on as many goroutines as -cpu says (training uses
// two): go test ./cmd/train -run '^$' -bench ViTStep -cpu 1,2.
func BenchmarkViTStep(b *testing.B) {
	s := vitDefault.shape
	v := initViT(s, rand.New(rand.NewPCG(1, 2)))
	b.RunParallel(func(pb *testing.PB) {
		c, g := newCache(s), newViT(s)
		img := make([]float64, 784)
		for i := 200; i < 500; i++ {
			img[i] = 0.5
		}
		for pb.Next() {
			v.step(c, g, img, 3)
		}
	})
}
