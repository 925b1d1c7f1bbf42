package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/spec"
)

// witnessCommand: opcity witness (commands.go).
func witnessCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("witness", stderr)
	step := new(uint64)
	uintVar(fs, step, "step", 0, 0, runner.MaxSteps, "the step whose witness to print: the pre-state has Step = N")
	pre := fs.String("preimages", "", "JSON object mapping 0x-hex keys to 0x-hex preimages")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return badUsage("witness", fmt.Errorf("want exactly one PROGRAM.elf, got %d arguments", fs.NArg()), stderr)
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

// verifyCommand: opcity verify (commands.go). Exit 0 verified (prints the
// post-state hash), 1 rejected (a claim about the pre-state that the state
// contradicts, a step the verifier rejects, a wrong claimed post-state), 2
// malformed file (docs/formats/witness.md).
func verifyCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("verify", stderr)
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return badUsage("verify", fmt.Errorf("want exactly one WITNESS.json, got %d arguments", fs.NArg()), stderr)
	}
	raw, err := limits.ReadFile(fs.Arg(0), limits.Witness)
	if err != nil {
		fmt.Fprintln(stderr, "opcity verify:", err)
		return exitBadInput
	}
	in, err := format.ParseWitness(raw)
	if err != nil {
		fmt.Fprintf(stderr, "opcity verify: %s: malformed witness: %v\n", fs.Arg(0), err)
		return exitBadInput
	}
	if err := in.VerifyClaims(); err != nil {
		fmt.Fprintf(stderr, "opcity verify: rejected: %s\n", runner.Describe(err))
		return exitRejected
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
