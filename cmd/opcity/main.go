// Command opcity runs programs in the OPcity reference spec of the Cannon
// MIPS64 fault-proof VM.
//
//	opcity run [--vm fast|spec|both] [--preimages FILE.json] [--max-steps N] [--every N] [--json] [--progress]
//	           [--snapshot-at N --snapshot-out FILE] PROGRAM.elf | --from FILE
//	opcity witness --step N [--preimages FILE.json] PROGRAM.elf
//	opcity verify WITNESS.json
//	opcity vectors --out DIR [--root REPO]
//	opcity infer [--model M] [--data DIR] --image N|FILE [--json]
//	opcity node [--model M] [--data DIR] [--root REPO] --image N|FILE --node K [--claim 0x..] [--json]
//	opcity dispute simulate [--games N] [--seed S] [--adversary NAME|all] [--json] ...
//	opcity dispute [--model M] --image N --lie node:K|step:S|none [--profile base|opcity] [--json]
//	opcity simulate --games N [--adversaries LIST|all] [--seed S] [--model mlp|cnn] --out DIR
//
// Exit status: 0 the VM ran (whatever the program's exit code), 2 bad input
// (unreadable ELF, bad preimage file, bad flags), 3 a step could not be
// executed (missing preimage, invalid instruction, ...), 4 (--vm both) the spec
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
	case "run":
		return runCommand(args[1:], stdout, stderr)
	case "witness":
		return witnessCommand(args[1:], stdout, stderr)
	case "verify":
		return verifyCommand(args[1:], stdout, stderr)
	case "vectors":
		return vectorsCommand(args[1:], stdout, stderr)
	case "infer":
		return inferCommand(args[1:], stdout, stderr)
	case "node":
		return nodeCommand(args[1:], stdout, stderr)
	case "dispute":
		return disputeCommand(args[1:], stdout, stderr)
	case "simulate":
		return simulateCommand(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return exitOK
	}
	fmt.Fprintf(stderr, "opcity: unknown command %q\n", args[0])
	usage(stderr)
	return exitBadInput
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: opcity <command> [flags]

commands:
  run [--vm fast|spec|both] [--preimages FILE.json] [--max-steps N] [--every N] [--json] [--progress]
      [--snapshot-at N --snapshot-out FILE] PROGRAM.elf | --from FILE
      run a MIPS64 ELF program (or a snapshot) until it exits: in fpvm (fast,
      the default), the spec, or both in lockstep (exit 4 at the first step
      where they differ, with a reproducer)
  witness --step N [--preimages FILE.json] PROGRAM.elf
      print the witness of the step from the state at step N, as JSON
  verify WITNESS.json
      check a witness statelessly; print the post-state hash (exit 0), or the
      reason it is rejected (exit 1) or malformed (exit 2)
  vectors --out DIR [--root REPO]
      write the conformance vectors (docs/formats/vectors.md) to DIR/v1
  infer [--model M] [--data DIR] --image N|FILE [--json]
      run an opML model natively on an MNIST test image (or a 28x28 PGM/PNG)
      and print the prediction and the graph's commitments
  node [--model M] [--data DIR] [--root REPO] --image N|FILE --node K [--claim 0x..] [--json]
      run node K of the model inside the VM (the node program, built from the
      repository) and print the verdict on the claim (default: the native
      commitment), the steps and the output commitment; exit 0 claim right,
      1 claim wrong, 2 bad input, 3 no verdict
  dispute simulate [--games N] [--seed S] [--adversary NAME|all] [--model mlp|cnn] [--blocks-log2 N]
      [--vm synthetic|real] [--profile base|opcity] [--data DIR] [--root REPO] [--workers N] [--quiet] [--json]
      play seeded three-phase dispute games (outputs, graph, VM) against the
      adversary library and print per-game and aggregate metrics (honest
      claims countered and honest bonds returned, per claim); exit 0 all games
      decided correctly with no honest claim countered and every honest bond
      returned, 1 otherwise, 2 bad flags (docs/dispute.md)
  dispute [--model M] [--data DIR] [--root REPO] --image N --lie node:K|step:S|none [--node K] [--profile base|opcity] [--json]
      play one real game (node program in fpvm as phase 3; --profile opcity:
      the tensor node program under the OPcity profile) against a proposer
      whose output is wrong at node K (VM trace lying from its middle step),
      whose VM trace lies from step S, or who is honest; print the phases, the
      moves, the stepped instruction with spec.VerifyStepIn's result and the
      verdict; exit 0 decided as the truth requires with no honest claim
      countered and every honest bond returned, 1 otherwise, 2 bad flags
  simulate --games N [--adversaries LIST|all] [--seed S] [--model mlp|cnn] [--profile base|opcity] [--data DIR] [--workers N] --out DIR
      play N games (synthetic phase-3 VM) across the adversary classes and
      write games.json, games.csv, aggregate.json, classes.csv and the plots
      resolution.svg, gas.svg, capital.svg to DIR; exit 0 every game decided
      correctly with no honest claim countered and every honest bond
      returned, 1 otherwise, 2 bad flags
`)
}
