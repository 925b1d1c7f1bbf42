// Command bench50 is the heavy benchmark workload: the sieve, hash chain and
// sort of examples/bench, sized to run over 50 million steps.
//
//go:debug decoratemappings=0
package main

import (
	"crypto/sha256"
	"fmt"
	"sort"
)

func main() {
	const n = 400_000
	composite := make([]bool, n)
	primes := 0
	for i := 2; i < n; i++ {
		if !composite[i] {
			primes++
			for j := i * i; j < n; j += i {
				composite[j] = true
			}
		}
	}
	h := sha256.Sum256([]byte("opcity"))
	for i := 0; i < 2_000; i++ {
		h = sha256.Sum256(h[:])
	}
	xs := make([]int, 60_000)
	for i := range xs {
		xs[i] = (i * 2654435761) % 1_000_003
	}
	sort.Ints(xs)
	fmt.Printf("bench50: %d primes, hash %x, median %d\n", primes, h[:8], xs[len(xs)/2])
}
