// Command exitcode exits with code 3 through os.Exit (exit_group).
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("exitcode: exiting with 3")
	os.Exit(3)
}
