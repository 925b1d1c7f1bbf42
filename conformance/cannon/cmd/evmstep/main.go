// Command evmstep runs one step witness through the chain's step verifier in
// go-ethereum's in-memory EVM and prints what it did: the released
// MIPS64.sol for the base profile, MIPS64OPcity (contracts/src) for the
// OPcity profile.
//
//	evmstep [--profile base|opcity] WITNESS.json|-
//
// WITNESS.json is the step witness of docs/formats/witness.md (what
// `opcity witness` writes and `opcity verify` reads), preimage and tensor
// included; "-" reads it from standard input. The profile is the file's;
// --profile, when given, must name the same one. The command deploys the
// project's preimage oracle (StepOracle), MIPS64.sol, TensorOracle and
// MIPS64OPcity, loads the witness's preimage part at the state's preimage
// offset into the oracle, uploads the witness's tensor (an OPcity tensor_map
// step) to TensorOracle in chunks and finalizes it, calls step(state, proof,
// local_context) of the profile's verifier from the account that loaded
// them, and prints one JSON object: post_state_hash, reverted,
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
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/transition"
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
		fmt.Fprintln(stderr, "usage: evmstep [--profile base|opcity] WITNESS.json|-")
		fs.PrintDefaults()
	}
	profile := fs.String("profile", "", "the step's profile, base (MIPS64.sol) or opcity (MIPS64OPcity); must be the file's (default: the file's)")
	if err := fs.Parse(args); err != nil {
		return format.Witness{}, exitBadInput
	}
	var want spec.Profile
	if *profile != "" {
		var err error
		if want, err = transition.ParseProfile(*profile); err != nil {
			fmt.Fprintf(stderr, "evmstep: --profile: %v\n", err)
			return format.Witness{}, exitBadInput
		}
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return format.Witness{}, exitBadInput
	}
	name := fs.Arg(0)
	var raw []byte
	var err error
	if name == "-" {
		name = "standard input"
		raw, err = limits.Read(os.Stdin, name, limits.Witness, -1)
	} else {
		raw, err = limits.ReadFile(name, limits.Witness)
	}
	if err != nil {
		fmt.Fprintln(stderr, "evmstep:", err)
		return format.Witness{}, exitBadInput
	}
	w, err := format.ParseWitness(raw)
	if err != nil {
		fmt.Fprintf(stderr, "evmstep: %s: malformed witness: %v\n", name, err)
		return format.Witness{}, exitBadInput
	}
	if *profile != "" && w.Profile != want {
		fmt.Fprintf(stderr, "evmstep: %s: profile: the witness is of the %s profile, --profile says %s\n", name, w.Profile, want)
		return format.Witness{}, exitBadInput
	}
	return w, exitOK
}
