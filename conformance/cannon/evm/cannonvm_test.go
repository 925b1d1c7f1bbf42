package evm

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/ethereum-optimism/optimism/cannon/mipsevm"
	"github.com/ethereum-optimism/optimism/cannon/mipsevm/multithreaded"
	"github.com/ethereum/go-ethereum/log"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// cannonOracle serves a spec.PreimageMap to Cannon's Go VM, which panics on
// a missing key as its host would fail.
type cannonOracle spec.PreimageMap

func (o cannonOracle) Hint([]byte) {}
func (o cannonOracle) GetPreimage(k [32]byte) []byte {
	v, ok := o[k]
	if !ok {
		panic(fmt.Sprintf("missing preimage %x", k))
	}
	return v
}

// cannonResult is what one Cannon step produced.
type cannonResult struct {
	witness  []byte // post-state witness, 188 bytes
	hash     [32]byte
	panicMsg string // non-empty when Cannon panicked or failed
	wit      *mipsevm.StepWitness
}

// runCannon steps Cannon's Go VM once from s (a full memory), as the
// conformance module's adapter does (conformance/cannon/adapter_test.go's
// toCannon and runCannon, which this package cannot import), recovering a
// panic into panicMsg.
func runCannon(s state.State, po spec.PreimageMap) (res cannonResult) {
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
	cs.LeftThreadStack, cs.RightThreadStack = cannonThreads(s.LeftThreads), cannonThreads(s.RightThreads)
	cs.NextThreadId = s.NextThreadID
	vm := multithreaded.NewInstrumentedState(cs, cannonOracle(po), io.Discard, io.Discard, log.NewLogger(log.DiscardHandler()), nil, mipsevm.FeatureToggles{})
	defer func() {
		if r := recover(); r != nil {
			res.panicMsg = fmt.Sprint(r)
		}
	}()
	wit, err := vm.Step(true)
	if err != nil {
		res.panicMsg = "error: " + err.Error()
		return res
	}
	w, h := cs.EncodeWitness()
	res.witness, res.hash, res.wit = w, h, wit
	return res
}

func cannonThreads(st state.ThreadStack) []*multithreaded.ThreadState {
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

// sha256Key is the sha256 preimage key of value (type 4 in byte 0).
func sha256Key(value []byte) [32]byte {
	k := sha256.Sum256(value)
	k[0] = spec.KeyTypeSHA256
	return k
}
