// Command evmstep runs one step witness through the released MIPS64.sol in
// go-ethereum's in-memory EVM and prints what the chain's verifier did.
//
//	evmstep [--profile base] WITNESS.json
//
// WITNESS.json is the step witness of docs/formats/witness.md (what
// `opcity witness` writes and `opcity verify` reads), preimage included. The
// command deploys the project's preimage oracle (StepOracle) and MIPS64.sol,
// loads the witness's preimage part at the state's preimage offset into the
// oracle, calls step(state, proof, local_context) from the account that
// loaded it, and prints one JSON object: post_state_hash, reverted,
// revert_reason, gas (execution gas of the step call), calldata_bytes,
// calldata_gas (EIP-2028), calldata_floor_gas (EIP-7623), tx_gas,
// preimage_loads and, when the file claims a post-state,
// claimed_post_state_hash and matches_claim (docs/evm.md).
//
// Exit status: 0 when the step ran (a revert included), 1 when the EVM
// could not be set up, 2 for bad usage or a file that is not a witness.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/opcity-spec/opcity/conformance/cannon/evm"
	"github.com/opcity-spec/opcity/format"
)

const (
	exitOK       = 0
	exitInternal = 1
	exitBadInput = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command with its arguments and outputs; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	in, code := parseArgs(args, stderr)
	if code != exitOK {
		return code
	}
	h, err := evm.New()
	if err != nil {
		fmt.Fprintln(stderr, "evmstep:", err)
		return exitInternal
	}
	r, err := h.Step(evm.InputOf(in))
	if err != nil {
		fmt.Fprintln(stderr, "evmstep:", err)
		return exitBadInput
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(r.Report((*[32]byte)(in.Claimed)))
	return exitOK
}

// parseArgs reads the flags and the witness file.
func parseArgs(args []string, stderr io.Writer) (format.Witness, int) {
	fs := flag.NewFlagSet("evmstep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: evmstep [--profile base] WITNESS.json")
		fs.PrintDefaults()
	}
	profile := fs.String("profile", "base", "the step's profile; MIPS64.sol implements base only")
	if err := fs.Parse(args); err != nil {
		return format.Witness{}, exitBadInput
	}
	if *profile != "base" {
		fmt.Fprintf(stderr, "evmstep: profile %q: MIPS64.sol implements the base profile only\n", *profile)
		return format.Witness{}, exitBadInput
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return format.Witness{}, exitBadInput
	}
	raw, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "evmstep:", err)
		return format.Witness{}, exitBadInput
	}
	w, err := format.ParseWitness(raw)
	if err != nil {
		fmt.Fprintf(stderr, "evmstep: %s: malformed witness: %v\n", fs.Arg(0), err)
		return format.Witness{}, exitBadInput
	}
	return w, exitOK
}
