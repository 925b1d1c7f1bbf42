// Command alloc allocates and drops short-lived objects, forces one garbage
// collection (the GC's worker threads, futex, mmap, madvise, clock_gettime),
// keeps allocating, and prints a checksum and whether a collection ran.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"runtime"
)

type node struct {
	next *node
	data [48]byte
}

func main() {
	runtime.GOMAXPROCS(1) // one P: the collector's workers take turns instead of spinning
	var keep *node
	sum := 0
	for i := 0; i < 40_000; i++ {
		if i == 20_000 {
			runtime.GC()
		}
		n := &node{next: keep}
		n.data[i%48] = byte(i)
		if i%1000 == 0 {
			keep = nil // drop the chain: garbage for the collector
		} else {
			keep = n
		}
		sum += int(n.data[i%48])
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("alloc: checksum %d, collected: %v\n", sum, ms.NumGC > 0)
}
