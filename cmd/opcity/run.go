package main

import (
	"encoding/json"
	stderrors "errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
)

type runFlags struct {
	vm        string
	preimages string
	maxSteps  uint64
	every     uint64
	json      bool
	progress  bool
	elf       string
	from      string // --from: a snapshot to resume instead of an ELF
	snapAt    uint64 // --snapshot-at: the step counter value to snapshot at
	snapOut   string // --snapshot-out: where
	snapSet   bool   // --snapshot-at was given
}

func parseRunFlags(args []string, stderr io.Writer) (runFlags, error) {
	var f runFlags
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.vm, "vm", "fast", "executor: fast (fpvm), spec, or both in lockstep")
	fs.StringVar(&f.preimages, "preimages", "", "JSON object mapping 0x-hex keys to 0x-hex preimages")
	fs.Uint64Var(&f.maxSteps, "max-steps", 0, "stop after N steps (0: run until exit)")
	fs.Uint64Var(&f.every, "every", 0, "record the state hash every N steps (with --json)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object on stdout; program output goes to stderr")
	fs.BoolVar(&f.progress, "progress", false, "print progress lines on stderr even with --json")
	fs.StringVar(&f.from, "from", "", "resume from a snapshot file (docs/formats/snapshot.md) instead of loading an ELF")
	fs.Uint64Var(&f.snapAt, "snapshot-at", 0, "write a snapshot when the state's step counter reaches N (with --snapshot-out)")
	fs.StringVar(&f.snapOut, "snapshot-out", "", "the snapshot file --snapshot-at writes")
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return f, err
	}
	fs.Visit(func(fl *flag.Flag) { f.snapSet = f.snapSet || fl.Name == "snapshot-at" })
	if f.snapSet != (f.snapOut != "") {
		return f, fmt.Errorf("--snapshot-at and --snapshot-out go together")
	}
	if f.from != "" {
		if fs.NArg() != 0 {
			return f, fmt.Errorf("--from resumes a snapshot: no PROGRAM.elf too")
		}
	} else if fs.NArg() != 1 {
		return f, fmt.Errorf("want exactly one PROGRAM.elf (or --from SNAPSHOT), got %d arguments", fs.NArg())
	}
	if f.vm != "fast" && f.vm != "spec" && f.vm != "both" {
		return f, fmt.Errorf("--vm %q: want fast, spec or both", f.vm)
	}
	f.elf = fs.Arg(0)
	if f.from != "" {
		f.elf = f.from
	}
	return f, nil
}

// reorderFlags moves flags before positional arguments so that
// `opcity run prog.elf --json` works like `opcity run --json prog.elf`.
func reorderFlags(args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 1 && a[0] == '-' {
			flags = append(flags, a)
			if !isBoolFlag(a) && !strings.Contains(a, "=") && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		pos = append(pos, a)
	}
	return append(flags, pos...)
}

func isBoolFlag(a string) bool {
	switch a {
	case "-json", "--json", "-progress", "--progress":
		return true
	}
	return false
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "opcity run:", err)
		return exitBadInput
	}
	pre, po, err := loadInputs(f)
	if err != nil {
		fmt.Fprintln(stderr, "opcity run:", err)
		return exitBadInput
	}
	res, stepErr := runner.Run(pre, spec.Data{Preimages: po}, f.options(stdout, stderr))
	res.Program = f.elf
	var outErr *runner.OutputError
	if stderrors.As(stepErr, &outErr) {
		fmt.Fprintln(stderr, "opcity run:", outErr)
		return exitBadInput
	}
	report(f, res, stdout)
	var div *runner.Divergence
	if stderrors.As(stepErr, &div) {
		reportDivergence(div, f.preimages, stderr)
		return exitDiverged
	}
	if stepErr != nil {
		if !f.json {
			fmt.Fprintf(stderr, "opcity run: step %d cannot be executed: %v\n", *res.ErrorStep, stepErr)
		}
		return exitStepFail
	}
	return exitOK
}

// options are the runner's options for f: with --json the program's
// output goes to stderr, and progress lines only with --progress.
func (f runFlags) options(stdout, stderr io.Writer) runner.Options {
	o := runner.Options{VM: f.vm, MaxSteps: f.maxSteps, Every: f.every, Stdout: stdout, Stderr: stderr, Progress: stderr}
	if f.json {
		o.Stdout = stderr
		if !f.progress {
			o.Progress = nil
		}
	}
	if f.snapSet {
		o.SnapshotAt, o.SnapshotOut = f.snapAt, f.snapOut
	}
	return o
}

func reportDivergence(div *runner.Divergence, preimages string, stderr io.Writer) {
	fmt.Fprintln(stderr, "opcity run:", div)
	path, cmd, err := div.WriteReproducer(preimages)
	if err != nil {
		fmt.Fprintln(stderr, "opcity run: writing the reproducer:", err)
		return
	}
	fmt.Fprintf(stderr, "opcity run: the state before step %d is in %s; replay: %s\n", div.Step, path, cmd)
}

func loadInputs(f runFlags) (state.State, spec.PreimageMap, error) {
	if f.from != "" {
		pre, err := format.ReadSnapshotFile(f.from)
		if err != nil {
			return state.State{}, nil, fmt.Errorf("%s: %v", f.from, err)
		}
		po, err := loadPreimages(f.preimages)
		return pre, po, err
	}
	data, err := os.ReadFile(f.elf)
	if err != nil {
		return state.State{}, nil, err
	}
	pre, err := program.Load(data)
	if err != nil {
		return state.State{}, nil, fmt.Errorf("%s: %v", f.elf, err)
	}
	po, err := loadPreimages(f.preimages)
	return pre, po, err
}

func report(f runFlags, res runner.Result, stdout io.Writer) {
	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return
	}
	fmt.Fprintf(stdout, "steps %d, exited %v, exit code %d (%s)\nstate hash  %s\nmemory root %s\n",
		res.Steps, res.Exited, res.ExitCode, res.Status, res.StateHash, res.MemoryRoot)
	if res.Snapshot != nil {
		fmt.Fprintf(stdout, "snapshot    step %d, state hash %s, written to %s\n", res.Snapshot.Step, res.Snapshot.StateHash, f.snapOut)
	}
}
