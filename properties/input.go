package properties

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	stderrors "errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/vectors"
)

// StrictSample is a DecodeStrict target with every shape OPcity's files
// use: scalars, a nested struct behind a pointer, a slice of structs and a
// map. Its nil-able fields are omitempty, so its JSON encoding holds no
// null and is itself strictly decodable.
type StrictSample struct {
	Name  string            `json:"name"`
	Count uint64            `json:"count,omitempty"`
	Flag  bool              `json:"flag,omitempty"`
	Inner *StrictInner      `json:"inner,omitempty"`
	List  []StrictInner     `json:"list,omitempty"`
	Map   map[string]string `json:"map,omitempty"`
}

// StrictInner is StrictSample's nested object.
type StrictInner struct {
	Code uint16 `json:"code"`
	Note string `json:"note,omitempty"`
}

// CheckDecodeStrict checks INPUT-STRICT-JSON on arbitrary bytes, for an
// untyped target and for StrictSample:
//
//   - into any, DecodeStrict accepts raw exactly when an independent
//     oracle does: encoding/json accepts it, it is UTF-8, it holds no
//     null, nests at most MaxJSONDepth deep, and it has as many object keys
//     as the decoded value (a duplicate key collapses in the decoded value);
//   - every refusal is a *format.JSONError with a defined code;
//   - into StrictSample, an accepted input decodes to what json.Unmarshal
//     gives, and the canonical re-encoding (json.Marshal) is accepted,
//     decodes to the same value and re-encodes to the same bytes.
func CheckDecodeStrict(raw []byte) error {
	var v any
	err := format.DecodeStrict(raw, &v)
	if err := checkJSONError(err); err != nil {
		return err
	}
	if want := strictOracle(raw); (err == nil) != want {
		return fmt.Errorf("INPUT-STRICT-JSON: DecodeStrict into any gives %v, the oracle accepts: %v, on %q", err, want, raw)
	}
	var s StrictSample
	err = format.DecodeStrict(raw, &s)
	if err != nil {
		return checkJSONError(err)
	}
	var lenient StrictSample
	if err := json.Unmarshal(raw, &lenient); err != nil || !reflect.DeepEqual(lenient, s) {
		return fmt.Errorf("INPUT-STRICT-JSON: strict %+v, json.Unmarshal %+v (%v) on %q", s, lenient, err, raw)
	}
	return checkCanonical(s, func(b []byte) (StrictSample, error) {
		var back StrictSample
		return back, format.DecodeStrict(b, &back)
	})
}

// checkCanonical checks that v's json.Marshal form decodes (by decode) to
// what encoding/json decodes it to, and re-encodes to the same bytes. (Not
// to v itself: with omitempty an empty slice or map is left out, so it
// comes back nil; FuzzDecodeStrict found that, input bc960537021043c9.)
func checkCanonical[T any](v T, decode func([]byte) (T, error)) error {
	enc, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("json.Marshal(%+v): %v", v, err)
	}
	var want T
	if err := json.Unmarshal(enc, &want); err != nil {
		return fmt.Errorf("encoding/json cannot decode its own %s: %v", enc, err)
	}
	back, err := decode(enc)
	if err != nil || !reflect.DeepEqual(back, want) {
		return fmt.Errorf("INPUT-STRICT-JSON: the canonical form %s decodes to %+v (%v), encoding/json to %+v", enc, back, err, want)
	}
	if again, _ := json.Marshal(back); !bytes.Equal(again, enc) {
		return fmt.Errorf("INPUT-STRICT-JSON: re-encoding is not stable: %s, then %s", enc, again)
	}
	return nil
}

// checkJSONError requires err to be nil or a *format.JSONError with a
// defined code.
func checkJSONError(err error) error {
	if err == nil {
		return nil
	}
	var je *format.JSONError
	if !stderrors.As(err, &je) || je.Code < format.JSONSyntax || je.Code > format.JSONType {
		return fmt.Errorf("INPUT-STRICT-JSON: error %T %v is not a *format.JSONError with a defined code", err, err)
	}
	return nil
}

