package vectors

import (
	"encoding/hex"
	stderrors "errors"
	"fmt"
	"strings"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Replay verifies one vector with spec.VerifyStep and returns nil when the
// result is the one the vector expects: the post-state hash, or a failure
// with the expected code.
func Replay(v Vector) error {
	in, err := WitnessOf(v)
	if err != nil {
		return fmt.Errorf("%s: malformed vector: %v", v.Name, err)
	}
	p, d, err := profileAndTensors(v)
	if err != nil {
		return fmt.Errorf("%s: malformed vector: %v", v.Name, err)
	}
	d.Preimages = in.Oracle
	got, err := spec.VerifyStepIn(p, in.State, in.Proof, in.LocalContext, d)
	if v.Error == nil {
		if err != nil || got.String() != v.PostStateHash {
			return fmt.Errorf("%s: got %s (%v), want post-state %s", v.Name, got, err, v.PostStateHash)
		}
		return nil
	}
	var e *errors.Error
	if !stderrors.As(err, &e) || uint16(e.Code) != v.Error.Code {
		return fmt.Errorf("%s: got %s (%v), want error %s", v.Name, got, err, v.Error.Name)
	}
	return nil
}

// WitnessOf checks the vector's step fields as `opcity verify` checks a
// witness file (format.WitnessJSON.Parse, every field's syntax and size;
// local_context required) and its state_hash and preimage fields against
// its state (format.Witness.VerifyClaims). A vector has no step field: the
// state's own counter stands for it.
func WitnessOf(v Vector) (format.Witness, error) {
	if v.LocalContext == "" {
		return format.Witness{}, &format.FieldError{Field: "local_context", Detail: "missing"}
	}
	j := format.WitnessJSON{State: v.State, StateHash: v.StateHash, Proof: v.Proof, LocalContext: v.LocalContext,
		PreimageKey: v.PreimageKey, PreimageValue: v.PreimageValue, PreimageOffset: v.PreimageOffset}
	if raw, err := parseHex(v.State); err == nil {
		if w, err := state.DecodeWitness(raw); err == nil {
			j.Step = w.Step
		}
	}
	in, err := j.Parse()
	if err != nil {
		return in, err
	}
	return in, in.VerifyClaims()
}

// profileAndTensors returns the vector's profile (base when absent) and a D
// whose tensor store answers exactly the vector's one lookup.
func profileAndTensors(v Vector) (spec.Profile, spec.Data, error) {
	p := spec.ProfileBase
	if v.Profile != "" {
		var err error
		if p, err = transition.ParseProfile(v.Profile); err != nil {
			return p, spec.Data{}, err
		}
	}
	if v.Tensor == nil {
		return p, spec.Data{}, nil
	}
	root, err := parseHex(v.Tensor.Root)
	if err != nil || len(root) != 32 {
		return p, spec.Data{}, fmt.Errorf("tensor root %q", v.Tensor.Root)
	}
	data, err := parseHex(v.Tensor.Data)
	if err != nil {
		return p, spec.Data{}, fmt.Errorf("tensor data: %v", err)
	}
	return p, spec.Data{Tensors: oneTensor{[32]byte(root), v.Tensor.Log2Size, data}}, nil
}

// oneTensor is a tensor store that holds one answer.
type oneTensor struct {
	root     [32]byte
	log2size uint
	data     []byte
}

func (o oneTensor) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	return o.data, root == o.root && log2size == o.log2size
}

// parseHex decodes "0x"-prefixed hex.
func parseHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("%q does not start with 0x", s)
	}
	return hex.DecodeString(s[2:])
}
