package format_test

import (
	stderrors "errors"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
)

const (
	keyUpper = "0x02AB" + "000000000000000000000000000000000000000000000000000000000000"
	keyLower = "0x02ab" + "000000000000000000000000000000000000000000000000000000000000"
)

// TestINPUT_HEX_CANONICAL_PreimageSpellings: one key spelled in upper- and
// lower-case hex is a duplicate, refused with an error that names both
// spellings, every time (the same error in every run, whatever the map
// order); one spelling alone is accepted and denotes the same 32 bytes.
func TestINPUT_HEX_CANONICAL_PreimageSpellings(t *testing.T) {
	raw := []byte(`{"` + keyUpper + `": "0x01", "` + keyLower + `": "0x02"}`)
	var first string
	for i := range 50 {
		_, err := format.ParseOracle(raw)
		var je *format.JSONError
		if !stderrors.As(err, &je) || je.Code != format.JSONDuplicateKey {
			t.Fatalf("ParseOracle: %v, want a *JSONError JSONDuplicateKey", err)
		}
		if !strings.Contains(err.Error(), keyUpper) || !strings.Contains(err.Error(), keyLower) {
			t.Fatalf("the error does not name both spellings: %v", err)
		}
		if i == 0 {
			first = err.Error()
		} else if err.Error() != first {
			t.Fatalf("run %d gives %q, run 0 %q", i, err, first)
		}
	}
	up, err1 := format.ParseOracle([]byte(`{"` + keyUpper + `": "0xAA"}`))
	low, err2 := format.ParseOracle([]byte(`{"` + keyLower + `": "0xaa"}`))
	if err1 != nil || err2 != nil || len(up) != 1 || len(low) != 1 {
		t.Fatalf("one spelling: %v, %v", err1, err2)
	}
	for k, v := range up {
		if w, ok := low[k]; !ok || string(w) != string(v) || k[1] != 0xab {
			t.Errorf("upper case gives %x: %x, lower case %v", k, v, low)
		}
	}
}

// TestINPUT_HEX_CANONICAL_BadKeys: a file with several bad keys reports the
// same one (the first in sorted order) every time; exact duplicates and
// other JSON faults are *JSONErrors.
func TestINPUT_HEX_CANONICAL_BadKeys(t *testing.T) {
	raw := []byte(`{"0x03": "0x00", "0x01": "0x00", "0x02": "0x00", "0x04": "0x00"}`)
	for range 20 {
		_, err := format.ParseOracle(raw)
		var fe *format.FieldError
		if !stderrors.As(err, &fe) || !strings.Contains(fe.Field, `"0x01"`) {
			t.Fatalf("ParseOracle: %v, want a *FieldError for key 0x01", err)
		}
	}
	for name, in := range map[string]string{
		"exact duplicate": `{"` + keyLower + `": "0x01", "` + keyLower + `": "0x01"}`,
		"null value":      `{"` + keyLower + `": null}`,
		"not an object":   `["` + keyLower + `"]`,
		"trailing data":   `{"` + keyLower + `": "0x01"}]`,
	} {
		var je *format.JSONError
		if _, err := format.ParseOracle([]byte(in)); !stderrors.As(err, &je) {
			t.Errorf("%s: %v, want a *JSONError", name, err)
		}
	}
}