// strictOracle says whether raw follows DecodeStrict's rules for an
// untyped target, computed without the strict decoder.
func strictOracle(raw []byte) bool {
	var v any
	if !utf8.Valid(raw) || json.Unmarshal(raw, &v) != nil {
		return false
	}
	keys, ok := countKeys(raw)
	return ok && keys == treeKeys(v) && !treeHasNull(v) && treeDepth(v) <= format.MaxJSONDepth
}

// countKeys counts the object keys in the token stream of raw.
func countKeys(raw []byte) (int, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var inObject []bool // per open container: an object?
	wantKey := false    // the next token in the innermost object is a key
	n := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return n, true
		}
		if err != nil {
			return 0, false
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			inObject = append(inObject, tok == json.Delim('{'))
			wantKey = tok == json.Delim('{')
			continue
		case json.Delim('}'), json.Delim(']'):
			inObject = inObject[:len(inObject)-1]
		default:
			if wantKey {
				n++
				wantKey = false
				continue
			}
		}
		wantKey = len(inObject) > 0 && inObject[len(inObject)-1]
	}
}

func treeKeys(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		n += len(v)
		for _, e := range v {
			n += treeKeys(e)
		}
	case []any:
		for _, e := range v {
			n += treeKeys(e)
		}
	}
	return n
}

func treeHasNull(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case map[string]any:
		for _, e := range v {
			if treeHasNull(e) {
				return true
			}
		}
	case []any:
		for _, e := range v {
			if treeHasNull(e) {
				return true
			}
		}
	}
	return false
}

func treeDepth(v any) int {
	d := 0
	switch v := v.(type) {
	case map[string]any:
		for _, e := range v {
			d = max(d, treeDepth(e))
		}
		return d + 1
	case []any:
		for _, e := range v {
			d = max(d, treeDepth(e))
		}
		return d + 1
	}
	return 0
}

// CheckParseOracle checks INPUT-HEX-CANONICAL on arbitrary bytes:
// ParseOracle gives the same result twice (the same error text, or equal
// maps); it fails only with a *format.JSONError or *format.FieldError; and
// an accepted file's canonical form (lowercase keys and values) parses to
// the same oracle.
func CheckParseOracle(raw []byte) error {
	o, err := format.ParseOracle(raw)
	o2, err2 := format.ParseOracle(raw)
	if fmt.Sprint(err) != fmt.Sprint(err2) || !reflect.DeepEqual(o, o2) {
		return fmt.Errorf("INPUT-HEX-CANONICAL: two parses of %q differ: %v / %v", raw, err, err2)
	}
	if err != nil {
		var je *format.JSONError
		var fe *format.FieldError
		if !stderrors.As(err, &je) && !stderrors.As(err, &fe) {
			return fmt.Errorf("INPUT-HEX-CANONICAL: untyped error %T %v", err, err)
		}
		if je != nil {
			return checkJSONError(err)
		}
		return nil
	}
	canon := map[string]string{}
	for k, v := range o {
		canon[format.Hex(k[:])] = format.Hex(v)
	}
	enc, _ := json.Marshal(canon)
	back, err := format.ParseOracle(enc)
	if err != nil || !reflect.DeepEqual(back, o) {
		return fmt.Errorf("INPUT-HEX-CANONICAL: the canonical form %s parses to %v (%v)", enc, back, err)
	}
	return nil
}

