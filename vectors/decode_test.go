package vectors_test

import (
	"bytes"
	stderrors "errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/vectors"
)

// TestINPUT_STRICT_JSON_VectorFiles: every committed vector file decodes
// strictly and is already in canonical form (Marshal gives its bytes back);
// a file with a duplicate key, an unknown field, trailing data or a broken
// frame is refused with its typed error.
func TestINPUT_STRICT_JSON_VectorFiles(t *testing.T) {
	faults, err := os.ReadFile(filepath.Join("testdata", "v1", "faults.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range vectors.Groups {
		raw, err := os.ReadFile(filepath.Join("testdata", "v1", g+".json"))
		if err != nil {
			t.Fatal(err)
		}
		f, err := vectors.Decode(raw, g)
		if err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		if back, _ := vectors.Marshal(f); !bytes.Equal(back, raw) {
			t.Errorf("%s: Marshal(Decode(file)) differs from the file", g)
		}
	}
	first := strings.Index(string(faults), `"name":`)
	for _, c := range []struct {
		name  string
		edit  func(s string) string
		group string
		json  format.JSONCode // 0: a *vectors.FileError
	}{
		{"duplicate key in a vector", func(s string) string { return s[:first] + `"name": "x", ` + s[first:] }, "faults", format.JSONDuplicateKey},
		{"duplicate top-level key", func(s string) string { return strings.Replace(s, `"version": 1,`, `"version": 1, "version": 1,`, 1) }, "faults", format.JSONDuplicateKey},
		{"unknown field", func(s string) string { return strings.Replace(s, `"version": 1,`, `"version": 1, "comment": "x",`, 1) }, "faults", format.JSONUnknownField},
		{"field in another case", func(s string) string { return strings.Replace(s, `"group": "faults"`, `"Group": "faults"`, 1) }, "faults", format.JSONUnknownField},
		{"trailing data", func(s string) string { return s + "{}" }, "faults", format.JSONTrailing},
		{"another version", func(s string) string { return strings.Replace(s, `"version": 1,`, `"version": 2,`, 1) }, "faults", 0},
		{"another group", func(s string) string { return s }, "oracle", 0},
		{"no vectors", func(s string) string { return `{"version": 1, "group": "faults"}` }, "faults", 0},
		{"both post-state and error", func(s string) string {
			return strings.Replace(s, `"error": {`, `"post_state_hash": "0x00", "error": {`, 1)
		}, "faults", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := vectors.Decode([]byte(c.edit(string(faults))), c.group)
			var je *format.JSONError
			var fe *vectors.FileError
			if c.json != 0 && (!stderrors.As(err, &je) || je.Code != c.json) || c.json == 0 && !stderrors.As(err, &fe) {
				t.Errorf("Decode: %v, want code %s (0: a *FileError)", err, c.json)
			}
		})
	}
}

// TestINPUT_WITNESS_CLAIMS_Vectors: Replay checks a vector's fields as
// opcity verify checks a witness file: a wrong state_hash, an over-long
// proof or a missing local_context makes the vector malformed.
func TestINPUT_WITNESS_CLAIMS_Vectors(t *testing.T) {
	v := committed(t)[0].Vectors[0]
	if err := vectors.Replay(v); err != nil {
		t.Fatal(err)
	}
	for name, edit := range map[string]func(v *vectors.Vector){
		"wrong state_hash":      func(v *vectors.Vector) { v.StateHash = "0x03" + strings.Repeat("00", 31) },
		"over-long proof":       func(v *vectors.Vector) { v.Proof += "00" },
		"missing local_context": func(v *vectors.Vector) { v.LocalContext = "" },
	} {
		w := v
		edit(&w)
		if err := vectors.Replay(w); err == nil || !strings.Contains(err.Error(), "malformed vector") {
			t.Errorf("%s: Replay = %v, want a malformed vector", name, err)
		}
	}
}
