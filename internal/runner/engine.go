package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// engine is what a run needs of a VM: the spec, fpvm, or both in
// lockstep.
type engine interface {
	stepCount() uint64
	exited() bool
	// advance takes up to n ≥ 1 steps, stopping at exit or at the first
	// step that fails (the VM is then as it was before that step), and
	// returns the steps taken.
	advance(n uint64) (uint64, error)
	hash() memory.Hash
	// state returns the VM state as a persistent spec state.
	state() state.State
}

func newEngine(vm string, p spec.Profile, s state.State, d spec.Data, show func(transition.Effects)) (engine, error) {
	switch vm {
	case Spec:
		return &specEngine{p: p, s: s.Transient(&memory.Edit{}), d: d, show: show}, nil
	case Both:
		f, err := fpvm.FromStateIn(p, s)
		if err != nil {
			return nil, err
		}
		l := NewLockstep(s, f, d)
		l.spec.show = show
		return l, nil
	}
	f, err := fpvm.FromStateIn(p, s)
	if err != nil {
		return nil, err
	}
	f.Observe = show
	return &fastEngine{vm: f, d: d}, nil
}

// specEngine steps the spec. The runner owns every state after the first,
// so it steps them as transient values (see spec.Run).
type specEngine struct {
	p          spec.Profile
	s          state.State
	d          spec.Data
	show       func(transition.Effects)
	persistent bool // step persistent states (every state stays valid)
}

func (e *specEngine) stepCount() uint64 { return e.s.Step }
func (e *specEngine) exited() bool      { return e.s.Exited }
func (e *specEngine) hash() memory.Hash { return e.s.Hash() }

func (e *specEngine) advance(n uint64) (uint64, error) {
	var i uint64
	for ; i < n && !e.s.Exited; i++ {
		next, err := spec.AdvanceIn(e.p, e.s, e.d, e.show)
		if err != nil {
			return i, err
		}
		e.s = next
	}
	return i, nil
}

func (e *specEngine) state() state.State {
	if e.persistent {
		return e.s
	}
	p := e.s.Persistent()
	e.s = p.Transient(&memory.Edit{}) // later steps must not change the returned state
	return p
}

// fastEngine runs fpvm.
type fastEngine struct {
	vm *fpvm.VM
	d  spec.Data
}

func (e *fastEngine) stepCount() uint64                { return e.vm.StepCount }
func (e *fastEngine) exited() bool                     { return e.vm.Exited }
func (e *fastEngine) hash() memory.Hash                { return e.vm.Hash() }
func (e *fastEngine) advance(n uint64) (uint64, error) { return e.vm.Run(e.d, n) }
func (e *fastEngine) state() state.State               { return e.vm.State() }

// Lockstep steps the spec and fpvm in lockstep and compares the state
// hash (and the failure, if any) after every step; the spec's output is
// shown. The first difference is a *Divergence.
type Lockstep struct {
	spec specEngine
	fast *fpvm.VM
}

// NewLockstep pairs the spec at s with fast (normally fpvm.FromState(s) or
// fpvm.FromStateIn(p, s)); the spec steps under fast's profile. The spec
// steps persistent states, so the state before a differing step is still
// intact for the reproducer.
func NewLockstep(s state.State, fast *fpvm.VM, d spec.Data) *Lockstep {
	return &Lockstep{spec: specEngine{p: fast.Profile(), s: s, d: d, persistent: true}, fast: fast}
}

func (e *Lockstep) stepCount() uint64 { return e.spec.stepCount() }
func (e *Lockstep) exited() bool      { return e.spec.exited() }
func (e *Lockstep) hash() memory.Hash { return e.spec.hash() }
func (e *Lockstep) state() state.State {
	return e.spec.state()
}

// Advance takes up to n steps in both VMs, stopping at exit, at the first
// step that fails in both alike, or at the first *Divergence (the VMs are
// then as they were before that step); it returns the steps taken.
func (e *Lockstep) Advance(n uint64) (uint64, error) { return e.advance(n) }

func (e *Lockstep) advance(n uint64) (uint64, error) {
	var i uint64
	for ; i < n && !e.spec.exited(); i++ {
		pre := e.spec.s
		_, specErr := e.spec.advance(1)
		fastErr := e.fast.Step(e.spec.d)
		specHash, fastHash := e.spec.hash(), e.fast.Hash()
		if specHash != fastHash || codeOf(specErr) != codeOf(fastErr) {
			e.spec.s = pre // report the state before the differing step
			return i, &Divergence{Step: pre.Step + 1, Pre: pre, SpecHash: specHash, FastHash: fastHash, SpecErr: specErr, FastErr: fastErr}
		}
		if specErr != nil {
			return i, specErr
		}
	}
	return i, nil
}

// codeOf is the spec error code of err (0 for nil, and for an error that is
// not the spec's, which the spec never returns).
func codeOf(err error) errors.Code {
	if e, ok := err.(*errors.Error); ok {
		return e.Code
	}
	return 0
}

// Divergence is the first step where fpvm and the spec disagree: Pre is
// the state before it, the hashes and errors are each VM's after it.
type Divergence struct {
	Step               uint64
	Pre                state.State
	SpecHash, FastHash memory.Hash
	SpecErr, FastErr   error
}

func (d *Divergence) Error() string {
	return fmt.Sprintf("spec and fpvm differ at step %d: spec %s (error %v), fpvm %s (error %v)", d.Step, d.SpecHash, d.SpecErr, d.FastHash, d.FastErr)
}

// WriteReproducer writes the state before the differing step as a snapshot
// in the temporary directory and returns its path and the command that
// replays the step, with inputs (the run's --preimages, --profile and
// --tensors flags, each flag and its value) after it.
func (d *Divergence) WriteReproducer(inputs ...string) (string, string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("opcity-divergence-step-%d.snap", d.Step))
	if err := format.WriteSnapshotFile(path, d.Pre); err != nil {
		return "", "", err
	}
	cmd := strings.Join(append([]string{"opcity run --vm both --max-steps 1 --from", path}, inputs...), " ")
	return path, cmd, nil
}