// CheckParseTensors checks CLI-TENSORS on arbitrary bytes: ParseTensors
// gives the same result twice (the same error text, or equal maps); it
// fails only with a *format.JSONError or *format.FieldError; every tensor
// it accepts is at most limits.Tensor bytes and lies under its root at its
// minimal size (format.ComputeTensorRoot); and an accepted file's
// canonical form (lowercase keys and values) parses to the same tensors.
func CheckParseTensors(raw []byte) error {
	m, err := format.ParseTensors(raw)
	m2, err2 := format.ParseTensors(raw)
	if fmt.Sprint(err) != fmt.Sprint(err2) || !reflect.DeepEqual(m, m2) {
		return fmt.Errorf("CLI-TENSORS: two parses of %q differ: %v / %v", raw, err, err2)
	}
	if err != nil {
		var je *format.JSONError
		var fe *format.FieldError
		if !stderrors.As(err, &je) && !stderrors.As(err, &fe) {
			return fmt.Errorf("CLI-TENSORS: untyped error %T %v", err, err)
		}
		if je != nil {
			return checkJSONError(err)
		}
		return nil
	}
	canon := map[string]string{}
	for root, data := range m {
		if len(data) > limits.Tensor || format.ComputeTensorRoot(data) != root {
			return fmt.Errorf("CLI-TENSORS: accepted %d bytes under %s, whose root is %s", len(data), root, format.ComputeTensorRoot(data))
		}
		canon[root.String()] = format.Hex(data)
	}
	enc, _ := json.Marshal(canon)
	if back, err := format.ParseTensors(enc); err != nil || !reflect.DeepEqual(back, m) {
		return fmt.Errorf("CLI-TENSORS: the canonical form %.200s parses to %v (%v)", enc, back, err)
	}
	return nil
}

// CheckParseWitness checks INPUT-WITNESS-FIELDS and WIT-TENSOR on
// arbitrary bytes: ParseWitness fails only with a *format.JSONError or
// *format.FieldError; an accepted file has a 188-byte state and a proof of
// the thread witness and 0 to 3 whole slots, and a tensor only under the
// OPcity profile, at a size 5..30 that holds it; and its canonical form
// (format.EncodeWitnessIn's field spelling, lowercase hex) parses to the
// same witness.
func CheckParseWitness(raw []byte) error {
	w, err := format.ParseWitness(raw)
	if err != nil {
		var je *format.JSONError
		var fe *format.FieldError
		if !stderrors.As(err, &je) && !stderrors.As(err, &fe) {
			return fmt.Errorf("INPUT-WITNESS-FIELDS: untyped error %T %v", err, err)
		}
		if je != nil {
			return checkJSONError(err)
		}
		return nil
	}
	slots := (len(w.Proof) - 330) / 1920
	if len(w.State) != 188 || len(w.Proof) < 330 || (len(w.Proof)-330)%1920 != 0 || slots > 3 || len(w.Proof) > spec.ProofSize {
		return fmt.Errorf("INPUT-WITNESS-FIELDS: accepted a %d-byte state and a %d-byte proof", len(w.State), len(w.Proof))
	}
	j := format.WitnessJSON{Step: w.Step, State: format.Hex(w.State), StateHash: w.StateHash.String(), Proof: format.Hex(w.Proof),
		LocalContext: format.Hex(w.LocalContext[:])}
	if w.Profile != spec.ProfileBase {
		j.Profile = w.Profile.String()
	}
	if w.HasPreimage {
		value := append(bigEndian8(uint64(len(w.Oracle[w.PreimageKey]))), w.Oracle[w.PreimageKey]...)
		j.PreimageKey, j.PreimageValue, j.PreimageOffset = format.Hex(w.PreimageKey[:]), format.Hex(value), w.PreimageOffset
	}
	if w.HasTensor {
		root, err := memory.ComputeRegionRoot(w.Tensor, w.TensorLog2Size)
		if w.Profile != spec.ProfileOPcity || w.TensorLog2Size < 5 || w.TensorLog2Size > 30 || err != nil || root != w.TensorRoot {
			return fmt.Errorf("WIT-TENSOR: accepted a tensor of %d bytes at 2^%d, root %s (%v), claimed root %s, under the %s profile", len(w.Tensor), w.TensorLog2Size, root, err, w.TensorRoot, w.Profile)
		}
		j.TensorRoot, j.TensorLog2Size, j.Tensor = w.TensorRoot.String(), uint64(w.TensorLog2Size), format.Hex(w.Tensor)
	}
	if w.Claimed != nil {
		j.PostStateHash = w.Claimed.String()
	}
	enc, _ := json.Marshal(j)
	if back, err := format.ParseWitness(enc); err != nil || !reflect.DeepEqual(back, w) {
		return fmt.Errorf("INPUT-WITNESS-FIELDS: the canonical form %.200s parses to %+v (%v), want %+v", enc, back, err, w)
	}
	return nil
}

