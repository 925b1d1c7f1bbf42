package evm

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/vectors"
)

// isTensorSyscall reports whether class c is a step that executes
// tensor_map or tensor_root (ClassOf names them "7000 unknown" and
// "7001 unknown": MIPS64.sol does not know them).
func isTensorSyscall(c Class) bool {
	return c.Family == "syscall" && (strings.HasPrefix(c.Name, "7000 ") || strings.HasPrefix(c.Name, "7001 "))
}

// sameResult returns "" when MIPS64OPcity's result op is the released
// MIPS64's result base byte for byte: the same post-state hash and logged
// post-state, or the same revert reason.
func sameResult(base, op Result) string {
	switch {
	case base.Reverted != op.Reverted:
		return fmt.Sprintf("MIPS64 reverted=%v %q, MIPS64OPcity reverted=%v %q", base.Reverted, base.RevertReason, op.Reverted, op.RevertReason)
	case base.RevertReason != op.RevertReason:
		return fmt.Sprintf("MIPS64 reverts %q, MIPS64OPcity %q", base.RevertReason, op.RevertReason)
	case base.PostStateHash != op.PostStateHash || !bytes.Equal(base.PostState, op.PostState):
		return fmt.Sprintf("MIPS64 %x, MIPS64OPcity %x", base.PostStateHash, op.PostStateHash)
	}
	return ""
}

// opcityInput is in run through MIPS64OPcity after uploading tensors.
func opcityInput(in Input, tensors ...[]byte) Input {
	in.OPcity, in.Tensors = true, tensors
	return in
}

