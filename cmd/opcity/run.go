package main

import (
	stderrors "errors"
	"flag"
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
)

type runFlags struct {
	vm       string
	data     *dataFlags // --preimages, --profile, --tensors
	maxSteps uint64
	every    uint64
	json     bool
	progress bool
	elf      string
	from     string // --from: a snapshot to resume instead of an ELF
	snapAt   uint64 // --snapshot-at: the step counter value to snapshot at
	snapOut  string // --snapshot-out: where
	snapSet  bool   // --snapshot-at was given
}

// defineRunFlags defines run's flags on fs; check completes them after
// parsing.
func defineRunFlags(fs *flag.FlagSet) *runFlags {
	f := &runFlags{}
	fs.StringVar(&f.vm, "vm", "fast", "executor: fast (fpvm), spec, or both in lockstep")
	f.data = defineDataFlags(fs)
	uintVar(fs, &f.maxSteps, "max-steps", 0, 0, runner.MaxSteps, "stop after N steps (0: run until exit)")
	uintVar(fs, &f.every, "every", 0, 0, runner.MaxSteps, "record the state hash every N steps (with --json; 0: never), written as they are made")
	fs.BoolVar(&f.json, "json", false, "print one JSON object on stdout; program output goes to stderr")
	fs.BoolVar(&f.progress, "progress", false, "print progress lines on stderr even with --json")
	fs.StringVar(&f.from, "from", "", "resume from a snapshot file (docs/formats/snapshot.md) instead of loading an ELF")
	uintVar(fs, &f.snapAt, "snapshot-at", 0, 0, runner.MaxSteps, "write a snapshot when the state's step counter reaches N (with --snapshot-out)")
	fs.StringVar(&f.snapOut, "snapshot-out", "", "the snapshot file --snapshot-at writes")
	return f
}

// check validates the parsed flags and arguments and fills in f.elf.
func (f *runFlags) check(fs *flag.FlagSet) error {
	fs.Visit(func(fl *flag.Flag) { f.snapSet = f.snapSet || fl.Name == "snapshot-at" })
	switch {
	case f.snapSet != (f.snapOut != ""):
		return fmt.Errorf("--snapshot-at and --snapshot-out go together")
	case f.from != "" && fs.NArg() != 0:
		return fmt.Errorf("--from resumes a snapshot: no PROGRAM.elf too")
	case f.from == "" && fs.NArg() != 1:
		return fmt.Errorf("want exactly one PROGRAM.elf (or --from SNAPSHOT), got %d arguments", fs.NArg())
	case f.vm != runner.Fast && f.vm != runner.Spec && f.vm != runner.Both:
		return fmt.Errorf("--vm %q: want fast, spec or both", f.vm)
	}
	if err := f.data.check(); err != nil {
		return err
	}
	f.elf = fs.Arg(0)
	if f.from != "" {
		f.elf = f.from
	}
	return nil
}

func runCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("run", stderr)
	fp := defineRunFlags(fs)
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if err := fp.check(fs); err != nil {
		return badUsage("run", err, stderr)
	}
	f := *fp
	pre, p, d, err := prepare(f)
	if err != nil {
		fmt.Fprintln(stderr, "opcity run:", err)
		return exitBadInput
	}
	return f.execute(pre, p, d, stdout, stderr)
}

// execute runs pre under profile p with D d, reports the result and
// returns the exit status.
func (f runFlags) execute(pre state.State, p spec.Profile, d spec.Data, stdout, stderr io.Writer) int {
	var jw *runner.JSONWriter
	if f.json {
		jw = runner.NewJSONWriter(stdout, f.elf, f.vm)
	}
	o := f.options(stdout, stderr, jw)
	o.Profile = p
	res, stepErr := runner.Run(pre, d, o)
	res.Program = f.elf
	var outErr *runner.OutputError
	if stderrors.As(stepErr, &outErr) {
		if jw != nil && jw.Checkpoints() > 0 {
			_ = jw.Finish(res) // the checkpoints are out: keep stdout one JSON object
		}
		fmt.Fprintln(stderr, "opcity run:", outErr)
		return exitBadInput
	}
	report(f, res, stdout, jw)
	var div *runner.Divergence
	if stderrors.As(stepErr, &div) {
		reportDivergence(div, f.data.reproducer(), stderr)
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

// options are the runner's options for f: with --json (jw) the
// program's output goes to stderr, progress lines only with --progress,
// and the checkpoints to jw as they are made.
func (f runFlags) options(stdout, stderr io.Writer, jw *runner.JSONWriter) runner.Options {
	o := runner.Options{VM: f.vm, MaxSteps: f.maxSteps, Every: f.every, Stdout: stdout, Stderr: stderr, Progress: stderr}
	if jw != nil {
		o.Stdout, o.OnCheckpoint = stderr, jw.Checkpoint
		if !f.progress {
			o.Progress = nil
		}
	}
	if f.snapSet {
		o.SnapshotAt, o.SnapshotOut = f.snapAt, f.snapOut
	}
	return o
}

func reportDivergence(div *runner.Divergence, inputs []string, stderr io.Writer) {
	fmt.Fprintln(stderr, "opcity run:", div)
	path, cmd, err := div.WriteReproducer(inputs...)
	if err != nil {
		fmt.Fprintln(stderr, "opcity run: writing the reproducer:", err)
		return
	}
	fmt.Fprintf(stderr, "opcity run: the state before step %d is in %s; replay: %s\n", div.Step, path, cmd)
}

// prepare checks that the --snapshot-out file can be written, before the
// run rather than after it, and loads the inputs.
func prepare(f runFlags) (state.State, spec.Profile, spec.Data, error) {
	if f.snapOut != "" {
		if err := format.CheckWritable(f.snapOut); err != nil {
			return state.State{}, 0, spec.Data{}, fmt.Errorf("--snapshot-out: %v", err)
		}
	}
	return loadInputs(f)
}

// loadInputs loads the pre-state (the ELF, or the --from snapshot), the
// profile and D.
func loadInputs(f runFlags) (state.State, spec.Profile, spec.Data, error) {
	pre, err := loadState(f)
	if err != nil {
		return state.State{}, 0, spec.Data{}, err
	}
	p, d, err := f.data.load()
	return pre, p, d, err
}

// loadState loads the --from snapshot, or else the ELF.
func loadState(f runFlags) (state.State, error) {
	if f.from != "" {
		pre, err := format.ReadSnapshotFile(f.from)
		if err == nil {
			err = format.CheckResumable(pre)
		}
		return pre, err // the error names the file
	}
	data, err := limits.ReadFile(f.elf, limits.ELF)
	if err != nil {
		return state.State{}, err
	}
	pre, err := program.Load(data)
	if err != nil {
		return state.State{}, fmt.Errorf("%s: %v", f.elf, err)
	}
	return pre, nil
}

// report prints the run's result: the rest of the JSON object (jw), or
// the text lines.
func report(f runFlags, res runner.Result, stdout io.Writer, jw *runner.JSONWriter) {
	if jw != nil {
		_ = jw.Finish(res)
		return
	}
	fmt.Fprintf(stdout, "steps %d, exited %v, exit code %d (%s)\nstate hash  %s\nmemory root %s\n",
		res.Steps, res.Exited, res.ExitCode, res.Status, res.StateHash, res.MemoryRoot)
	if res.Profile != "" {
		fmt.Fprintf(stdout, "profile     %s\n", res.Profile)
	}
	if res.Snapshot != nil {
		fmt.Fprintf(stdout, "snapshot    step %d, state hash %s, written to %s\n", res.Snapshot.Step, res.Snapshot.StateHash, f.snapOut)
	}
}