func bigEndian8(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// CheckDecodeVectorFile checks INPUT-STRICT-JSON for vector files on
// arbitrary bytes: vectors.Decode fails only with a *format.JSONError or
// *vectors.FileError, and an accepted file's canonical form
// (vectors.Marshal) decodes to the same file and marshals to the same
// bytes.
func CheckDecodeVectorFile(raw []byte) error {
	f, err := vectors.Decode(raw, "")
	if err != nil {
		var je *format.JSONError
		var fe *vectors.FileError
		if !stderrors.As(err, &je) && !stderrors.As(err, &fe) {
			return fmt.Errorf("INPUT-STRICT-JSON: vectors.Decode: untyped error %T %v", err, err)
		}
		if je != nil {
			return checkJSONError(err)
		}
		return nil
	}
	enc, err := vectors.Marshal(f)
	if err != nil {
		return err
	}
	back, err := vectors.Decode(enc, f.Group)
	if err != nil || !reflect.DeepEqual(back, f) {
		return fmt.Errorf("INPUT-STRICT-JSON: vectors.Marshal's form decodes to a different file (%v)", err)
	}
	if again, _ := vectors.Marshal(back); !bytes.Equal(again, enc) {
		return fmt.Errorf("INPUT-STRICT-JSON: vectors.Marshal is not stable")
	}
	return nil
}

var lieGrammar = regexp.MustCompile(`^(none|(node|step):[0-9]+)$`)

// CheckParseLie checks the --lie grammar on any string: ParseLie accepts
// exactly `none`, `node:K` and `step:S` with K and S decimal numbers below
// 2^64 (leading zeros allowed), and an accepted lie's canonical spelling
// parses to the same lie.
func CheckParseLie(s string) error {
	l, err := play.ParseLie(s)
	want := lieGrammar.MatchString(s)
	if want && s != "none" {
		// The number must parse and lie within the kind's documented range
		// (README Limits: node K 0..65,535, step S 0..2^32-1).
		kind, num, _ := strings.Cut(s, ":")
		v, perr := strconv.ParseUint(num, 10, 64)
		limit := map[string]uint64{"node": 65535, "step": 1<<32 - 1}[kind]
		want = perr == nil && v <= limit
	}
	if (err == nil) != want {
		return fmt.Errorf("--lie %q: ParseLie gives %+v, %v; the grammar says accepted: %v", s, l, err, want)
	}
	if err != nil {
		return nil
	}
	canon := "none"
	if l.Kind != "none" {
		canon = fmt.Sprintf("%s:%d", l.Kind, l.Value)
	}
	if back, err := play.ParseLie(canon); err != nil || back != l {
		return fmt.Errorf("--lie %q gives %+v; its canonical spelling %q gives %+v, %v", s, l, canon, back, err)
	}
	return nil
}

// CheckParseProfile checks the --profile grammar on any string:
// ParseProfile accepts exactly "base" and "opcity", and the accepted
// profile's name is the string.
func CheckParseProfile(s string) error {
	p, err := play.ParseProfile(s)
	want := s == "base" || s == "opcity"
	if (err == nil) != want || want && p.String() != s {
		return fmt.Errorf("--profile %q: ParseProfile gives %v, %v", s, p, err)
	}
	return nil
}
