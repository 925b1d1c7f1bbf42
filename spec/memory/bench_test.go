package memory_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/opcity-spec/opcity/spec/memory"
)

// benchWindow is the 16 MiB window of the write benchmarks, at Cannon's
// HEAP_START.
const (
	benchBase   = 0x0000_1000_0000_0000
	benchWindow = 16 << 20
)

// benchAddrs returns n random aligned addresses in the window.
func benchAddrs(n int) []uint64 {
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]uint64, n)
	for i := range out {
		out[i] = benchBase + rng.Uint64N(benchWindow)&^7
	}
	return out
}

// benchMemory returns a memory with the whole window populated and hashed.
func benchMemory() memory.Memory {
	var m memory.Memory
	page := make([]byte, 4096)
	for a := uint64(0); a < benchWindow; a += 4096 {
		page[0], page[4095] = byte(a>>12), byte(a>>20)
		m = m.SetBytes(benchBase+a, page)
	}
	_ = m.Root()
	return m
}

func BenchmarkSetWord(b *testing.B) {
	m := benchMemory()
	addrs := benchAddrs(1 << 16)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m, _ = m.SetWord(addrs[i&(len(addrs)-1)], uint64(i))
		i++
	}
}

// BenchmarkRoot measures Root after N random writes to a hashed memory (the
// writes are outside the timer).
func BenchmarkRoot(b *testing.B) {
	base := benchMemory()
	for _, n := range []int{1, 16, 256} {
		b.Run(fmt.Sprintf("writes=%d", n), func(b *testing.B) {
			addrs := benchAddrs(n * 64)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				b.StopTimer()
				m := base
				for range n {
					m, _ = m.SetWord(addrs[i%len(addrs)], uint64(i)+1)
					i++
				}
				b.StartTimer()
				_ = m.Root()
			}
		})
	}
}

// BenchmarkProof measures Proof on a hashed memory (cached path) and right
// after a write (the proof rehashes the written path).
func BenchmarkProof(b *testing.B) {
	m := benchMemory()
	addrs := benchAddrs(1 << 12)
	b.Run("cached", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = m.Proof(addrs[i&(len(addrs)-1)])
			i++
		}
	})
	b.Run("afterWrite", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			a := addrs[i&(len(addrs)-1)]
			m2, _ := m.SetWord(a, uint64(i)+1)
			_ = m2.Proof(a)
			i++
		}
	})
}

// BenchmarkSetBytes16MiB measures loading a 16 MiB image (the ELF loader's
// path) and hashing it.
func BenchmarkSetBytes16MiB(b *testing.B) {
	data := make([]byte, benchWindow)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.SetBytes(benchWindow)
	b.ReportAllocs()
	for b.Loop() {
		_ = memory.Memory{}.SetBytes(benchBase, data).Root()
	}
}
