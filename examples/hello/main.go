// Command hello prints a greeting and exits 0: the smallest Go program that
// exercises the Go runtime's start-up on Cannon (threads, mmap, futex, clock).
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello from OPcity")
	os.Exit(0)
}
