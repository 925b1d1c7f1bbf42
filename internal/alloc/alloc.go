// Package alloc measures what a function allocates, for the tests that
// bound the work of a decoder or loader by its allocations (not by wall
// time). It imports nothing of the project, so any package's tests can use
// it without an import cycle.
package alloc

import "runtime"

// Bytes returns the bytes f allocates on the heap (runtime.MemStats
// TotalAlloc before and after; other goroutines' allocations count too, so
// callers bound it generously).
func Bytes(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}
