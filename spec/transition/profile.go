package transition

import (
	"fmt"

	"github.com/opcity-spec/opcity/spec/errors"
)

// Profile selects the syscall table a step runs under. It is always an
// explicit argument of the step (StepIn); nothing in a state or in D says
// which profile applies, and the spec never infers it (requirement
// PROF-EXPLICIT).
type Profile uint8

const (
	// ProfileBase is Cannon v1.19.6, byte for byte: the tensor syscall
	// numbers are unknown syscalls (PROF-BASE-UNKNOWN).
	ProfileBase Profile = iota
	// ProfileOPcity is the base profile plus tensor_map and tensor_root
	// (SysTensorMap, SysTensorRoot).
	ProfileOPcity
)

// String returns "base", "opcity", or "profile(n)" for a value outside the
// two.
func (p Profile) String() string {
	switch p {
	case ProfileBase:
		return "base"
	case ProfileOPcity:
		return "opcity"
	}
	return fmt.Sprintf("profile(%d)", uint8(p))
}

// ParseProfile returns the profile named s ("base" or "opcity"). Errors:
// CodeUnknownProfile for any other name.
func ParseProfile(s string) (Profile, error) {
	switch s {
	case "base":
		return ProfileBase, nil
	case "opcity":
		return ProfileOPcity, nil
	}
	return 0, errors.New(errors.CodeUnknownProfile, "%q", s)
}

// VerifyProfile returns nil for ProfileBase and ProfileOPcity, else an
// *errors.Error with CodeUnknownProfile (PROF-EXPLICIT).
func VerifyProfile(p Profile) error {
	if p != ProfileBase && p != ProfileOPcity {
		return errors.New(errors.CodeUnknownProfile, "%s", p)
	}
	return nil
}
