// Package format holds the file formats of OPcity's command line: the step
// witness JSON of `opcity witness` and `opcity verify` (docs/formats/witness.md),
// the preimage file of --preimages, the tensors file of --tensors
// (ParseTensors), snapshots (docs/formats/snapshot.md), the
// strict JSON decoder every JSON input goes through (DecodeStrict), and the
// complete-or-absent file writer (WriteFile).
package format

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// WitnessJSON is the step witness file of `opcity witness` and `opcity verify`
// (docs/formats/witness.md). Byte strings are "0x"-prefixed hex.
type WitnessJSON struct {
	Step uint64 `json:"step"`
	// Profile is "opcity" for a step under the OPcity profile; empty (the
	// field omitted) for the base profile, so that a base witness is the
	// bytes it was before the profile existed.
	Profile        string `json:"profile,omitempty"`
	State          string `json:"state"`
	StateHash      string `json:"state_hash"`
	Proof          string `json:"proof"`
	PreimageKey    string `json:"preimage_key,omitempty"`
	PreimageValue  string `json:"preimage_value,omitempty"`
	PreimageOffset uint64 `json:"preimage_offset,omitempty"`
	// The tensor a tensor_map step reads from D (OPcity profile only):
	// D's answer to the lookup (TensorRoot, TensorLog2Size).
	TensorRoot     string `json:"tensor_root,omitempty"`
	TensorLog2Size uint64 `json:"tensor_log2size,omitempty"`
	Tensor         string `json:"tensor,omitempty"`
	LocalContext   string `json:"local_context,omitempty"`
	PostStateHash  string `json:"post_state_hash,omitempty"`
}

// Hex returns b as "0x"-prefixed lowercase hex.
func Hex(b []byte) string { return "0x" + hex.EncodeToString(b) }

// EncodeWitness is EncodeWitnessIn(spec.ProfileBase, step, w, post).
func EncodeWitness(step uint64, w spec.Witness, post memory.Hash) WitnessJSON {
	return EncodeWitnessIn(spec.ProfileBase, step, w, post)
}

// EncodeWitnessIn returns the JSON form of witness w of the step under
// profile p from the state at step, whose post-state hash is post: profile
// "opcity" under the OPcity profile (omitted for the base profile), and the
// tensor fields when the step read a tensor (w.HasTensor). A witness the
// command line writes carries a tensor of at most limits.Tensor bytes, as
// every tensor of a --tensors file is (requirement WIT-TENSOR).
func EncodeWitnessIn(p spec.Profile, step uint64, w spec.Witness, post memory.Hash) WitnessJSON {
	out := WitnessJSON{Step: step, State: Hex(w.State[:]), StateHash: w.StateHash.String(), Proof: Hex(w.Proof), PostStateHash: post.String()}
	if p != spec.ProfileBase {
		out.Profile = p.String()
	}
	if w.HasPreimage {
		out.PreimageKey, out.PreimageValue, out.PreimageOffset = Hex(w.PreimageKey[:]), Hex(w.PreimageValue), w.PreimageOffset
	}
	if w.HasTensor {
		out.TensorRoot, out.TensorLog2Size, out.Tensor = Hex(w.TensorRoot[:]), uint64(w.TensorLog2Size), Hex(w.Tensor)
	}
	return out
}

// Witness is a parsed witness file, ready for VerifyClaims and
// spec.VerifyStep: every field checked for syntax and size.
type Witness struct {
	// Step and StateHash are what the file claims about State: its step
	// counter and its hash (VerifyClaims checks both).
	Step      uint64
	StateHash memory.Hash
	// Profile is the profile the step runs under: the file's "profile",
	// base when absent.
	Profile      spec.Profile
	State, Proof []byte
	LocalContext [32]byte
	// Oracle holds the file's one preimage, if it has one: PreimageKey's
	// value without its length prefix, read from PreimageOffset.
	Oracle         spec.PreimageMap
	HasPreimage    bool
	PreimageKey    [32]byte
	PreimageOffset uint64
	// The file's tensor, if it has one (OPcity profile only): D's answer to
	// the lookup (TensorRoot, TensorLog2Size), Tensor's region root at
	// 2^TensorLog2Size being TensorRoot.
	HasTensor      bool
	TensorRoot     memory.Hash
	TensorLog2Size uint
	Tensor         []byte
	// Claimed is the post-state hash the file claims, if it names one.
	Claimed *memory.Hash
}

// Data returns the D the file's step is verified with: its one preimage,
// and a tensor store that answers exactly its one tensor lookup (none when
// the file has no tensor).
func (w Witness) Data() spec.Data {
	d := spec.Data{Preimages: w.Oracle}
	if w.HasTensor {
		d.Tensors = oneTensor{w.TensorRoot, w.TensorLog2Size, w.Tensor}
	}
	return d
}

