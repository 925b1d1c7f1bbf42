// Command alloc allocates and drops many objects so the garbage collector
// runs several cycles, then prints a checksum and the GC count (mmap, brk,
// madvise, futex, clock_gettime).
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
	var keep *node
	sum := 0
	for i := 0; i < 200_000; i++ {
		n := &node{next: keep}
		n.data[i%48] = byte(i)
		if i%1000 == 0 {
			keep = nil // drop the chain: garbage for the next cycle
		} else {
			keep = n
		}
		sum += int(n.data[i%48])
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Printf("alloc: checksum %d, gc cycles > 0: %v\n", sum, ms.NumGC > 0)
}
