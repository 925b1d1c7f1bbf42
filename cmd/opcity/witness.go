package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/dispute/play"
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
	data := defineDataFlags(fs)
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return badUsage("witness", fmt.Errorf("want exactly one PROGRAM.elf, got %d arguments", fs.NArg()), stderr)
	}
	if err := data.check(); err != nil {
		return badUsage("witness", err, stderr)
	}
	s, p, d, err := loadInputs(runFlags{elf: fs.Arg(0), data: data})
	if err != nil {
		fmt.Fprintln(stderr, "opcity witness:", err)
		return exitBadInput
	}
	return printWitness(p, s, d, *step, stdout, stderr)
}

// printWitness runs s under profile p with D d to step and prints the
// witness of the step from there (format.EncodeWitnessIn); it returns the
// exit status.
func printWitness(p spec.Profile, s spec.State, d spec.Data, step uint64, stdout, stderr io.Writer) int {
	s, _, err := spec.RunIn(p, s, d, step)
	if err != nil || s.Step != step {
		fmt.Fprintf(stderr, "opcity witness: the program reaches step %d, not %d (%v)\n", s.Step, step, err)
		return exitStepFail
	}
	post, w, err := spec.StepWithWitnessIn(p, s, d)
	if err != nil {
		fmt.Fprintf(stderr, "opcity witness: step %d cannot be executed: %v\n", step+1, err)
		return exitStepFail
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(format.EncodeWitnessIn(p, step, w, post.Hash()))
	return exitOK
}

// verifyCommand: opcity verify (commands.go). Exit 0 verified (prints the
// post-state hash), 1 rejected (a claim about the pre-state that the state
// contradicts, a step the verifier rejects, a wrong claimed post-state), 2
// malformed file, or a file of another profile than --profile asks for
// (docs/formats/witness.md).
func verifyCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("verify", stderr)
	fs.String("profile", "", "the profile the witness must have, base or opcity (default: any; the step runs under the file's profile, docs/formats/witness.md)")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 1 {
		return badUsage("verify", fmt.Errorf("want exactly one WITNESS.json, got %d arguments", fs.NArg()), stderr)
	}
	want, err := wantedProfile(fs)
	if err != nil {
		return badUsage("verify", err, stderr)
	}
	in, err := readWitness(fs.Arg(0))
	if err != nil {
		fmt.Fprintln(stderr, "opcity verify:", err)
		return exitBadInput
	}
	if want != nil && *want != in.Profile {
		fmt.Fprintf(stderr, "opcity verify: %s: profile: the witness is of the %s profile, not the %s profile --profile asks for\n", fs.Arg(0), in.Profile, *want)
		return exitBadInput
	}
	return verifyWitness(in, stdout, stderr)
}

// wantedProfile returns verify's --profile, nil when it is not given.
func wantedProfile(fs *flag.FlagSet) (*spec.Profile, error) {
	f := fs.Lookup("profile")
	given := false
	fs.Visit(func(v *flag.Flag) { given = given || v == f })
	if !given {
		return nil, nil
	}
	p, err := play.ParseProfile(f.Value.String())
	return &p, err
}

// readWitness reads and parses the witness file at path (at most
// limits.Witness bytes); the error names the file.
func readWitness(path string) (format.Witness, error) {
	raw, err := limits.ReadFile(path, limits.Witness)
	if err != nil {
		return format.Witness{}, err
	}
	in, err := format.ParseWitness(raw)
	if err != nil {
		return format.Witness{}, fmt.Errorf("%s: malformed witness: %v", path, err)
	}
	return in, nil
}

// verifyWitness checks the file's claims, then its step under its profile
// with its D (format.Witness.Data), then its claimed post-state; it prints
// the post-state hash and returns the exit status.
func verifyWitness(in format.Witness, stdout, stderr io.Writer) int {
	if err := in.VerifyClaims(); err != nil {
		fmt.Fprintf(stderr, "opcity verify: rejected: %s\n", runner.Describe(err))
		return exitRejected
	}
	got, err := spec.VerifyStepIn(in.Profile, in.State, in.Proof, in.LocalContext, in.Data())
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
