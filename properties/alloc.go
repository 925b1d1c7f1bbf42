package properties

import "runtime"

// Allocated returns the bytes f allocates on the heap, from
// runtime.MemStats.TotalAlloc before and after: the measure of the tests
// that bound a decoder's or loader's work by its input (INPUT-LIMIT,
// PROG-LOAD-LINEAR). Other goroutines' allocations count too, so a bound
// should leave room for the test runner's.
func Allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}
