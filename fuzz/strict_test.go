package fuzz

import (
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/vectors"
)

// key is a 32-byte preimage key as a file spells it, in the given case.
func key(first string) string { return "0x" + first + strings.Repeat("00", 31) }

// FuzzDecodeStrict: the strict JSON decoder accepts exactly what an
// independent oracle accepts, fails only with a typed *format.JSONError,
// and round-trips what it accepts through the canonical encoding
// (INPUT-STRICT-JSON).
func FuzzDecodeStrict(f *testing.F) {
	f.Add([]byte(`{"name":"a","count":7,"inner":{"code":3},"list":[{"code":1,"note":"n"}],"map":{"K":"1","k":"2"}}`)) // every shape, accepted
	f.Add([]byte(`{"name":"a","name":"b"}`))                                                                          // a duplicate at the top
	f.Add([]byte(`{"list":[{"code":1},{"code":2,"code":3}]}`))                                                        // a duplicate inside an array element
	f.Add([]byte(`{"name":"a","n\u0061me":"b"}`))                                                                     // a duplicate spelled with an escape
	f.Add([]byte(`{"NAME":"a"}`))                                                                                     // a field name in another case
	f.Add([]byte(`{"name":null}`))                                                                                    // null
	f.Add([]byte(`{"name":"a"} {}`))                                                                                  // trailing data
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`))                                 // exactly MaxJSONDepth deep
	f.Add([]byte("{\"name\":\"\xff\"}"))                                                                              // not UTF-8
	f.Add([]byte(`{"count":18446744073709551616}`))                                                                   // a number out of range
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := properties.CheckDecodeStrict(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseOracle: a preimage file parses the same way every time, fails
// only with typed errors, and an accepted file's canonical (lowercase)
// form parses to the same oracle (INPUT-HEX-CANONICAL).
func FuzzParseOracle(f *testing.F) {
	f.Add([]byte(`{"` + key("02") + `": "0x68656c6c6f"}`))                      // one key, accepted
	f.Add([]byte(`{"` + key("AB") + `": "0x01", "` + key("ab") + `": "0x02"}`)) // one key in two spellings
	f.Add([]byte(`{"` + key("AB") + `": "0xFF"}`))                              // upper case alone, accepted
	f.Add([]byte(`{"0x03": "0x00", "0x01": "0x00"}`))                           // several bad keys: the sorted first is reported
	f.Add([]byte(`{"` + key("02") + `": "0x1"}`))                               // an odd number of digits
	f.Add([]byte(`{"` + key("02") + `": null}`))                                // null
	f.Add([]byte(`{"` + key("02") + `": "0x00", "` + key("02") + `": "0x00"}`)) // an exact duplicate
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := properties.CheckParseOracle(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseTensors: a --tensors file parses the same way every time, fails
// only with typed errors, accepts a tensor only under its root at its
// minimal size and within limits.Tensor, and an accepted file's canonical
// (lowercase) form parses to the same tensors (CLI-TENSORS).
func FuzzParseTensors(f *testing.F) {
	data := []byte(strings.Repeat("hello opcity ", 8)) // 104 bytes: a root of four leaves
	k, v := format.ComputeTensorRoot(data).String(), format.Hex(data)
	upper := "0x" + strings.ToUpper(k[2:])
	short := []byte("hello opcity")                                                                    // at most 32 bytes: the root is the bytes themselves, zero padded
	f.Add([]byte(`{"` + k + `": "` + v + `"}`))                                                        // one tensor under its root, accepted
	f.Add([]byte(`{"` + format.ComputeTensorRoot(short).String() + `": "` + format.Hex(short) + `"}`)) // a one-leaf tensor, accepted
	f.Add([]byte(`{"` + format.ComputeTensorRoot(nil).String() + `": "0x"}`))                          // the empty tensor (the zero leaf), accepted
	f.Add([]byte(`{}`))                                                                                // no tensor, accepted
	f.Add([]byte(`{"` + upper + `": "` + v + `"}`))                                                    // upper-case hex, accepted
	f.Add([]byte(`{"` + key("ab") + `": "` + v + `"}`))                                                // a key that is not the data's root
	f.Add([]byte(`{"` + upper + `": "` + v + `", "` + k + `": "` + v + `"}`))                          // one root in two spellings
	f.Add([]byte(`{"` + strings.ToUpper(k) + `": "` + v + `"}`))                                       // a 0X prefix
	f.Add([]byte(`{"` + k + `": "0x1"}`))                                                              // an odd number of digits
	f.Add([]byte(`{"` + k + `": null}`))                                                               // null
	f.Add([]byte(`{"0x03": "0x00", "0x01": "0x00"}`))                                                  // several bad keys: the sorted first is reported
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := properties.CheckParseTensors(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecodeVectorFile: a vector file decodes strictly, fails only with
// typed errors, and what it accepts round-trips through vectors.Marshal
// (INPUT-STRICT-JSON).
func FuzzDecodeVectorFile(f *testing.F) {
	files, err := vectors.Read("../vectors/testdata")
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files { // the first vector of each committed group: accepted
		file.Vectors = file.Vectors[:1]
		b, _ := vectors.Marshal(file)
		f.Add(b)
	}
	f.Add([]byte(`{"version":1,"group":"faults","vectors":[]}`))                   // an empty group, accepted
	f.Add([]byte(`{"version":1,"group":"faults","vectors":[],"version":1}`))       // a duplicate key
	f.Add([]byte(`{"version":1,"group":"faults","vectors":[{"group":"faults"}]}`)) // a vector with neither result
	f.Add([]byte(`{"version":2,"group":"faults","vectors":[]}`))                   // another version
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := properties.CheckDecodeVectorFile(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseLie: --lie accepts exactly none, node:K and step:S (K, S
// decimal below 2^64), and an accepted lie's canonical spelling parses to
// the same lie.
func FuzzParseLie(f *testing.F) {
	for _, s := range []string{
		"none", "node:3", "step:0", // the three forms
		"node:007",                  // leading zeros: accepted
		"step:18446744073709551615", // 2^64 - 1: accepted
		"step:18446744073709551616", // 2^64: refused
		"node:-7", "node:+7",        // signs: refused
		"node:", "node", ":3", // missing parts
		"NODE:3", "none:1", "node:3:4", "node:0x10", "node:1_0", " node:3", // near misses
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := properties.CheckParseLie(s); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParseProfile: --profile accepts exactly base and opcity.
func FuzzParseProfile(f *testing.F) {
	for _, s := range []string{"base", "opcity", "Base", "OPcity", "", "base ", "opcity\x00"} { // the two names and near misses
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if err := properties.CheckParseProfile(s); err != nil {
			t.Fatal(err)
		}
	})
}
