package format_test

import (
	"encoding/binary"
	"encoding/json"
	stderrors "errors"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// honestWitness returns the witness file of one honest step (lw: fetch and
// one data slot) from a state at step 0x1234 whose preimage offset is not
// zero, with a preimage for the state's key added as `opcity witness`
// writes one.
func honestWitness(t *testing.T) (format.WitnessJSON, state.State) {
	t.Helper()
	seed := binary.BigEndian.AppendUint64(nil, 0x8C820000) // lw v0, 0(a0)
	pre, _ := properties.StateFromBytes(seed)
	pre.Step, pre.PreimageOffset = 0x1234, 5
	post, w, err := spec.StepWithWitness(pre, spec.Data{})
	if err != nil {
		t.Fatal(err)
	}
	j := format.EncodeWitness(pre.Step, w, post.Hash())
	value := binary.BigEndian.AppendUint64(nil, 3)
	j.PreimageKey, j.PreimageValue, j.PreimageOffset = format.Hex(pre.PreimageKey[:]), format.Hex(append(value, 1, 2, 3)), pre.PreimageOffset
	return j, pre
}

// edit returns the JSON of j with change applied to its object form.
func edit(t *testing.T, j format.WitnessJSON, change func(m map[string]any)) []byte {
	t.Helper()
	raw, _ := json.Marshal(j)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	change(m)
	out, _ := json.Marshal(m)
	return out
}

// TestINPUT_WITNESS_FIELDS_Refuses: every field of the witness file is
// checked for presence, syntax and size; each broken field is named by a
// *format.FieldError, and JSON-level faults get their *format.JSONError
// code.
func TestINPUT_WITNESS_FIELDS_Refuses(t *testing.T) {
	j, _ := honestWitness(t)
	proof := strings.TrimPrefix(j.Proof, "0x")
	slot := strings.Repeat("00", 1920)
	for _, c := range []struct {
		name   string
		change func(m map[string]any)
		field  string          // the *FieldError's field, or
		code   format.JSONCode // the *JSONError's code
	}{
		{"state_hash not hex", func(m map[string]any) { m["state_hash"] = "0x" + strings.Repeat("zz", 32) }, "state_hash", 0},
		{"state_hash 31 bytes", func(m map[string]any) { m["state_hash"] = "0x" + strings.Repeat("00", 31) }, "state_hash", 0},
		{"state_hash missing", func(m map[string]any) { delete(m, "state_hash") }, "state_hash", 0},
		{"state_hash without 0x", func(m map[string]any) { m["state_hash"] = strings.Repeat("00", 32) }, "state_hash", 0},
		{"step missing", func(m map[string]any) { delete(m, "step") }, "step", 0},
		{"step a string", func(m map[string]any) { m["step"] = "4660" }, "", format.JSONType},
		{"step negative", func(m map[string]any) { m["step"] = -1 }, "", format.JSONType},
		{"step fractional", func(m map[string]any) { m["step"] = 1.5 }, "", format.JSONType},
		{"state 187 bytes", func(m map[string]any) { m["state"] = "0x" + strings.Repeat("00", 187) }, "state", 0},
		{"state missing", func(m map[string]any) { delete(m, "state") }, "state", 0},
		{"proof missing", func(m map[string]any) { delete(m, "proof") }, "proof", 0},
		{"proof one byte long", func(m map[string]any) { m["proof"] = j.Proof + "00" }, "proof", 0},
		{"proof with a fourth slot", func(m map[string]any) { m["proof"] = "0x" + proof[:2*4170] + slot + slot }, "proof", 0},
		{"proof 1 MiB long", func(m map[string]any) { m["proof"] = j.Proof + strings.Repeat("00", 1<<20) }, "proof", 0},
		{"proof shorter than the thread witness", func(m map[string]any) { m["proof"] = "0x" + proof[:2*329] }, "proof", 0},
		{"proof half a slot", func(m map[string]any) { m["proof"] = "0x" + proof[:2*(330+960)] }, "proof", 0},
		{"proof odd digits", func(m map[string]any) { m["proof"] = j.Proof + "0" }, "proof", 0},
		{"local_context 31 bytes", func(m map[string]any) { m["local_context"] = "0x" + strings.Repeat("00", 31) }, "local_context", 0},
		{"local_context empty", func(m map[string]any) { m["local_context"] = "" }, "local_context", 0},
		{"preimage_key without value", func(m map[string]any) { delete(m, "preimage_value") }, "preimage_value", 0},
		{"preimage_value without key", func(m map[string]any) { delete(m, "preimage_key") }, "preimage_key", 0},
		{"preimage_offset alone", func(m map[string]any) { delete(m, "preimage_key"); delete(m, "preimage_value") }, "preimage_key", 0},
		{"preimage_value with a wrong length prefix", func(m map[string]any) { m["preimage_value"] = "0x000000000000000401020304ff" }, "preimage_value", 0},
		{"preimage_key 33 bytes", func(m map[string]any) { m["preimage_key"] = "0x" + strings.Repeat("02", 33) }, "preimage_key", 0},
		{"post_state_hash not hex", func(m map[string]any) { m["post_state_hash"] = "0xg" + strings.Repeat("0", 63) }, "post_state_hash", 0},
		{"an unknown field", func(m map[string]any) { m["comment"] = "hand-edited" }, "", format.JSONUnknownField},
		{"a field in another case", func(m map[string]any) { m["State_Hash"] = m["state_hash"]; delete(m, "state_hash") }, "", format.JSONUnknownField},
		{"a null field", func(m map[string]any) { m["local_context"] = nil }, "", format.JSONNull},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := format.ParseWitness(edit(t, j, c.change))
			var fe *format.FieldError
			var je *format.JSONError
			switch {
			case c.field != "" && (!stderrors.As(err, &fe) || fe.Field != c.field):
				t.Errorf("ParseWitness: %v, want a *FieldError for %s", err, c.field)
			case c.field == "" && (!stderrors.As(err, &je) || je.Code != c.code):
				t.Errorf("ParseWitness: %v, want a *JSONError %s", err, c.code)
			case len(err.Error()) > 300:
				t.Errorf("error of %d bytes, want one short line: %.300s", len(err.Error()), err)
			}
		})
	}
	raw, _ := json.Marshal(j)
	for name, bad := range map[string]string{
		"duplicate state_hash": strings.Replace(string(raw), `"state_hash":`, `"state_hash":"0x00","state_hash":`, 1),
		"trailing data":        string(raw) + `{}`,
	} {
		if _, err := format.ParseWitness([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestINPUT_WITNESS_FIELDS_Accepts: the honest file parses to its fields;
// a proof of the thread witness and 0 to 3 whole slots is accepted, and hex
// digits of either case are.
func TestINPUT_WITNESS_FIELDS_Accepts(t *testing.T) {
	j, pre := honestWitness(t)
	raw, _ := json.Marshal(j)
	w, err := format.ParseWitness(raw)
	if err != nil {
		t.Fatal(err)
	}
	if w.Step != 0x1234 || w.StateHash != pre.Hash() || !w.HasPreimage || w.PreimageOffset != 5 || len(w.Oracle[w.PreimageKey]) != 3 || w.Claimed == nil {
		t.Errorf("parsed %+v", w)
	}
	full := strings.TrimPrefix(j.Proof, "0x") + strings.Repeat("00", 1920)
	for _, n := range []int{330, 2250, 4170, 6090} {
		k := j
		k.Proof = "0x" + full[:2*n]
		if _, err := k.Parse(); err != nil {
			t.Errorf("a %d-byte proof: %v", n, err)
		}
	}
	j.StateHash = strings.ToUpper(j.StateHash[2:])
	j.StateHash = "0x" + j.StateHash
	if w, err := j.Parse(); err != nil || w.StateHash != pre.Hash() {
		t.Errorf("upper-case state_hash: %v", err)
	}
}

// TestINPUT_WITNESS_CLAIMS: VerifyClaims accepts the honest file and names
// the first claim about the pre-state that the state contradicts; a state
// no step accepts is the decoder's CodeInvalidField.
func TestINPUT_WITNESS_CLAIMS(t *testing.T) {
	j, _ := honestWitness(t)
	if w, err := j.Parse(); err != nil || w.VerifyClaims() != nil {
		t.Fatalf("honest witness: %v, %v", err, w.VerifyClaims())
	}
	for field, change := range map[string]func(j *format.WitnessJSON){
		"step":            func(j *format.WitnessJSON) { j.Step++ },
		"state_hash":      func(j *format.WitnessJSON) { j.StateHash = "0x03" + strings.Repeat("00", 31) },
		"preimage_key":    func(j *format.WitnessJSON) { j.PreimageKey = "0x02" + strings.Repeat("11", 31) },
		"preimage_offset": func(j *format.WitnessJSON) { j.PreimageOffset = 6 },
	} {
		k := j
		change(&k)
		w, err := k.Parse()
		if err != nil {
			t.Fatalf("%s: %v", field, err)
		}
		var ce *format.ClaimError
		if err := w.VerifyClaims(); !stderrors.As(err, &ce) || ce.Field != field {
			t.Errorf("a wrong %s: VerifyClaims = %v, want a *ClaimError for %s", field, err, field)
		}
	}
	k := j
	k.State = k.State[:2+2*98] + "02" + k.State[2+2*99:] // exited = 2
	w, err := k.Parse()
	var se *errors.Error
	if err != nil || !stderrors.As(w.VerifyClaims(), &se) || se.Code != errors.CodeInvalidField {
		t.Errorf("exited byte 2: parse %v, VerifyClaims %v, want CodeInvalidField", err, w.VerifyClaims())
	}
}