// oneTensor is a tensor store holding one answer.
type oneTensor struct {
	root     memory.Hash
	log2size uint
	data     []byte
}

func (o oneTensor) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	if memory.Hash(root) != o.root || log2size != o.log2size {
		return nil, false
	}
	return o.data, true
}

// FieldError is a field of a witness or preimage file that is missing, not
// "0x"-prefixed hex, or of the wrong size.
type FieldError struct {
	Field  string
	Detail string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Detail }

// ClaimError is a witness file whose claim about its pre-state (step,
// state_hash, preimage_key or preimage_offset) disagrees with the state.
type ClaimError struct {
	Field           string
	Claimed, Actual string
}

func (e *ClaimError) Error() string {
	return fmt.Sprintf("the file claims %s %s, the state has %s", e.Field, e.Claimed, e.Actual)
}

// witnessFile is WitnessJSON as decoded: a nil field is absent.
type witnessFile struct {
	Step           *uint64 `json:"step"`
	Profile        *string `json:"profile"`
	State          *string `json:"state"`
	StateHash      *string `json:"state_hash"`
	Proof          *string `json:"proof"`
	PreimageKey    *string `json:"preimage_key"`
	PreimageValue  *string `json:"preimage_value"`
	PreimageOffset *uint64 `json:"preimage_offset"`
	TensorRoot     *string `json:"tensor_root"`
	TensorLog2Size *uint64 `json:"tensor_log2size"`
	Tensor         *string `json:"tensor"`
	LocalContext   *string `json:"local_context"`
	PostStateHash  *string `json:"post_state_hash"`
}

// ParseWitness decodes a JSON witness file (docs/formats/witness.md) with
// DecodeStrict and checks every field's syntax and size (WitnessJSON.Parse).
// Errors: a *JSONError, or a *FieldError naming the field; it never panics
// on any input (fuzzed: FuzzParseWitness). Requirements INPUT-WITNESS-FIELDS,
// WIT-TENSOR (profile and the tensor fields: parseProfile, parseTensor).
func ParseWitness(raw []byte) (Witness, error) {
	var f witnessFile
	if err := DecodeStrict(raw, &f); err != nil {
		return Witness{}, err
	}
	return f.parse()
}

// Parse checks every field of j as ParseWitness does; an empty optional
// string, and a zero preimage_offset or tensor_log2size, mean the field is
// absent.
func (j WitnessJSON) Parse() (Witness, error) {
	opt := func(s string) *string {
		if s == "" {
			return nil
		}
		return &s
	}
	f := witnessFile{Step: &j.Step, Profile: opt(j.Profile), State: &j.State, StateHash: &j.StateHash, Proof: &j.Proof,
		PreimageKey: opt(j.PreimageKey), PreimageValue: opt(j.PreimageValue), TensorRoot: opt(j.TensorRoot), Tensor: opt(j.Tensor),
		LocalContext: opt(j.LocalContext), PostStateHash: opt(j.PostStateHash)}
	if j.PreimageOffset != 0 {
		f.PreimageOffset = &j.PreimageOffset
	}
	if j.TensorLog2Size != 0 {
		f.TensorLog2Size = &j.TensorLog2Size
	}
	return f.parse()
}

// parse checks the fields of f: step, state, state_hash and proof
// required, the others optional, each of its documented size.
func (f witnessFile) parse() (Witness, error) {
	var w Witness
	if f.Step == nil {
		return w, &FieldError{"step", "missing"}
	}
	w.Step = *f.Step
	var err error
	if w.Profile, err = parseProfile(f.Profile); err != nil {
		return w, err
	}
	if w.State, err = required("state", f.State, state.WitnessSize); err != nil {
		return w, err
	}
	h, err := required("state_hash", f.StateHash, 32)
	if err != nil {
		return w, err
	}
	w.StateHash = memory.Hash(h)
	if w.Proof, err = required("proof", f.Proof, -1); err != nil {
		return w, err
	}
	if err := checkProofLength(len(w.Proof)); err != nil {
		return w, err
	}
	if f.LocalContext != nil {
		lc, err := fieldHex("local_context", *f.LocalContext, 32)
		if err != nil {
			return w, err
		}
		w.LocalContext = [32]byte(lc)
	}
	if err := f.parsePreimage(&w); err != nil {
		return w, err
	}
	if err := f.parseTensor(&w); err != nil {
		return w, err
	}
	if f.PostStateHash != nil {
		h, err := fieldHex("post_state_hash", *f.PostStateHash, 32)
		if err != nil {
			return w, err
		}
		claimed := memory.Hash(h)
		w.Claimed = &claimed
	}
	return w, nil
}

