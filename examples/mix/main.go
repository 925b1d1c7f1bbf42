// Command mix is the second heavy benchmark workload, unlike examples/bench:
// a Keccak-256 chain, a hash map of structs, string building and goroutines
// exchanging work over channels, over 50 million steps in all.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/crypto/sha3"
)

type entry struct {
	key   string
	count int
	sum   uint64
}

func main() {
	h := sha3.NewLegacyKeccak256()
	digest := []byte("opcity")
	for i := 0; i < 1_000; i++ {
		h.Reset()
		h.Write(digest)
		digest = h.Sum(digest[:0])
	}
	table := map[string]*entry{}
	var b strings.Builder
	for i := 0; i < 20_000; i++ {
		b.Reset()
		fmt.Fprintf(&b, "k%d", (i*7919)%5_003)
		k := b.String()
		e := table[k]
		if e == nil {
			e = &entry{key: k}
			table[k] = e
		}
		e.count++
		e.sum += uint64(i)
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	work, results := make(chan uint64), make(chan uint64)
	for w := 0; w < 4; w++ {
		go func() {
			for x := range work {
				for i := 0; i < 200; i++ {
					x = x*6364136223846793005 + 1442695040888963407
				}
				results <- x
			}
		}()
	}
	go func() {
		for i := uint64(0); i < 1_500; i++ {
			work <- i
		}
		close(work)
	}()
	var acc uint64
	for i := 0; i < 1_500; i++ {
		acc ^= <-results
	}
	fmt.Printf("mix: digest %x, %d keys, first %s=%d, acc %x\n", digest[:8], len(keys), keys[0], table[keys[0]].count, acc)
}
