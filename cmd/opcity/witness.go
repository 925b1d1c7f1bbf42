package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/spec"
)

// witnessCommand: opcity witness --step N [--preimages F] PROGRAM.elf
func witnessCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("witness", flag.ContinueOnError)
	fs.SetOutput(stderr)
	step := fs.Uint64("step", 0, "the step whose witness to print: the pre-state has Step = N")
	pre := fs.String("preimages", "", "JSON object mapping 0x-hex keys to 0x-hex preimages")
	if err := fs.Parse(reorderFlags(args)); err != nil || fs.NArg() != 1 {
		fmt.Fprintln(stderr, "opcity witness: usage: opcity witness --step N [--preimages F] PROGRAM.elf")
		return exitBadInput
	}
	s, po, err := loadInputs(runFlags{elf: fs.Arg(0), preimages: *pre})
	if err != nil {
		fmt.Fprintln(stderr, "opcity witness:", err)
		return exitBadInput
	}
	d := spec.Data{Preimages: po}
	s, _, err = spec.Run(s, d, *step)
	if err != nil || s.Step != *step {
		fmt.Fprintf(stderr, "opcity witness: the program reaches step %d, not %d (%v)\n", s.Step, *step, err)
		return exitStepFail
	}
	post, w, err := spec.StepWithWitness(s, d)
	if err != nil {
		fmt.Fprintf(stderr, "opcity witness: step %d cannot be executed: %v\n", *step+1, err)
		return exitStepFail
	}
	out := format.EncodeWitness(*step, w, post.Hash())
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
	return exitOK
}

// verifyCommand: opcity verify WITNESS.json. Exit 0 verified (prints the
// post-state hash), 1 rejected, 2 malformed file.
func verifyCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) != 1 {
		fmt.Fprintln(stderr, "opcity verify: usage: opcity verify WITNESS.json")
		return exitBadInput
	}
	raw, err := os.ReadFile(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "opcity verify:", err)
		return exitBadInput
	}
	in, err := format.ParseWitness(raw)
	if err != nil {
		fmt.Fprintf(stderr, "opcity verify: %s: malformed witness: %v\n", args[0], err)
		return exitBadInput
	}
	got, err := spec.VerifyStep(in.State, in.Proof, in.LocalContext, spec.Data{Preimages: in.Oracle})
	if err != nil {
		fmt.Fprintf(stderr, "opcity verify: rejected: %s\n", runner.Describe(err))
		return exitRejected
	}
	if in.Claimed != nil && *in.Claimed != got {
		fmt.Fprintf(stderr, "opcity verify: rejected: the file claims post-state %s, the step gives %s\n", *in.Claimed, got)
		return exitRejected
	}
	fmt.Fprintln(stdout, got)
	return exitOK
}

// exitRejected is `opcity verify`'s status for a witness the verifier rejects.
const exitRejected = 1
