package format

import (
	"bytes"
	"encoding"
	"encoding/json"
	stderrors "errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// JSONCode says why DecodeStrict refused a JSON input.
type JSONCode uint8

// The reasons a JSON input is refused. Numbers never change meaning.
const (
	JSONSyntax       JSONCode = iota + 1 // not JSON, or not UTF-8
	JSONTrailing                         // data after the first value
	JSONDuplicateKey                     // an object names one key twice (after JSON unescaping)
	JSONUnknownField                     // a key the target has no field for (names match exactly, case included)
	JSONNull                             // null: no OPcity file holds one; an absent optional field is omitted
	JSONTooDeep                          // objects and arrays nested deeper than MaxJSONDepth
	JSONType                             // a value of the wrong type or out of range for its field
)

var jsonCodeNames = [...]string{
	JSONSyntax:       "syntax error",
	JSONTrailing:     "trailing data",
	JSONDuplicateKey: "duplicate key",
	JSONUnknownField: "unknown field",
	JSONNull:         "null value",
	JSONTooDeep:      "nested too deep",
	JSONType:         "wrong type",
}

// String returns the code's short name.
func (c JSONCode) String() string {
	if int(c) < len(jsonCodeNames) && jsonCodeNames[c] != "" {
		return jsonCodeNames[c]
	}
	return fmt.Sprintf("json code %d", uint8(c))
}

// MaxJSONDepth bounds the nesting of objects and arrays DecodeStrict
// accepts. OPcity's files nest at most 4 deep.
const MaxJSONDepth = 32

// JSONError is a JSON input DecodeStrict refused: the reason, where (a
// path such as $.vectors[3].error.code) and the byte offset near which it
// was found.
type JSONError struct {
	Code   JSONCode
	Path   string
	Offset int64
	Detail string
}

// Error returns one line, whatever the input: the path and detail are cut
// to 200 bytes each.
func (e *JSONError) Error() string {
	return fmt.Sprintf("json: %s at %s (byte %d): %s", e.Code, cut(e.Path), e.Offset, cut(e.Detail))
}

func cut(s string) string {
	if len(s) > 200 {
		return strings.ToValidUTF8(s[:200], "") + "..."
	}
	return s
}

// DecodeStrict decodes the JSON value in raw into v (a non-nil pointer) and
// accepts only what OPcity's files contain (requirement INPUT-STRICT-JSON):
//
//   - UTF-8 JSON holding exactly one value, with nothing but white space
//     after it (JSONSyntax, JSONTrailing);
//   - no object, at any depth, names a key twice; keys are compared after
//     JSON unescaping, so "a" and "\u0061" are the same key
//     (JSONDuplicateKey);
//   - every key of an object decoded into a struct is the exact JSON name of
//     one of its fields: encoding/json's case-insensitive matching is not
//     used (JSONUnknownField);
//   - no null anywhere (JSONNull), nesting at most MaxJSONDepth
//     (JSONTooDeep), and every value of its field's type and range
//     (JSONType).
//
// On success *v is set to the decoded value, a fresh one (nothing of *v's
// old content is merged, unlike json.Unmarshal); every error is a
// *JSONError and leaves *v unchanged. A
// target type with a custom UnmarshalJSON or UnmarshalText is decoded as
// its method says, checked only for duplicate keys and nulls.
func DecodeStrict(raw []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return &JSONError{Code: JSONType, Path: "$", Detail: fmt.Sprintf("cannot decode into %T", v)}
	}
	if err := checkStrict(raw, rv.Type().Elem()); err != nil {
		return err
	}
	tmp := reflect.New(rv.Type().Elem())
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(tmp.Interface()); err != nil {
		return decodeError(err)
	}
	rv.Elem().Set(tmp.Elem())
	return nil
}

// decodeError turns an encoding/json error of a checked input (so a type
// or range error) into a *JSONError.
func decodeError(err error) error {
	var te *json.UnmarshalTypeError
	if stderrors.As(err, &te) {
		path := "$"
		if te.Field != "" {
			path += "." + te.Field
		}
		return &JSONError{Code: JSONType, Path: path, Offset: te.Offset, Detail: fmt.Sprintf("a JSON %s cannot be a %s", te.Value, te.Type)}
	}
	return &JSONError{Code: JSONType, Path: "$", Detail: err.Error()}
}

