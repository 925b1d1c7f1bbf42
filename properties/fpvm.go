package properties

import (
	"bytes"
	stderrors "errors"
	"fmt"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// codeOf returns the Code of a spec error, 0 for nil and for errors outside
// the closed set.
func codeOf(err error) errors.Code {
	var e *errors.Error
	if stderrors.As(err, &e) {
		return e.Code
	}
	return 0
}

// CheckFPVMAgrees checks that vm holds the state s: the same state hash and
// memory root (FPVM-MODEL).
func CheckFPVMAgrees(vm *fpvm.VM, s state.State) error {
	if got, want := vm.MemoryRoot(), s.Memory.Root(); got != want {
		return fmt.Errorf("FPVM-MODEL: memory root fpvm %s, spec %s (spec state %s)", got, want, s.Hash())
	}
	if got, want := vm.Hash(), s.Hash(); got != want {
		return fmt.Errorf("FPVM-MODEL: state hash fpvm %s, spec %s; %s", got, want, FirstWitnessDiff(vm.Witness(), s.Witness()))
	}
	return nil
}

// CheckFPVMStep is CheckFPVMStepIn(spec.ProfileBase, pre, d).
func CheckFPVMStep(pre state.State, d spec.Data) error {
	return CheckFPVMStepIn(spec.ProfileBase, pre, d)
}

// CheckFPVMStepIn checks FPVM-MODEL (and, under ProfileOPcity,
// FPVM-PROFILE) for one step from pre: fpvm.FromStateIn(p, pre) holds pre,
// converts back to a state with the same hash, and its Step returns the
// error Code (or none) of spec.AdvanceIn(p, ...) and its post-state — on
// error, the unchanged pre-state — with the same page count.
func CheckFPVMStepIn(p spec.Profile, pre state.State, d spec.Data) error {
	vm, err := fpvm.FromStateIn(p, pre)
	if err != nil {
		return fmt.Errorf("FPVM-MODEL: FromState(%s): %v", pre.Hash(), err)
	}
	if err := CheckFPVMAgrees(vm, pre); err != nil {
		return err
	}
	if back := vm.State(); back.Hash() != pre.Hash() {
		return fmt.Errorf("FPVM-MODEL: State() of FromState(%s) hashes to %s", pre.Hash(), back.Hash())
	}
	post, specErr := spec.AdvanceIn(p, pre, d, nil)
	vmErr := vm.Step(d)
	if codeOf(vmErr) != codeOf(specErr) || (vmErr == nil) != (specErr == nil) {
		return fmt.Errorf("FPVM-MODEL: %s step from %s: fpvm error %v, spec error %v", p, pre.Hash(), vmErr, specErr)
	}
	if err := CheckFPVMAgrees(vm, post); err != nil {
		return fmt.Errorf("%s step from %s: %w", p, pre.Hash(), err)
	}
	if full, ok := post.Memory.(memory.Memory); ok && full.PageCount() != vm.PageCount() {
		return fmt.Errorf("FPVM-MODEL: %s step from %s: fpvm holds %d pages, spec %d", p, pre.Hash(), vm.PageCount(), full.PageCount())
	}
	return nil
}

// CheckFPVMWitness is CheckFPVMWitnessIn(spec.ProfileBase, pre, d).
func CheckFPVMWitness(pre state.State, d spec.Data) error {
	return CheckFPVMWitnessIn(spec.ProfileBase, pre, d)
}

// CheckFPVMWitnessIn checks FPVM-WITNESS (FPVM-PROFILE-WITNESS under
// ProfileOPcity) for one step from pre: the StepWitness of
// fpvm.FromStateIn(p, pre) equals spec.StepWithWitnessIn(p, ...) field by
// field (also when the step fails), leaves the VM at the spec's post-state,
// and the witness verifies in spec.VerifyStepIn to that post-state's hash.
func CheckFPVMWitnessIn(p spec.Profile, pre state.State, d spec.Data) error {
	vm, err := fpvm.FromStateIn(p, pre)
	if err != nil {
		return fmt.Errorf("FPVM-WITNESS: FromStateIn(%s, %s): %v", p, pre.Hash(), err)
	}
	post, want, specErr := spec.StepWithWitnessIn(p, pre, d)
	got, vmErr := vm.StepWitness(d)
	if codeOf(vmErr) != codeOf(specErr) || (vmErr == nil) != (specErr == nil) {
		return fmt.Errorf("FPVM-WITNESS: step from %s: fpvm error %v, spec error %v", pre.Hash(), vmErr, specErr)
	}
	if msg := WitnessDiff(got, want); msg != "" {
		return fmt.Errorf("FPVM-WITNESS: step from %s: %s", pre.Hash(), msg)
	}
	if err := CheckFPVMAgrees(vm, post); err != nil {
		return fmt.Errorf("after StepWitness from %s: %w", pre.Hash(), err)
	}
	if specErr != nil || pre.Exited || got.Proof == nil {
		return nil
	}
	h, err := spec.VerifyStepIn(p, got.State[:], got.Proof, [32]byte{}, d)
	if err != nil || h != post.Hash() {
		return fmt.Errorf("FPVM-WITNESS: fpvm's witness from %s verifies to %s, %v; want %s", pre.Hash(), h, err, post.Hash())
	}
	return nil
}

// WitnessDiff names the first field in which two step witnesses differ
// (state, hash, proof, slots, preimage, tensor), or "" when they are equal.
func WitnessDiff(got, want spec.Witness) string {
	switch {
	case got.State != want.State:
		return "state encoding: " + FirstWitnessDiffBytes(got.State[:], want.State[:])
	case got.StateHash != want.StateHash:
		return fmt.Sprintf("state hash %s, want %s", got.StateHash, want.StateHash)
	case !bytes.Equal(got.Proof, want.Proof):
		return fmt.Sprintf("proof differs from byte %d (len %d, want %d)", firstByteDiff(got.Proof, want.Proof), len(got.Proof), len(want.Proof))
	case got.SlotsUsed != want.SlotsUsed:
		return fmt.Sprintf("slots used %d, want %d", got.SlotsUsed, want.SlotsUsed)
	case got.HasPreimage != want.HasPreimage || got.PreimageKey != want.PreimageKey ||
		got.PreimageOffset != want.PreimageOffset || !bytes.Equal(got.PreimageValue, want.PreimageValue):
		return fmt.Sprintf("preimage (%v, %x, %d, %x), want (%v, %x, %d, %x)", got.HasPreimage, got.PreimageKey, got.PreimageOffset,
			got.PreimageValue, want.HasPreimage, want.PreimageKey, want.PreimageOffset, want.PreimageValue)
	case got.HasTensor != want.HasTensor || got.TensorRoot != want.TensorRoot ||
		got.TensorLog2Size != want.TensorLog2Size || !bytes.Equal(got.Tensor, want.Tensor):
		return fmt.Sprintf("tensor (%v, %x, 2^%d, %d bytes), want (%v, %x, 2^%d, %d bytes)", got.HasTensor, got.TensorRoot, got.TensorLog2Size,
			len(got.Tensor), want.HasTensor, want.TensorRoot, want.TensorLog2Size, len(want.Tensor))
	}
	return ""
}

// CheckFPVMRun is CheckFPVMRunIn(spec.ProfileBase, pre, d, n).
func CheckFPVMRun(pre state.State, d spec.Data, n uint64) error {
	return CheckFPVMRunIn(spec.ProfileBase, pre, d, n)
}

// CheckFPVMRunIn checks FPVM-MODEL for up to n steps under profile p:
// fpvm's Run executes the same number of steps as spec.RunIn, fails with
// the same Code, and ends in the same state.
func CheckFPVMRunIn(p spec.Profile, pre state.State, d spec.Data, n uint64) error {
	vm, err := fpvm.FromStateIn(p, pre)
	if err != nil {
		return fmt.Errorf("FPVM-MODEL: FromStateIn(%s, %s): %v", p, pre.Hash(), err)
	}
	post, k, specErr := spec.RunIn(p, pre, d, n)
	got, vmErr := vm.Run(d, n)
	if got != k || codeOf(vmErr) != codeOf(specErr) || (vmErr == nil) != (specErr == nil) {
		return fmt.Errorf("FPVM-MODEL: Run(%s, %d): fpvm %d steps (%v), spec %d steps (%v)", pre.Hash(), n, got, vmErr, k, specErr)
	}
	if err := CheckFPVMAgrees(vm, post); err != nil {
		return fmt.Errorf("Run(%s, %d): %w", pre.Hash(), n, err)
	}
	return nil
}

// FirstWitnessDiff names the first field in which two state witnesses differ.
func FirstWitnessDiff(a, b state.Witness) string {
	ea, eb := a.Encode(), b.Encode()
	return FirstWitnessDiffBytes(ea[:], eb[:])
}

// witnessFields are the 188-byte witness fields by start offset.
var witnessFields = []struct {
	off  int
	name string
}{
	{0, "memRoot"}, {32, "preimageKey"}, {64, "preimageOffset"}, {72, "heap"}, {80, "llReservationStatus"},
	{81, "llAddress"}, {89, "llOwnerThread"}, {97, "exitCode"}, {98, "exited"}, {99, "step"},
	{107, "stepsSinceLastContextSwitch"}, {115, "traverseRight"}, {116, "leftThreadStack"},
	{148, "rightThreadStack"}, {180, "nextThreadID"},
}

// FirstWitnessDiffBytes names the witness field holding the first differing
// byte of two encodings.
func FirstWitnessDiffBytes(a, b []byte) string {
	i := firstByteDiff(a, b)
	if i < 0 {
		return "witnesses equal"
	}
	name := "?"
	for _, f := range witnessFields {
		if i >= f.off {
			name = f.name
		}
	}
	return fmt.Sprintf("first differing field %s (byte %d)", name, i)
}

func firstByteDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return min(len(a), len(b))
	}
	return -1
}
