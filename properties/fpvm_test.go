package properties_test

import (
	stderrors "errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// fpvmMachine is the rapid state machine of FPVM-MODEL: the spec state is
// the model, the fpvm VM the system under test.
type fpvmMachine struct {
	s      state.State
	vm     *fpvm.VM
	d      spec.Data
	key    [32]byte // the preimage key of d
	steps  int      // successful steps compared
	failed int      // failing steps compared (same Code, both unchanged)
}

// TestFPVM_MODEL is a rapid state machine with the spec as the model and
// fpvm as the system under test, on random programs (ProgramState): after
// every action — step, step-N (Run against spec.Run), witness (StepWitness
// against spec.StepWithWitness, verified in VerifyStep), a preimage read
// and a round trip through State/FromState — the state hashes and memory
// roots must be equal and failing steps must fail with the same Code and
// leave both unchanged. Replay a failure with
// go test ./properties -run TestFPVM_MODEL -rapid.seed=SEED.
func TestFPVM_MODEL(t *testing.T) {
	var steps, failed int
	rapid.Check(t, func(t *rapid.T) {
		m := newFPVMMachine(t, properties.ProgramState().Draw(t, "pre"))
		t.Repeat(map[string]func(*rapid.T){
			"step":      m.step,
			"stepN":     m.stepN,
			"witness":   m.witness,
			"oracle":    m.oracle,
			"roundTrip": m.roundTrip,
			"": func(t *rapid.T) {
				if err := properties.CheckFPVMAgrees(m.vm, m.s); err != nil {
					t.Fatal(err)
				}
			},
		})
		steps, failed = steps+m.steps, failed+m.failed
	})
	t.Logf("compared %d successful and %d failing steps", steps, failed)
}

func newFPVMMachine(t *rapid.T, s state.State) *fpvmMachine {
	value := rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "preimage")
	key := memory.Keccak256(value)
	key[0] = spec.KeyTypeKeccak256
	s.PreimageKey = key
	d := spec.Data{Preimages: spec.PreimageMap{key: value}}
	if rapid.IntRange(0, 9).Draw(t, "noOracle") == 0 {
		d = spec.Data{} // reads fail with CodeMissingPreimage
	}
	vm, err := fpvm.FromState(s)
	if err != nil {
		t.Fatal(err)
	}
	return &fpvmMachine{s: s, vm: vm, d: d, key: key}
}

func (m *fpvmMachine) step(t *rapid.T) {
	post, specErr := spec.Advance(m.s, m.d, nil)
	vmErr := m.vm.Step(m.d)
	if specErr == nil {
		m.s = post
	}
	m.compare(t, "step", specErr, vmErr)
}

func (m *fpvmMachine) stepN(t *rapid.T) {
	n := rapid.Uint64Range(1, 40).Draw(t, "n")
	post, k, specErr := spec.Run(m.s, m.d, n)
	got, vmErr := m.vm.Run(m.d, n)
	if got != k {
		t.Fatalf("Run(%s, %d): fpvm %d steps, spec %d", m.s.Hash(), n, got, k)
	}
	m.s = post
	m.compare(t, "stepN", specErr, vmErr)
}

func (m *fpvmMachine) witness(t *rapid.T) {
	if err := properties.CheckFPVMWitness(m.s, m.d); err != nil {
		t.Fatal(err)
	}
	// CheckFPVMWitness stepped its own copy; step the machine's VM too.
	m.step(t)
}

// oracle makes the next instruction read(5, buf, n) in both executors.
func (m *fpvmMachine) oracle(t *rapid.T) {
	th, err := m.s.CurrentThread()
	if err != nil || th.Exited || m.s.Exited || th.CPU.PC&3 != 0 {
		t.Skip("no running thread")
	}
	th.CPU.Regs[2], th.CPU.Regs[4] = transition.SysRead, transition.FdPreimageRead
	th.CPU.Regs[5] = properties.DataBase + rapid.Uint64Range(0, 0x100).Draw(t, "buf")
	th.CPU.Regs[6] = rapid.Uint64Range(0, 12).Draw(t, "count")
	m.s.Memory = m.s.Memory.(memory.Memory).SetBytes(th.CPU.PC, []byte{0, 0, 0, 0x0C})
	active, _ := m.s.ActiveStack().ReplaceTop(th)
	m.s = m.s.WithStacks(active, m.s.InactiveStack())
	m.roundTrip(t)
	m.step(t)
}

// roundTrip rebuilds the VM from the model state (and checks State()).
func (m *fpvmMachine) roundTrip(t *rapid.T) {
	if got := m.vm.State().Hash(); got != m.vm.Hash() {
		t.Fatalf("State() hashes to %s, VM to %s", got, m.vm.Hash())
	}
	vm, err := fpvm.FromState(m.s)
	if err != nil {
		t.Fatal(err)
	}
	m.vm = vm
}

// compare checks the error codes and the states after an action.
func (m *fpvmMachine) compare(t *rapid.T, action string, specErr, vmErr error) {
	if (specErr == nil) != (vmErr == nil) || codeOfErr(specErr) != codeOfErr(vmErr) {
		t.Fatalf("%s from %s: fpvm error %v, spec error %v", action, m.s.Hash(), vmErr, specErr)
	}
	if specErr == nil {
		m.steps++
		return
	}
	// A failed step leaves both executors unchanged, so every later step
	// would fail the same way: check the unchanged states agree, then go on
	// from a fresh program, so the budget goes to new steps.
	m.failed++
	if err := properties.CheckFPVMAgrees(m.vm, m.s); err != nil {
		t.Fatalf("%s failed (%v) and the executors disagree: %v", action, specErr, err)
	}
	m.s = properties.ProgramState().Draw(t, "fresh program")
	m.s.PreimageKey = m.key
	vm, err := fpvm.FromState(m.s)
	if err != nil {
		t.Fatal(err)
	}
	m.vm = vm
}

// TestFPVM_MODEL_Syscalls steps fpvm and the spec from generated syscall
// states of every syscall family and compares hashes, error codes and
// witnesses.
func TestFPVM_MODEL_Syscalls(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var all []uint64
		for _, nums := range properties.SyscallFamilies {
			all = append(all, nums...)
		}
		pre := properties.SyscallState(all).Draw(t, "pre")
		d := spec.Data{Preimages: spec.PreimageMap{pre.PreimageKey: rapid.SliceOfN(rapid.Byte(), 0, 20).Draw(t, "value")}}
		if err := properties.CheckFPVMStep(pre, d); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckFPVMWitness(pre, d); err != nil {
			t.Fatal(err)
		}
	})
}

// TestFPVM_WITNESS checks StepWitness against spec.StepWithWitness on
// generated single steps of every instruction family.
func TestFPVM_WITNESS(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pre := properties.ProgramState().Draw(t, "pre")
		if err := properties.CheckFPVMWitness(pre, spec.Data{}); err != nil {
			t.Fatal(err)
		}
	})
}

func codeOfErr(err error) errors.Code {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return e.Code
	}
	return 0
}