// checkStrict walks raw's tokens beside the target type t and returns the
// first violation of DecodeStrict's rules other than JSONType.
func checkStrict(raw []byte, t reflect.Type) error {
	if !utf8.Valid(raw) {
		return &JSONError{Code: JSONSyntax, Path: "$", Offset: int64(firstInvalidUTF8(raw)), Detail: "not UTF-8"}
	}
	w := &strictWalker{dec: json.NewDecoder(bytes.NewReader(raw))}
	w.dec.UseNumber()
	if err := w.value(t, "$", 0); err != nil {
		return err
	}
	off := w.dec.InputOffset()
	if _, err := w.dec.Token(); err != io.EOF {
		return &JSONError{Code: JSONTrailing, Path: "$", Offset: off, Detail: "data after the JSON value"}
	}
	return nil
}

func firstInvalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			return i
		}
		i += n
	}
	return len(b)
}

// strictWalker reads one JSON value token by token.
type strictWalker struct{ dec *json.Decoder }

func (w *strictWalker) token(path string) (json.Token, error) {
	off := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, &JSONError{Code: JSONSyntax, Path: path, Offset: off, Detail: err.Error()}
	}
	return tok, nil
}

// value reads the value at path, whose target type is t (nil: unknown, so
// no field checks), nested depth levels deep.
func (w *strictWalker) value(t reflect.Type, path string, depth int) error {
	off := w.dec.InputOffset()
	tok, err := w.token(path)
	if err != nil {
		return err
	}
	switch tok {
	case nil:
		return &JSONError{Code: JSONNull, Path: path, Offset: off, Detail: "null is not accepted; omit an absent field"}
	case json.Delim('{'), json.Delim('['):
		if depth >= MaxJSONDepth {
			return &JSONError{Code: JSONTooDeep, Path: path, Offset: off, Detail: fmt.Sprintf("more than %d levels", MaxJSONDepth)}
		}
		t = plainTarget(t)
		if tok == json.Delim('{') {
			return w.object(t, path, depth+1)
		}
		return w.array(t, path, depth+1)
	}
	return nil
}

// object reads an object's members after its '{'.
func (w *strictWalker) object(t reflect.Type, path string, depth int) error {
	fields, isStruct := map[string]reflect.Type(nil), t != nil && t.Kind() == reflect.Struct
	if isStruct {
		fields = jsonFields(t)
	}
	seen := map[string]bool{}
	for w.dec.More() {
		off := w.dec.InputOffset()
		tok, err := w.token(path)
		if err != nil {
			return err
		}
		key, _ := tok.(string) // Token returns only strings as keys
		at := memberPath(path, key)
		if seen[key] {
			return &JSONError{Code: JSONDuplicateKey, Path: at, Offset: off, Detail: fmt.Sprintf("key %s appears twice", quoteShort(key))}
		}
		seen[key] = true
		var ft reflect.Type
		switch {
		case isStruct:
			var ok bool
			if ft, ok = fields[key]; !ok {
				return &JSONError{Code: JSONUnknownField, Path: at, Offset: off, Detail: fmt.Sprintf("%s is not a field of this object", quoteShort(key))}
			}
		case t != nil && t.Kind() == reflect.Map:
			ft = t.Elem()
		}
		if err := w.value(ft, at, depth); err != nil {
			return err
		}
	}
	_, err := w.token(path) // '}'
	return err
}

// array reads an array's elements after its '['.
func (w *strictWalker) array(t reflect.Type, path string, depth int) error {
	var et reflect.Type
	if t != nil && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array) {
		et = t.Elem()
	}
	for i := 0; w.dec.More(); i++ {
		if err := w.value(et, fmt.Sprintf("%s[%d]", path, i), depth); err != nil {
			return err
		}
	}
	_, err := w.token(path) // ']'
	return err
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// plainTarget returns t without pointers, or nil when t decodes by a method
// of its own or is an interface (no field checks are possible).
func plainTarget(t reflect.Type) reflect.Type {
	for t != nil {
		if t.Implements(jsonUnmarshaler) || t.Implements(textUnmarshaler) ||
			reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
			return nil
		}
		switch t.Kind() {
		case reflect.Pointer:
			t = t.Elem()
		case reflect.Interface:
			return nil
		default:
			return t
		}
	}
	return nil
}

// jsonFields returns the JSON names of struct type t's fields and their
// types, as encoding/json names them: the tag's name, else the Go name;
// "-" and unexported fields excluded; untagged embedded structs promoted.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if et := plainTarget(f.Type); et != nil && et.Kind() == reflect.Struct {
				for k, v := range jsonFields(et) {
					if _, shadowed := out[k]; !shadowed {
						out[k] = v
					}
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// memberPath returns path.key, or path["key"] for a key that is not a
// plain identifier; a key over 80 bytes is cut.
func memberPath(path, key string) string {
	if len(key) > 80 {
		return path + "[" + quoteShort(key) + "]"
	}
	plain := key != ""
	for _, r := range key {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			plain = false
		}
	}
	if plain {
		return path + "." + key
	}
	return path + "[" + strconv.Quote(key) + "]"
}
