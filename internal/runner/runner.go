// Package runner runs a MIPS64 program in fpvm, in the spec, or in both in
// lockstep: the engine behind `opcity run` and the demo. It owns what a run
// must check between steps — a step budget, periodic state-hash
// checkpoints, one snapshot at a chosen step counter value — and reports
// the first step where fpvm and the spec disagree as a *Divergence with
// the state before that step.
package runner

import (
	stderrors "errors"
	"fmt"
	"io"
	"time"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// VMs are the executors Options.VM names.
const (
	Fast = "fast" // fpvm
	Spec = "spec" // the spec
	Both = "both" // both in lockstep, compared after every step
)

// MaxSteps is the largest step count or step counter value a run's
// options (MaxSteps, Every, SnapshotAt) and `opcity witness --step` take
// (requirement CLI-LIMITS): 2^48, 2^16 times the longest node trace a
// phase-3 game holds (2^32 steps).
const MaxSteps = 1 << 48

// Options is one run.
type Options struct {
	VM string // Fast, Spec or Both
	// Profile is the profile every step runs under (spec.ProfileBase, the
	// zero value, or spec.ProfileOPcity; PROF-EXPLICIT).
	Profile  spec.Profile
	MaxSteps uint64 // stop after this many steps (0: run until exit)
	// Every this many steps (0: never) the run makes a checkpoint and
	// passes it to OnCheckpoint (when not nil); Run keeps none of them
	// (requirement RUN-STREAM).
	Every        uint64
	OnCheckpoint func(Checkpoint)
	// SnapshotOut, when not empty, is the snapshot file written when the
	// state's step counter is SnapshotAt.
	SnapshotAt  uint64
	SnapshotOut string
	// Stdout and Stderr receive what the program writes to fd 1 and 2;
	// Progress, when not nil, a progress line every few seconds.
	Stdout, Stderr, Progress io.Writer
}

// Result is one run's outcome (the `opcity run --json` object).
type Result struct {
	Program string `json:"program"`
	VM      string `json:"vm"`
	// Checkpoints are the run's checkpoints in the --json object, which
	// JSONWriter writes as they are made; Run leaves this empty and
	// passes them to Options.OnCheckpoint.
	Checkpoints []Checkpoint `json:"checkpoints,omitempty"`
	// Profile is "opcity" for a run under the OPcity profile, omitted for
	// the base profile (so a base run's object is unchanged).
	Profile    string      `json:"profile,omitempty"`
	Steps      uint64      `json:"steps"`
	Exited     bool        `json:"exited"`
	ExitCode   uint8       `json:"exit_code"`
	Status     string      `json:"status"`
	StateHash  string      `json:"state_hash"`
	MemoryRoot string      `json:"memory_root"`
	Error      string      `json:"error,omitempty"`
	ErrorStep  *uint64     `json:"error_step,omitempty"`
	Snapshot   *Checkpoint `json:"snapshot,omitempty"` // where SnapshotOut was written
	Seconds    float64     `json:"seconds"`
}

// Checkpoint is the state hash at one step counter value.
type Checkpoint struct {
	Step      uint64 `json:"step"`
	StateHash string `json:"state_hash"`
}

// OutputError is a failure to write what the options ask for (a snapshot),
// not a failure of the VM.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return e.Err.Error() }
func (e *OutputError) Unwrap() error { return e.Err }

// Run runs s with data d as o says, until exit, MaxSteps or the first step
// that cannot be executed. The error is that step's error (Result.Error
// and ErrorStep say which), a *Divergence (VM Both), or an *OutputError.
func Run(s state.State, d spec.Data, o Options) (Result, error) {
	res := Result{VM: o.VM}
	if o.Profile != spec.ProfileBase {
		res.Profile = o.Profile.String()
	}
	e, err := newEngine(o.VM, o.Profile, s, d, o.show)
	if err != nil {
		return res, &OutputError{err}
	}
	start := time.Now()
	p := progressMeter{w: o.Progress, start: start, next: start.Add(3 * time.Second)}
	stepErr := o.loop(e, &res, &p)
	var out *OutputError
	if stderrors.As(stepErr, &out) {
		return res, stepErr
	}
	res.Seconds = time.Since(start).Seconds()
	final := e.state()
	if err := o.snapshotAtEnd(final, stepErr, &res); err != nil {
		return res, err
	}
	res.Exited, res.ExitCode = final.Exited, final.ExitCode
	res.Status = state.StatusOf(final.Exited, final.ExitCode).String()
	res.StateHash, res.MemoryRoot = final.Hash().String(), final.Memory.Root().String()
	return res, stepErr
}

// loop advances e chunk by chunk, taking the snapshot and the checkpoints
// on the way; it returns the first failing step's error.
func (o Options) loop(e engine, res *Result, p *progressMeter) error {
	for !e.exited() && (o.MaxSteps == 0 || res.Steps < o.MaxSteps) {
		if o.SnapshotOut != "" && res.Snapshot == nil && e.stepCount() == o.SnapshotAt {
			if err := o.writeSnapshot(e.state(), res); err != nil {
				return err
			}
		}
		n, err := e.advance(o.chunk(res.Steps, e.stepCount()))
		res.Steps += n
		if err != nil {
			step := e.stepCount() + 1
			res.ErrorStep, res.Error = &step, Describe(err)
			return err
		}
		if o.Every != 0 && n > 0 && res.Steps%o.Every == 0 && o.OnCheckpoint != nil {
			o.OnCheckpoint(Checkpoint{Step: e.stepCount(), StateHash: e.hash().String()})
		}
		p.tick(res.Steps)
	}
	return nil
}

// snapshotAtEnd writes the snapshot a run that stopped at SnapshotAt
// without passing it still owes.
func (o Options) snapshotAtEnd(final state.State, stepErr error, res *Result) error {
	if o.SnapshotOut == "" || res.Snapshot != nil || stepErr != nil {
		return nil
	}
	if final.Step != o.SnapshotAt {
		return &OutputError{fmt.Errorf("--snapshot-at %d: the run stopped at step %d", o.SnapshotAt, final.Step)}
	}
	return o.writeSnapshot(final, res)
}

func (o Options) show(e transition.Effects) {
	switch {
	case e.Fd == transition.FdStdout && o.Stdout != nil:
		_, _ = o.Stdout.Write(e.Data)
	case e.Fd == transition.FdStderr && o.Stderr != nil:
		_, _ = o.Stderr.Write(e.Data)
	}
}

// progressChunk bounds the steps between two progress checks.
const progressChunk = 1 << 20

// chunk returns how many steps the runner may take before it must stop to
// check something: MaxSteps, the next checkpoint, SnapshotAt.
func (o Options) chunk(done, step uint64) uint64 {
	n := uint64(progressChunk)
	if o.MaxSteps != 0 {
		n = min(n, o.MaxSteps-done)
	}
	if o.Every != 0 {
		n = min(n, o.Every-done%o.Every)
	}
	if o.SnapshotOut != "" && o.SnapshotAt > step {
		n = min(n, o.SnapshotAt-step)
	}
	return n
}

// writeSnapshot writes the snapshot of s to SnapshotOut and records it.
func (o Options) writeSnapshot(s state.State, res *Result) error {
	if err := format.WriteSnapshotFile(o.SnapshotOut, s); err != nil {
		return &OutputError{err}
	}
	res.Snapshot = &Checkpoint{Step: s.Step, StateHash: s.Hash().String()}
	return nil
}

// Describe names a step's error and what it means for the run: its
// outcome and the requirement that defines it.
func Describe(err error) string {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return fmt.Sprintf("%v (%s, %s)", err, errors.OutcomeOf(err), e.Code.Requirement())
	}
	return err.Error()
}

// progressMeter prints a progress line every few seconds once a run has
// taken longer than a few seconds (nowhere when w is nil).
type progressMeter struct {
	w     io.Writer
	start time.Time
	next  time.Time
}

func (p *progressMeter) tick(steps uint64) {
	if p.w == nil {
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