// checkProofLength holds a proof to the lengths a step proof has: the
// 330-byte thread witness and 0 to 3 whole 1920-byte memory proof slots
// (330, 2250, 4170 or 6090 bytes). spec.VerifyStep, like MIPS64.sol, reads
// only the slots the step uses and ignores bytes after them; the file
// format does not let such bytes through.
func checkProofLength(n int) error {
	slots := (n - state.ThreadWitnessSize) / memory.ProofSize
	if n < state.ThreadWitnessSize || (n-state.ThreadWitnessSize)%memory.ProofSize != 0 || slots > memory.ProofSlots {
		return &FieldError{"proof", fmt.Sprintf("%d bytes: want the %d-byte thread witness and 0 to %d memory proofs of %d bytes (at most %d bytes)",
			n, state.ThreadWitnessSize, memory.ProofSlots, memory.ProofSize, spec.ProofSize)}
	}
	return nil
}

// parsePreimage reads preimage_key and preimage_value (with Cannon's 8-byte
// big-endian length prefix), which go together, and preimage_offset, which
// goes with them, into w's one-entry oracle.
func (f witnessFile) parsePreimage(w *Witness) error {
	w.Oracle = spec.PreimageMap{}
	switch {
	case f.PreimageKey == nil && f.PreimageValue == nil && f.PreimageOffset == nil:
		return nil
	case f.PreimageKey == nil:
		return &FieldError{"preimage_key", "missing: preimage_value and preimage_offset need it"}
	case f.PreimageValue == nil:
		return &FieldError{"preimage_value", "missing: preimage_key needs it"}
	}
	key, err := fieldHex("preimage_key", *f.PreimageKey, 32)
	if err != nil {
		return err
	}
	val, err := fieldHex("preimage_value", *f.PreimageValue, -1)
	if err != nil {
		return err
	}
	if len(val) < 8 || binary.BigEndian.Uint64(val) != uint64(len(val)-8) {
		return &FieldError{"preimage_value", "must be an 8-byte big-endian length followed by that many bytes"}
	}
	w.HasPreimage, w.PreimageKey = true, [32]byte(key)
	if f.PreimageOffset != nil {
		w.PreimageOffset = *f.PreimageOffset
	}
	w.Oracle[w.PreimageKey] = val[8:]
	return nil
}

// parseProfile reads profile: "base" or "opcity", base when absent.
func parseProfile(s *string) (spec.Profile, error) {
	if s == nil {
		return spec.ProfileBase, nil
	}
	switch *s {
	case "base":
		return spec.ProfileBase, nil
	case "opcity":
		return spec.ProfileOPcity, nil
	}
	return spec.ProfileBase, &FieldError{"profile", fmt.Sprintf("%s: want \"base\" or \"opcity\"", quoteShort(*s))}
}

// parseTensor reads tensor_root, tensor_log2size and tensor, which go
// together and only with the OPcity profile, into w (requirement
// WIT-TENSOR): tensor_log2size in 5..30 (the sizes a tensor syscall
// accepts), tensor at most limits.Tensor bytes (refused from its length
// before decoding) and at most 2^tensor_log2size, and its region root at
// that size tensor_root. A tensor that does not commit to its root is
// malformed: the file contradicts itself, whatever the state.
func (f witnessFile) parseTensor(w *Witness) error {
	const together = "missing: tensor_root, tensor_log2size and tensor go together"
	switch {
	case f.TensorRoot == nil && f.TensorLog2Size == nil && f.Tensor == nil:
		return nil
	case f.TensorRoot == nil:
		return &FieldError{"tensor_root", together}
	case f.TensorLog2Size == nil:
		return &FieldError{"tensor_log2size", together}
	case f.Tensor == nil:
		return &FieldError{"tensor", together}
	case w.Profile != spec.ProfileOPcity:
		return &FieldError{"tensor", `only with "profile": "opcity" (the file's profile is base)`}
	}
	root, err := fieldHex("tensor_root", *f.TensorRoot, 32)
	if err != nil {
		return err
	}
	k := *f.TensorLog2Size
	if k < transition.MinTensorLog2 || k > transition.MaxTensorLog2 {
		return &FieldError{"tensor_log2size", fmt.Sprintf("%d: want %d..%d", k, transition.MinTensorLog2, transition.MaxTensorLog2)}
	}
	data, err := witnessTensor(*f.Tensor, uint(k), memory.Hash(root))
	if err != nil {
		return err
	}
	w.HasTensor, w.TensorRoot, w.TensorLog2Size, w.Tensor = true, memory.Hash(root), uint(k), data
	return nil
}

