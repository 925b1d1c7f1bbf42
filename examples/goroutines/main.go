// Command goroutines runs workers that share a mutex-protected counter and
// send results over channels (clone, futex wait/wake, sched_yield).
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	counter := 0
	results := make(chan int, 8)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			local := 0
			for i := 0; i < 1000; i++ {
				mu.Lock()
				counter++
				mu.Unlock()
				local += i * w
			}
			results <- local
		}(w)
	}
	wg.Wait()
	close(results)
	total := 0
	for r := range results {
		total += r
	}
	fmt.Printf("goroutines: counter %d, total %d\n", counter, total)
}
