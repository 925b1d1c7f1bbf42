package main

import (
	"math/rand/v2"
	"testing"
)

func BenchmarkViTStep(b *testing.B) {
	for _, s := range []vitShape{{64, 4, 128, 2}, {48, 4, 96, 2}} {
		b.Run("", func(b *testing.B) {
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
		})
	}
}