// witnessTensor decodes the tensor field and checks it against its region
// size 2^k and its root.
func witnessTensor(s string, k uint, root memory.Hash) ([]byte, error) {
	if len(s) > 2+2*limits.Tensor {
		return nil, &FieldError{"tensor", fmt.Sprintf("%d hex digits, more than the %d of a %d-byte tensor (limits.Tensor)", len(s)-2, 2*limits.Tensor, limits.Tensor)}
	}
	data, err := fieldHex("tensor", s, -1)
	if err != nil {
		return nil, err
	}
	if uint64(len(data)) > 1<<k {
		return nil, &FieldError{"tensor", fmt.Sprintf("%d bytes, more than the 2^%d of tensor_log2size", len(data), k)}
	}
	if got, _ := memory.ComputeRegionRoot(data, k); got != root {
		return nil, &FieldError{"tensor", fmt.Sprintf("%d bytes whose region root at 2^%d is %s, not tensor_root %s", len(data), k, got, root)}
	}
	return data, nil
}

// VerifyClaims checks what the file says about its pre-state against the
// state itself: step must be the state's step counter, state_hash its hash
// (keccak256 of the state with byte 0 replaced by the VM status), and
// preimage_key and preimage_offset, when present, the state's preimage key
// and offset, as in every witness the spec and Cannon produce. Errors: a
// *ClaimError naming the first field that disagrees, or the state's
// decoding error (an *errors.Error with CodeInvalidField: a state no step
// accepts). Requirement INPUT-WITNESS-CLAIMS.
func (w Witness) VerifyClaims() error {
	s, err := state.DecodeWitness(w.State)
	if err != nil {
		return err
	}
	switch {
	case w.Step != s.Step:
		return &ClaimError{"step", fmt.Sprint(w.Step), fmt.Sprint(s.Step)}
	case w.StateHash != s.Hash():
		return &ClaimError{"state_hash", w.StateHash.String(), s.Hash().String()}
	case w.HasPreimage && w.PreimageKey != s.PreimageKey:
		return &ClaimError{"preimage_key", Hex(w.PreimageKey[:]), Hex(s.PreimageKey[:])}
	case w.HasPreimage && w.PreimageOffset != s.PreimageOffset:
		return &ClaimError{"preimage_offset", fmt.Sprint(w.PreimageOffset), fmt.Sprint(s.PreimageOffset)}
	}
	return nil
}

// required decodes a required "0x" hex field.
func required(name string, s *string, want int) ([]byte, error) {
	if s == nil {
		return nil, &FieldError{name, "missing"}
	}
	return fieldHex(name, *s, want)
}

// fieldHex decodes a "0x" hex field; want >= 0 requires that many bytes.
func fieldHex(name, s string, want int) ([]byte, error) {
	b, err := decodeHex(s)
	if err != nil {
		return nil, &FieldError{name, err.Error()}
	}
	if want >= 0 && len(b) != want {
		return nil, &FieldError{name, fmt.Sprintf("%d bytes, want %d", len(b), want)}
	}
	return b, nil
}

// decodeHex decodes "0x"-prefixed hex: an even number of digits, either
// case.
func decodeHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("%s does not start with 0x", quoteShort(s))
	}
	b, err := hex.DecodeString(s[2:])
	if err != nil {
		return nil, fmt.Errorf("not hex: %v", err)
	}
	return b, nil
}

// quoteShort quotes s, cut to 80 bytes (a 32-byte key fits), so that an
// error stays one short line whatever the input.
func quoteShort(s string) string {
	if len(s) > 80 {
		return fmt.Sprintf("%q...", s[:80])
	}
	return fmt.Sprintf("%q", s)
}

// ParseOracle reads a preimage file (README, --preimages): a JSON
// object mapping "0x"+64 hex digits (the key exactly as the program writes
// it) to "0x"+hex data, decoded with DecodeStrict. Keys are compared as the
// 32 bytes they denote, so two spellings of one key ("0xAB..." and
// "0xab...") are a duplicate, refused with a *JSONError (JSONDuplicateKey)
// that names both; the map order of the input never decides the result.
// Keys are checked in sorted order, so the error for a file with several
// bad keys is always the same. Other errors: a *JSONError, or a
// *FieldError naming the key. Requirement INPUT-HEX-CANONICAL.
func ParseOracle(raw []byte) (spec.PreimageMap, error) {
	var m map[string]string
	if err := DecodeStrict(raw, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object of hex strings: %w", err)
	}
	spelled := map[[32]byte]string{}
	o := spec.PreimageMap{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		key, err := fieldHex("key "+quoteShort(k), k, 32)
		if err != nil {
			return nil, err
		}
		if first, dup := spelled[[32]byte(key)]; dup {
			return nil, &JSONError{Code: JSONDuplicateKey, Path: memberPath("$", k),
				Detail: fmt.Sprintf("keys %q and %q are the same key (hex digits are compared case-insensitively)", first, k)}
		}
		spelled[[32]byte(key)] = k
		val, err := fieldHex("value of key "+k, m[k], -1)
		if err != nil {
			return nil, err
		}
		o[[32]byte(key)] = val
	}
	return o, nil
}
