package properties

import (
	"fmt"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// CheckVerifyComplete is CheckVerifyCompleteIn(spec.ProfileBase, pre, d).
func CheckVerifyComplete(pre state.State, d spec.Data) error {
	return CheckVerifyCompleteIn(spec.ProfileBase, pre, d)
}

// CheckVerifyCompleteIn checks VER-COMPLETE under profile p: when StepIn
// from pre succeeds, the honest witness verifies statelessly to the
// stateful post-state hash; when it fails, VerifyStepIn fails too.
func CheckVerifyCompleteIn(p spec.Profile, pre state.State, d spec.Data) error {
	post, w, err := spec.StepWithWitnessIn(p, pre, d)
	got, verr := spec.VerifyStepIn(p, w.State[:], w.Proof, [32]byte{}, d)
	if err != nil {
		if w.Proof == nil {
			return nil // no witness exists (e.g. empty stack)
		}
		if verr == nil {
			return fmt.Errorf("VER-COMPLETE: Step failed (%v) but VerifyStep accepted with %s", err, got)
		}
		return nil
	}
	if verr != nil {
		return fmt.Errorf("VER-COMPLETE: honest witness of %s rejected: %v", pre.Hash(), verr)
	}
	if got != post.Hash() {
		return fmt.Errorf("VER-COMPLETE: VerifyStep gives %s, Step gives %s (pre %s)", got, post.Hash(), pre.Hash())
	}
	return nil
}

// TamperRegion names a part of a witness a tampering check may flip.
type TamperRegion int

const (
	TamperState  TamperRegion = iota // the 188 state bytes
	TamperThread                     // the 330-byte thread witness
	TamperMemory                     // a memory proof slot the step used
)

// CheckVerifySound checks VER-SOUND: flipping bit `bit` of the chosen region
// of the honest witness of a successful step is rejected, or verifies to a
// hash other than the honest post-state hash. It returns (false, nil) when
// the region does not exist for this step (e.g. no memory slot was used).
func CheckVerifySound(pre state.State, d spec.Data, region TamperRegion, bit uint64) (bool, error) {
	return CheckVerifySoundIn(spec.ProfileBase, pre, d, region, bit)
}

// CheckVerifySoundIn is CheckVerifySound under profile p.
func CheckVerifySoundIn(p spec.Profile, pre state.State, d spec.Data, region TamperRegion, bit uint64) (bool, error) {
	post, w, err := spec.StepWithWitnessIn(p, pre, d)
	if err != nil {
		return false, nil
	}
	return checkFlip(p, pre, d, w, post.Hash(), region, bit)
}

// checkFlip flips one bit of a region of the honest witness w (whose step
// gives honest) and checks that the verifier does not accept a wrong
// post-state. It returns false when the region does not exist for the step.
func checkFlip(p spec.Profile, pre state.State, d spec.Data, w spec.Witness, honest memory.Hash, region TamperRegion, bit uint64) (bool, error) {
	stateData := append([]byte(nil), w.State[:]...)
	proof := append([]byte(nil), w.Proof...)
	var target []byte
	switch region {
	case TamperState:
		target = stateData
	case TamperThread:
		target = proof[:state.ThreadWitnessSize]
	case TamperMemory:
		if w.SlotsUsed == 0 {
			return false, nil
		}
		slot := int(bit/(memory.ProofSize*8)) % w.SlotsUsed
		off := state.ThreadWitnessSize + slot*memory.ProofSize
		target = proof[off : off+memory.ProofSize]
	}
	i := bit % uint64(len(target)*8)
	target[i/8] ^= 1 << (i % 8)
	got, verr := spec.VerifyStepIn(p, stateData, proof, [32]byte{}, d)
	if region == TamperState {
		if other, ok := retarget(pre, stateData); ok {
			return true, agreeWithStateful(p, other, d, got, verr, i)
		}
	}
	if verr == nil && got == honest {
		return true, fmt.Errorf("VER-SOUND: flipping bit %d of region %d still verifies to the honest post-state %s (pre %s)", i, region, got, pre.Hash())
	}
	return true, nil
}

// retarget returns the full state the tampered witness bytes commit to when
// the flip left the memory root and both stack roots alone (so the proof
// still belongs to it): pre with the decoded scalar fields replaced.
func retarget(pre state.State, stateData []byte) (state.State, bool) {
	w, err := state.DecodeWitness(stateData)
	honest := pre.Witness()
	if err != nil || w.MemRoot != honest.MemRoot || w.LeftThreadStack != honest.LeftThreadStack || w.RightThreadStack != honest.RightThreadStack {
		return state.State{}, false
	}
	s := pre
	s.PreimageKey, s.PreimageOffset, s.Heap = w.PreimageKey, w.PreimageOffset, w.Heap
	s.LLReservationStatus, s.LLAddress, s.LLOwnerThread = w.LLReservationStatus, w.LLAddress, w.LLOwnerThread
	s.ExitCode, s.Exited, s.Step = w.ExitCode, w.Exited, w.Step
	s.StepsSinceLastContextSwitch, s.TraverseRight, s.NextThreadID = w.StepsSinceLastContextSwitch, w.TraverseRight, w.NextThreadID
	return s, true
}

// agreeWithStateful requires that, if the verifier accepts a retargeted
// witness, its answer is the stateful step of the state the witness now
// commits to: a flip that turns one valid pre-state into another may map to
// the same post-state (a preempting step forgets
// StepsSinceLastContextSwitch), but never to a wrong one. Rejecting is
// always sound.
func agreeWithStateful(p spec.Profile, s state.State, d spec.Data, got memory.Hash, verr error, bit uint64) error {
	want, err := spec.StepIn(p, s, d)
	switch {
	case err != nil && verr == nil:
		return fmt.Errorf("VER-SOUND: bit %d: stateful step fails (%v) but the verifier accepts %s", bit, err, got)
	case err == nil && verr == nil && got != want.Hash():
		return fmt.Errorf("VER-SOUND: bit %d: verifier gives %s, stateful step of the tampered state %s", bit, got, want.Hash())
	}
	return nil
}

// TamperStep checks VER-SOUND for `flips` single-bit mutations of the honest
// witness of one step, choosing the region and bit with next (a source of
// uniform uint64s). It returns the number of mutations checked (0 when the
// step fails; flips of a memory slot the step does not use are not counted)
// and the first violation.
func TamperStep(pre state.State, d spec.Data, flips int, next func() uint64) (int, error) {
	post, w, err := spec.StepWithWitness(pre, d)
	if err != nil {
		return 0, nil
	}
	checked := 0
	for k := 0; k < flips; k++ {
		ok, err := checkFlip(spec.ProfileBase, pre, d, w, post.Hash(), TamperRegion(next()%3), next())
		if err != nil {
			return checked, err
		}
		if ok {
			checked++
		}
	}
	return checked, nil
}
