package main

import (
	"encoding/json"
	stderrors "errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
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

// runResult is the --json output.
type runResult struct {
	Program     string       `json:"program"`
	VM          string       `json:"vm"`
	Steps       uint64       `json:"steps"`
	Exited      bool         `json:"exited"`
	ExitCode    uint8        `json:"exit_code"`
	Status      string       `json:"status"`
	StateHash   string       `json:"state_hash"`
	MemoryRoot  string       `json:"memory_root"`
	Checkpoints []checkpoint `json:"checkpoints,omitempty"`
	Error       string       `json:"error,omitempty"`
	ErrorStep   *uint64      `json:"error_step,omitempty"`
	Snapshot    *checkpoint  `json:"snapshot,omitempty"` // where --snapshot-out was written
	Seconds     float64      `json:"seconds"`
}

type checkpoint struct {
	Step      uint64 `json:"step"`
	StateHash string `json:"state_hash"`
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
	progOut, progErr := stdout, stderr
	if f.json {
		progOut = stderr
	}
	res, stepErr := execute(f, pre, po, progOut, progErr, stderr)
	var outErr *outputError
	if stderrors.As(stepErr, &outErr) {
		fmt.Fprintln(stderr, "opcity run:", outErr)
		return exitBadInput
	}
	var div *divergence
	if stderrors.As(stepErr, &div) {
		report(f, res, stdout)
		fmt.Fprintln(stderr, "opcity run:", div)
		path, cmd, err := div.writeReproducer(f.preimages)
		if err != nil {
			fmt.Fprintln(stderr, "opcity run: writing the reproducer:", err)
		} else {
			fmt.Fprintf(stderr, "opcity run: the state before step %d is in %s; replay: %s\n", div.step, path, cmd)
		}
		return exitDiverged
	}
	report(f, res, stdout)
	if stepErr != nil {
		if !f.json {
			fmt.Fprintf(stderr, "opcity run: step %d cannot be executed: %v\n", *res.ErrorStep, stepErr)
		}
		return exitStepFail
	}
	return exitOK
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

// execute runs the chosen VM until exit, --max-steps or a failing step,
// writing checkpoints and the snapshot the flags ask for.
func execute(f runFlags, s state.State, po spec.PreimageMap, out, errOut, progress io.Writer) (runResult, error) {
	res := runResult{Program: f.elf, VM: f.vm}
	d := spec.Data{Preimages: po}
	show := func(e transition.Effects) {
		switch e.Fd {
		case transition.FdStdout:
			_, _ = out.Write(e.Data)
		case transition.FdStderr:
			_, _ = errOut.Write(e.Data)
		}
	}
	e, err := newEngine(f.vm, s, d, show)
	if err != nil {
		return res, &outputError{err}
	}
	start := time.Now()
	p := newProgressMeter(progress, !f.json || f.progress, start)
	var stepErr error
	for !e.exited() && (f.maxSteps == 0 || res.Steps < f.maxSteps) {
		if f.snapSet && res.Snapshot == nil && e.stepCount() == f.snapAt {
			if err := writeSnapshot(f, e.state(), &res); err != nil {
				return res, err
			}
		}
		n, err := e.advance(chunk(f, res.Steps, e.stepCount()))
		res.Steps += n
		if err != nil {
			stepErr = err
			step := e.stepCount() + 1
			res.ErrorStep = &step
			res.Error = describeError(err)
			break
		}
		if f.every != 0 && n > 0 && res.Steps%f.every == 0 {
			res.Checkpoints = append(res.Checkpoints, checkpoint{Step: e.stepCount(), StateHash: e.hash().String()})
		}
		p.tick(res.Steps)
	}
	res.Seconds = time.Since(start).Seconds()
	final := e.state()
	if f.snapSet && res.Snapshot == nil && stepErr == nil {
		if final.Step != f.snapAt {
			return res, &outputError{fmt.Errorf("--snapshot-at %d: the run stopped at step %d", f.snapAt, final.Step)}
		}
		if err := writeSnapshot(f, final, &res); err != nil {
			return res, err
		}
	}
	res.Exited, res.ExitCode = final.Exited, final.ExitCode
	res.Status = state.StatusOf(final.Exited, final.ExitCode).String()
	res.StateHash, res.MemoryRoot = final.Hash().String(), final.Memory.Root().String()
	return res, stepErr
}

// progressChunk bounds the steps between two progress checks.
const progressChunk = 1 << 20

// chunk returns how many steps the runner may take before it must stop to
// check something: --max-steps, the next --every checkpoint, --snapshot-at.
func chunk(f runFlags, done, step uint64) uint64 {
	n := uint64(progressChunk)
	if f.maxSteps != 0 {
		n = min(n, f.maxSteps-done)
	}
	if f.every != 0 {
		n = min(n, f.every-done%f.every)
	}
	if f.snapSet && f.snapAt > step {
		n = min(n, f.snapAt-step)
	}
	return n
}

// outputError is a failure to write what the flags ask for (a snapshot),
// not a failure of the VM: exit status 2.
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }

// writeSnapshot writes the snapshot of s to --snapshot-out and records it.
func writeSnapshot(f runFlags, s state.State, res *runResult) error {
	if err := format.WriteSnapshotFile(f.snapOut, s); err != nil {
		return &outputError{err}
	}
	res.Snapshot = &checkpoint{Step: s.Step, StateHash: s.Hash().String()}
	return nil
}

// describeError names the error and what it means for the run.
func describeError(err error) string {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return fmt.Sprintf("%v (%s, %s)", err, errors.OutcomeOf(err), e.Code.Requirement())
	}
	return err.Error()
}

func report(f runFlags, res runResult, stdout io.Writer) {
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

// progressMeter prints a progress line every few seconds once a run has
// taken longer than a few seconds.
type progressMeter struct {
	w     io.Writer
	on    bool
	start time.Time
	next  time.Time
}

func newProgressMeter(w io.Writer, on bool, start time.Time) *progressMeter {
	return &progressMeter{w: w, on: on, start: start, next: start.Add(3 * time.Second)}
}

func (p *progressMeter) tick(steps uint64) {
	if !p.on {
		return
	}
	now := time.Now()
	if now.Before(p.next) {
		return
	}
	p.next = now.Add(3 * time.Second)
	el := now.Sub(p.start).Seconds()
	fmt.Fprintf(p.w, "opcity: %d steps, %.0f steps/s\n", steps, float64(steps)/el)
}
