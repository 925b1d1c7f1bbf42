// Package vectors generates the OPcity conformance vectors: single steps
// with everything a stateless verifier needs — pre-state, proof, preimage,
// local context — and the expected post-state hash or the expected error.
// The spec generates them (never by hand); docs/formats/vectors.md is the
// schema; `opcity vectors --out DIR` writes them and testdata/ holds the
// committed set, which a test keeps equal to what Generate produces.
package vectors

import (
	stderrors "errors"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// Version is the vector schema version.
const Version = 1

// Vector is one step to verify. Exactly one of PostStateHash and Error is set.
type Vector struct {
	Name           string `json:"name"`
	Group          string `json:"group"`
	Description    string `json:"description"`
	Mnemonic       string `json:"mnemonic,omitempty"`
	Syscall        uint64 `json:"syscall,omitempty"`
	State          string `json:"state"`
	StateHash      string `json:"state_hash"`
	Proof          string `json:"proof"`
	LocalContext   string `json:"local_context"`
	PreimageKey    string `json:"preimage_key,omitempty"`
	PreimageValue  string `json:"preimage_value,omitempty"`
	PreimageOffset uint64 `json:"preimage_offset,omitempty"`
	PostStateHash  string `json:"post_state_hash,omitempty"`
	Error          *Error `json:"error,omitempty"`
	// Profile is the profile the step runs under: absent for the base
	// profile (every v1 vector before the tensors group), "opcity" for the
	// tensor syscalls. It is never inferred from the syscall number.
	Profile string `json:"profile,omitempty"`
	// Tensor is what D serves for one (root, log2size) lookup: the tensor a
	// tensor_map step reads, or, in an error vector, bytes that do not
	// commit to the root.
	Tensor *Tensor `json:"tensor,omitempty"`
}

// Tensor is D's answer to one tensor lookup: Data for (Root, Log2Size).
type Tensor struct {
	Root     string `json:"root"`
	Log2Size uint   `json:"log2size"`
	Data     string `json:"data"`
}

// Error is an expected failure: the spec's code number and name, and what
// it means (errors.Outcome). A client must reject the step; matching the
// outcome is required, matching the code is recommended.
type Error struct {
	Code    uint16 `json:"code"`
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
}

// File is one JSON file of the vector set: a group of vectors.
type File struct {
	Version int      `json:"version"`
	Group   string   `json:"group"`
	Vectors []Vector `json:"vectors"`
}

// fromStep runs one step from pre with oracle d and records it as a vector.
// It returns false when the step has no witness (an empty active stack).
func fromStep(name, group, desc string, pre state.State, d spec.Data) (Vector, bool) {
	return fromStepIn(spec.ProfileBase, name, group, desc, pre, d)
}

// fromStepIn is fromStep under profile p; a profile other than base is
// recorded in the vector, and so is the tensor the step read.
func fromStepIn(p spec.Profile, name, group, desc string, pre state.State, d spec.Data) (Vector, bool) {
	post, w, err := spec.StepWithWitnessIn(p, pre, d)
	if w.Proof == nil && !pre.Exited {
		return Vector{}, false
	}
	used := state.ThreadWitnessSize + memory.ProofSize*max(1, w.SlotsUsed)
	v := Vector{
		Name: name, Group: group, Description: desc,
		State: format.Hex(w.State[:]), StateHash: w.StateHash.String(),
		Proof: format.Hex(w.Proof[:min(used, len(w.Proof))]), LocalContext: format.Hex(make([]byte, 32)),
	}
	if w.HasPreimage {
		v.PreimageKey, v.PreimageValue, v.PreimageOffset = format.Hex(w.PreimageKey[:]), format.Hex(w.PreimageValue), w.PreimageOffset
	}
	if p != spec.ProfileBase {
		v.Profile = p.String()
	}
	if w.HasTensor {
		v.Tensor = &Tensor{Root: format.Hex(w.TensorRoot[:]), Log2Size: w.TensorLog2Size, Data: format.Hex(w.Tensor)}
	}
	if err != nil {
		var e *errors.Error
		stderrors.As(err, &e)
		v.Error = &Error{Code: uint16(e.Code), Name: e.Code.String(), Outcome: errors.OutcomeOf(err).String()}
	} else {
		v.PostStateHash = post.Hash().String()
	}
	return v, true
}