// TestEVM_OPCITY_BASE runs every base-profile vector through MIPS64OPcity
// beside the released MIPS64: on every step that is not a tensor syscall
// the two return the same bytes (post-state hash and logged post-state, or
// revert reason). The base-profile vectors whose step is syscall 7000 or
// 7001 are where the profiles differ by definition: MIPS64 reverts
// "unimplemented syscall", MIPS64OPcity must return the OPcity spec's
// post-state.
func TestEVM_OPCITY_BASE(t *testing.T) {
	files, err := vectors.Read("../../../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	var same, tensorSteps int
	for _, f := range files {
		for _, v := range f.Vectors {
			if v.Profile != "" {
				continue
			}
			w, err := vectorWitness(v)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			base, err := h.Step(InputOf(w))
			if err != nil {
				t.Fatal(err)
			}
			op, err := h.Step(opcityInput(InputOf(w)))
			if err != nil {
				t.Fatal(err)
			}
			if !isTensorSyscall(ClassOf(w.State, w.Proof)) {
				if msg := sameResult(base, op); msg != "" {
					t.Errorf("%s: %s", v.Name, msg)
				}
				same++
				continue
			}
			tensorSteps++
			want, serr := spec.VerifyStepIn(spec.ProfileOPcity, w.State, w.Proof, w.LocalContext, spec.Data{})
			switch {
			case !base.Reverted || base.RevertReason != "MIPS64: unimplemented syscall":
				t.Errorf("%s: MIPS64 reverted=%v %q on a tensor syscall", v.Name, base.Reverted, base.RevertReason)
			case serr == nil && (op.Reverted || op.PostStateHash != [32]byte(want)):
				t.Errorf("%s: OPcity spec %s, MIPS64OPcity %x reverted=%v %q", v.Name, want, op.PostStateHash, op.Reverted, op.RevertReason)
			case serr != nil && !op.Reverted:
				t.Errorf("%s: OPcity spec rejects (%v), MIPS64OPcity returns %x", v.Name, serr, op.PostStateHash)
			}
		}
	}
	if tensorSteps != 2 {
		t.Errorf("%d base-profile vectors execute a tensor syscall, want the 2 of tensors/base", tensorSteps)
	}
	t.Logf("base-profile vectors: %d with the same result from MIPS64OPcity and MIPS64, %d tensor syscalls (MIPS64 reverts, MIPS64OPcity follows the OPcity spec)", same, tensorSteps)
}

// TestEVM_OPCITY_VECTORS runs every OPcity-profile vector (the tensors
// group) through MIPS64OPcity with the vector's tensor uploaded into
// TensorOracle first: a vector with a post-state must return its hash and
// log its post_state (vectors.Compare), a vector with an error must
// revert. A vector whose D serves bytes that do not commit to the root the
// step names uploads those bytes, which TensorOracle holds under their own
// root: the step then finds no tensor and reverts, as the spec rejects.
func TestEVM_OPCITY_VECTORS(t *testing.T) {
	files, err := vectors.Read("../../../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t)
	var compared, rejections int
	reasons := map[string]int{}
	for _, f := range files {
		for _, v := range f.Vectors {
			if v.Profile != spec.ProfileOPcity.String() {
				continue
			}
			w, err := vectorWitness(v)
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			var tensors [][]byte
			if v.Tensor != nil {
				data, err := hex.DecodeString(strings.TrimPrefix(v.Tensor.Data, "0x"))
				if err != nil {
					t.Fatalf("%s: tensor: %v", v.Name, err)
				}
				tensors = append(tensors, data)
			}
			r, err := h.Step(opcityInput(InputOf(w), tensors...))
			if err != nil {
				t.Fatalf("%s: %v", v.Name, err)
			}
			compared++
			switch {
			case v.Error != nil && !r.Reverted:
				t.Errorf("%s: spec rejects (%s), MIPS64OPcity returns %x", v.Name, v.Error.Name, r.PostStateHash)
			case v.Error != nil:
				rejections++
				reasons[v.Error.Name+" -> "+r.RevertReason]++
			case r.Reverted:
				t.Errorf("%s: spec %s, MIPS64OPcity reverts %q", v.Name, v.PostStateHash, r.RevertReason)
			case format.Hex(r.PostStateHash[:]) != v.PostStateHash:
				t.Errorf("%s: spec %s, MIPS64OPcity %x", v.Name, v.PostStateHash, r.PostStateHash)
			default:
				if diff := vectors.Compare(v, vectors.Outcome{PostState: r.PostState, NoThread: true}); len(diff) != 0 {
					t.Errorf("%s: MIPS64OPcity's logged post-state: %s", v.Name, strings.Join(diff, "; "))
				}
			}
		}
	}
	if compared == 0 {
		t.Fatal("no OPcity-profile vectors")
	}
	for reason, n := range reasons {
		t.Logf("spec error %s: %d", reason, n)
	}
	t.Logf("OPcity-profile vectors compared: %d (%d expected rejections, all reverted), differences: 0 unless reported above", compared, rejections)
}

// tensorStepInput is the MIPS64OPcity input of a spec witness: its state
// and proof, the preimage it reads, and the tensor it read from D, if any,
// to upload.
func tensorStepInput(w spec.Witness) Input {
	in := Input{State: w.State[:], Proof: w.Proof, OPcity: true, Preimages: map[[32]byte][]byte{}}
	if w.HasPreimage {
		in.Preimages[w.PreimageKey] = w.PreimageValue[8:]
	}
	if w.HasTensor {
		in.Tensors = [][]byte{w.Tensor}
	}
	return in
}

// checkOPcityWitness requires MIPS64OPcity on w to return want, the spec's
// stateful post-state hash, and spec.VerifyStepIn to agree.
func checkOPcityWitness(h *Harness, w spec.Witness, want memory.Hash) string {
	po := spec.PreimageMap{}
	if w.HasPreimage {
		po[w.PreimageKey] = w.PreimageValue[8:]
	}
	d := spec.Data{Preimages: po}
	if w.HasTensor {
		d.Tensors = spec.NewTensors(w.Tensor)
	}
	got, err := spec.VerifyStepIn(spec.ProfileOPcity, w.State[:], w.Proof, [32]byte{}, d)
	if err != nil || got != want {
		return fmt.Sprintf("VerifyStepIn %s (%v), stateful %s", got, err, want)
	}
	r, err := h.Step(tensorStepInput(w))
	if err != nil {
		return err.Error()
	}
	if r.Reverted || r.PostStateHash != [32]byte(want) {
		return fmt.Sprintf("spec %s, MIPS64OPcity %x reverted=%v %q", want, r.PostStateHash, r.Reverted, r.RevertReason)
	}
	return ""
}
