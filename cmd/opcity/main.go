// Command opcity runs programs in the OPcity reference spec of the Cannon
// MIPS64 fault-proof VM, checks their steps statelessly, writes the
// conformance vectors, runs opML models natively and inside the VM, and
// plays the three-phase dispute game. `opcity help` lists the commands and
// `opcity COMMAND --help` one command's flags; the synopses are written
// once, in commands.go, and the README's synopsis block is held to them.
//
// Exit status: 0 the command did what it was asked (for run: the VM ran,
// whatever the program's exit code), 1 a verdict against (a rejected
// witness or claim, a game decided wrongly), 2 bad input (unreadable files,
// bad flags), 3 a step could not be executed, 4 (run --vm both) the spec
// and fpvm differ.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses of the command line contract.
const (
	exitOK       = 0
	exitRejected = 1 // a verdict against: a witness or claim rejected, a game decided wrongly
	exitBadInput = 2
	exitStepFail = 3
	exitDiverged = 4 // opcity run --vm both: the spec and fpvm disagree
)

func main() {
	os.Exit(dispatch(os.Args[1:], os.Stdout, os.Stderr))
}

func dispatch(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return exitBadInput
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		usage(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "opcity: unknown command %q\n", args[0])
	usage(stderr)
	return exitBadInput
}
