package vectors

import (
	stderrors "errors"
	"fmt"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
)

// Replay verifies one vector with spec.VerifyStep and returns nil when the
// result is the one the vector expects: the post-state hash, or a failure
// with the expected code.
func Replay(v Vector) error {
	raw := fmt.Sprintf(`{"state":%q,"proof":%q,"local_context":%q,"preimage_key":%q,"preimage_value":%q,"preimage_offset":%d}`,
		v.State, v.Proof, v.LocalContext, v.PreimageKey, v.PreimageValue, v.PreimageOffset)
	in, err := format.ParseWitness([]byte(raw))
	if err != nil {
		return fmt.Errorf("%s: malformed vector: %v", v.Name, err)
	}
	got, err := spec.VerifyStep(in.State, in.Proof, in.LocalContext, spec.Data{Preimages: in.Oracle})
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
