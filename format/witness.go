// Package format holds the file formats of OPcity's command line: the step
// witness JSON of `opcity witness` and `opcity verify` (docs/formats/witness.md).
package format

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// WitnessJSON is the step witness file of `opcity witness` and `opcity verify`
// (docs/formats/witness.md). Byte strings are "0x"-prefixed hex.
type WitnessJSON struct {
	Step           uint64 `json:"step"`
	State          string `json:"state"`
	StateHash      string `json:"state_hash"`
	Proof          string `json:"proof"`
	PreimageKey    string `json:"preimage_key,omitempty"`
	PreimageValue  string `json:"preimage_value,omitempty"`
	PreimageOffset uint64 `json:"preimage_offset,omitempty"`
	LocalContext   string `json:"local_context,omitempty"`
	PostStateHash  string `json:"post_state_hash,omitempty"`
}

// Hex returns b as "0x"-prefixed lowercase hex.
func Hex(b []byte) string { return "0x" + hex.EncodeToString(b) }

// EncodeWitness returns the JSON form of witness w of the step from the state
// at step, whose post-state hash is post.
func EncodeWitness(step uint64, w spec.Witness, post memory.Hash) WitnessJSON {
	out := WitnessJSON{Step: step, State: Hex(w.State[:]), StateHash: w.StateHash.String(), Proof: Hex(w.Proof), PostStateHash: post.String()}
	if w.HasPreimage {
		out.PreimageKey, out.PreimageValue, out.PreimageOffset = Hex(w.PreimageKey[:]), Hex(w.PreimageValue), w.PreimageOffset
	}
	return out
}

// Witness is a parsed witness file, ready for spec.VerifyStep.
type Witness struct {
	State, Proof []byte
	LocalContext [32]byte
	Oracle       spec.PreimageMap
	// Claimed is the post-state hash the file claims, if it names one.
	Claimed *memory.Hash
}

// ParseWitness decodes a JSON witness file. Every error names the field;
// it never panics on any input (fuzzed: FuzzParseWitness).
func ParseWitness(raw []byte) (Witness, error) {
	var j WitnessJSON
	var p Witness
	if err := json.Unmarshal(raw, &j); err != nil {
		return p, err
	}
	var err error
	if p.State, err = fieldHex("state", j.State, state.WitnessSize); err != nil {
		return p, err
	}
	if p.Proof, err = fieldHex("proof", j.Proof, -1); err != nil {
		return p, err
	}
	if j.LocalContext != "" {
		lc, err := fieldHex("local_context", j.LocalContext, 32)
		if err != nil {
			return p, err
		}
		p.LocalContext = [32]byte(lc)
	}
	if p.Oracle, err = parsePreimage(j); err != nil {
		return p, err
	}
	if j.PostStateHash != "" {
		h, err := fieldHex("post_state_hash", j.PostStateHash, 32)
		if err != nil {
			return p, err
		}
		claimed := memory.Hash(h)
		p.Claimed = &claimed
	}
	return p, nil
}

// parsePreimage reads preimage_key and preimage_value (with Cannon's 8-byte
// big-endian length prefix) into a one-entry oracle.
func parsePreimage(j WitnessJSON) (spec.PreimageMap, error) {
	o := spec.PreimageMap{}
	if j.PreimageKey == "" && j.PreimageValue == "" {
		return o, nil
	}
	key, err := fieldHex("preimage_key", j.PreimageKey, 32)
	if err != nil {
		return nil, err
	}
	val, err := fieldHex("preimage_value", j.PreimageValue, -1)
	if err != nil {
		return nil, err
	}
	if len(val) < 8 || binary.BigEndian.Uint64(val) != uint64(len(val)-8) {
		return nil, fmt.Errorf("preimage_value must be an 8-byte big-endian length followed by that many bytes")
	}
	o[[32]byte(key)] = val[8:]
	return o, nil
}

// fieldHex decodes a "0x" hex field; want >= 0 requires that many bytes.
func fieldHex(name, s string, want int) ([]byte, error) {
	b, err := decodeHex(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if want >= 0 && len(b) != want {
		return nil, fmt.Errorf("%s: %d bytes, want %d", name, len(b), want)
	}
	return b, nil
}

// decodeHex decodes "0x"-prefixed hex.
func decodeHex(s string) ([]byte, error) {
	if !strings.HasPrefix(s, "0x") {
		return nil, fmt.Errorf("%q does not start with 0x", s)
	}
	return hex.DecodeString(s[2:])
}

// ParseOracle reads a preimage file: a JSON object mapping "0x"+64 hex
// digits (the key exactly as the program writes it) to "0x"+hex data.
func ParseOracle(raw []byte) (spec.PreimageMap, error) {
	var m map[string]string
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("not a JSON object of hex strings: %v", err)
	}
	o := spec.PreimageMap{}
	for k, v := range m {
		key, err := fieldHex("key "+k, k, 32)
		if err != nil {
			return nil, err
		}
		val, err := fieldHex("value of key "+k, v, -1)
		if err != nil {
			return nil, err
		}
		o[[32]byte(key)] = val
	}
	return o, nil
}
