// Package cannonvm drives Cannon's Go VM (multithreaded, MIPS64) from spec
// states for the conformance tests of this module and of its evm package:
// it builds Cannon's state from a spec state, steps it with an oracle that
// serves preimages and records the hints Cannon delivers, recovers Cannon's
// panics into a message, and reads back the post-state witness, hash, step
// witness and LastHint.
package cannonvm

import (
	"bytes"
	"fmt"
	"io"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm"
	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"
	"github.com/ethereum/go-ethereum/log"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// Oracle is the preimage oracle Cannon's Go VM is given. GetPreimage serves
// Preimages and panics on a missing key, as Cannon's host fails; Hint
// appends a copy of each hint Cannon delivers (a complete frame written to
// fd 4, without its length prefix) to Hints, in order.
type Oracle struct {
	Preimages spec.PreimageMap
	Hints     [][]byte
}

// NewOracle returns an oracle serving po with no hints recorded.
func NewOracle(po spec.PreimageMap) *Oracle { return &Oracle{Preimages: po} }

// Hint records v.
func (o *Oracle) Hint(v []byte) { o.Hints = append(o.Hints, append([]byte{}, v...)) }

// GetPreimage returns the preimage of k, or panics when there is none.
func (o *Oracle) GetPreimage(k [32]byte) []byte {
	v, ok := o.Preimages[k]
	if !ok {
		panic(fmt.Sprintf("missing preimage %x", k))
	}
	return v
}

// TakeHints returns the hints recorded since the last call and forgets them.
func (o *Oracle) TakeHints() [][]byte {
	h := o.Hints
	o.Hints = nil
	return h
}

// FromState returns Cannon's state for s, whose memory must be full
// (memory.Memory): every page, every scalar, both thread stacks, the next
// thread ID and the off-chain LastHint.
func FromState(s state.State) *multithreaded.State {
	cs := multithreaded.CreateEmptyState()
	s.Memory.(memory.Memory).Pages(func(index uint64, page *[4096]byte) bool {
		_ = cs.Memory.SetMemoryRange(index<<12, bytes.NewReader(page[:]))
		return true
	})
	cs.PreimageKey, cs.PreimageOffset, cs.Heap = s.PreimageKey, s.PreimageOffset, s.Heap
	cs.LLReservationStatus = multithreaded.LLReservationStatus(s.LLReservationStatus)
	cs.LLAddress, cs.LLOwnerThread = s.LLAddress, s.LLOwnerThread
	cs.ExitCode, cs.Exited, cs.Step = s.ExitCode, s.Exited, s.Step
	cs.StepsSinceLastContextSwitch, cs.TraverseRight = s.StepsSinceLastContextSwitch, s.TraverseRight
	cs.LeftThreadStack, cs.RightThreadStack = threadsOf(s.LeftThreads), threadsOf(s.RightThreads)
	cs.NextThreadId = s.NextThreadID
	if len(s.LastHint) > 0 {
		cs.LastHint = append([]byte{}, s.LastHint...)
	}
	return cs
}

// threadsOf returns Cannon's threads of st, bottom first.
func threadsOf(st state.ThreadStack) []*multithreaded.ThreadState {
	out := []*multithreaded.ThreadState{}
	for _, t := range st.Threads {
		out = append(out, &multithreaded.ThreadState{
			ThreadId: t.ID, ExitCode: t.ExitCode, Exited: t.Exited,
			Cpu:       mipsevm.CpuScalars{PC: t.CPU.PC, NextPC: t.CPU.NextPC, LO: t.CPU.LO, HI: t.CPU.HI},
			Registers: t.CPU.Regs,
		})
	}
	return out
}

// NewVM returns Cannon's InstrumentedState over cs with oracle o, its
// stdout, stderr and log discarded and no feature toggles.
func NewVM(cs *multithreaded.State, o mipsevm.PreimageOracle) *multithreaded.InstrumentedState {
	return multithreaded.NewInstrumentedState(cs, o, io.Discard, io.Discard, log.NewLogger(log.DiscardHandler()), nil, mipsevm.FeatureToggles{})
}

// StepVM steps vm once (with proofs when proof is set) and returns Cannon's
// step witness, or a non-empty failure: Cannon's panic message, or
// "error: " and the error Step returned.
func StepVM(vm *multithreaded.InstrumentedState, proof bool) (wit *mipsevm.StepWitness, failure string) {
	defer func() {
		if r := recover(); r != nil {
			wit, failure = nil, fmt.Sprint(r)
		}
	}()
	wit, err := vm.Step(proof)
	if err != nil {
		return nil, "error: " + err.Error()
	}
	return wit, ""
}

// Result is what one Cannon step produced.
type Result struct {
	Witness     []byte   // post-state witness, 188 bytes
	Hash        [32]byte // post-state hash
	Panic       string   // non-empty when Cannon panicked or Step failed
	Post        *multithreaded.State
	StepWitness *mipsevm.StepWitness // Step(true)'s witness of the pre-state
	Hints       [][]byte             // the hints delivered during the step, in order
	LastHint    []byte               // Cannon's LastHint after the step
}

// Step steps Cannon once, with proofs, from s (a full memory) with the
// preimages po. A panic or error is recovered into Result.Panic; the hints
// delivered before it are kept.
func Step(s state.State, po spec.PreimageMap) Result {
	cs := FromState(s)
	o := NewOracle(po)
	wit, failure := StepVM(NewVM(cs, o), true)
	res := Result{Panic: failure, Hints: o.Hints}
	if failure != "" {
		return res
	}
	res.Witness, res.Hash = cs.EncodeWitness()
	res.Post, res.StepWitness, res.LastHint = cs, wit, cs.LastHint
	return res
}
