// Command panic panics: the Go runtime prints the panic to stderr and exits
// with code 2, so the VM ends with the panic status.
//
//go:debug decoratemappings=0
package main

import "fmt"

func main() {
	fmt.Println("panic: about to panic")
	var m map[string]int
	//lint:ignore SA5000 the program exists to panic
	m["boom"] = 1 // assignment to a nil map
}
