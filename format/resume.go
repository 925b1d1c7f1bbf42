package format

import (
	"fmt"

	"github.com/opcity-spec/opcity/spec/state"
)

// MaxResumeStep is the largest step counter a state may hold for a run to
// resume from it (`opcity run --from`): 2^63 − 1. The step counter is a
// uint64 that wraps after 2^64 − 1, in the spec as in Cannon (`Step += 1`)
// and MIPS64.sol (unchecked `state.step += 1`), so the spec steps such a
// state; but no real trace reaches 2^63 steps (292 years at 10^9 steps a
// second), so a snapshot beyond it is forged, and refusing it means a
// resumed run's counter never wraps. Requirement INV-STEP-WRAP.
const MaxResumeStep = 1<<63 - 1

// snapshotStepOffset is the byte offset of the step field in a snapshot
// (docs/formats/snapshot.md).
const snapshotStepOffset = 83

// CheckResumable returns nil when a run may resume from s, and otherwise a
// *SnapshotError (SnapBadField, field "step") saying that its step counter
// is above MaxResumeStep.
func CheckResumable(s state.State) error {
	if s.Step > MaxResumeStep {
		return &SnapshotError{Code: SnapBadField, Field: "step", Offset: snapshotStepOffset,
			Detail: fmt.Sprintf("%d is above %d (2^63 - 1): no real trace gets there, and a run from it could wrap the step counter", s.Step, uint64(MaxResumeStep))}
	}
	return nil
}
