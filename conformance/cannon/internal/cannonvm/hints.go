package cannonvm

import (
	"bytes"
	"fmt"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// AdvanceSpec steps s in the spec as a runner does (spec.Advance) and
// returns the post-state, whose LastHint is the runner's, and the hints the
// step completes on fd 4, in order: what Cannon's Go VM delivers to its
// oracle's Hint for the same step.
func AdvanceSpec(s state.State, d spec.Data) (state.State, [][]byte, error) {
	var hints [][]byte
	post, err := spec.Advance(s, d, func(e transition.Effects) {
		if e.Fd == transition.FdHintWrite {
			hints = e.Hints
		}
	})
	return post, hints, err
}

// DiffHints returns "" when the spec's hints and LastHint equal Cannon's
// (the same frames in the same order; an absent LastHint equals an empty
// one), or the first difference (requirement CONF-CANNON-HINT).
func DiffHints(specHints, cannonHints [][]byte, specLast, cannonLast []byte) string {
	for i := range min(len(specHints), len(cannonHints)) {
		if !bytes.Equal(specHints[i], cannonHints[i]) {
			return fmt.Sprintf("hint %d differs: spec 0x%x, cannon 0x%x", i, specHints[i], cannonHints[i])
		}
	}
	if len(specHints) != len(cannonHints) {
		return fmt.Sprintf("the spec delivers %d hints, cannon %d", len(specHints), len(cannonHints))
	}
	if !bytes.Equal(specLast, cannonLast) {
		return fmt.Sprintf("LastHint differs: spec 0x%x, cannon 0x%x", specLast, cannonLast)
	}
	return ""
}
