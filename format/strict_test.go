package format

import (
	stderrors "errors"
	"reflect"
	"strings"
	"testing"
)

// strictSample is a target with every shape OPcity's files use: scalars,
// a nested struct, a pointer, a slice of structs and a map.
type strictSample struct {
	Name  string            `json:"name"`
	Count uint64            `json:"count,omitempty"`
	Inner *strictInner      `json:"inner,omitempty"`
	List  []strictInner     `json:"list,omitempty"`
	Map   map[string]string `json:"map,omitempty"`
	Skip  string            `json:"-"`
}

type strictInner struct {
	Code uint16 `json:"code"`
	Note string `json:"note,omitempty"`
}

// TestINPUT_STRICT_JSON_Refuses: each input breaks one rule of
// DecodeStrict and gets that rule's code at the right path; the target is
// left unchanged.
func TestINPUT_STRICT_JSON_Refuses(t *testing.T) {
	for _, c := range []struct {
		name, in string
		code     JSONCode
		path     string
	}{
		{"duplicate at the top", `{"name":"a","name":"b"}`, JSONDuplicateKey, "$.name"},
		{"duplicate in a nested object", `{"inner":{"code":1,"code":2}}`, JSONDuplicateKey, "$.inner.code"},
		{"duplicate in an array element", `{"list":[{"code":1},{"code":2,"note":"x","code":3}]}`, JSONDuplicateKey, "$.list[1].code"},
		{"duplicate in a map", `{"map":{"k":"1","k":"2"}}`, JSONDuplicateKey, "$.map.k"},
		{"duplicate spelled with an escape", `{"name":"a","n\u0061me":"b"}`, JSONDuplicateKey, "$.name"},
		{"unknown field", `{"name":"a","extra":1}`, JSONUnknownField, "$.extra"},
		{"unknown nested field", `{"inner":{"code":1,"colour":2}}`, JSONUnknownField, "$.inner.colour"},
		{"field in another case", `{"NAME":"a"}`, JSONUnknownField, "$.NAME"},
		{"a json:\"-\" field", `{"Skip":"a"}`, JSONUnknownField, "$.Skip"},
		{"trailing value", `{"name":"a"} {"name":"b"}`, JSONTrailing, "$"},
		{"trailing garbage", `{"name":"a"}x`, JSONTrailing, "$"},
		{"null scalar", `{"name":null}`, JSONNull, "$.name"},
		{"null pointer", `{"inner":null}`, JSONNull, "$.inner"},
		{"null in a map", `{"map":{"k":null}}`, JSONNull, "$.map.k"},
		{"not JSON", `{"name":`, JSONSyntax, "$.name"},
		{"empty input", ``, JSONSyntax, "$"},
		{"not UTF-8", "{\"name\":\"\xff\"}", JSONSyntax, "$"},
		{"nested too deep", `{"map":` + strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth) + `}`, JSONTooDeep, "$.map" + strings.Repeat("[0]", MaxJSONDepth-1)},
		{"wrong type", `{"name":5}`, JSONType, "$.name"},
		{"negative count", `{"count":-1}`, JSONType, "$.count"},
		{"count out of range", `{"count":18446744073709551616}`, JSONType, "$.count"},
		{"fractional count", `{"count":1.5}`, JSONType, "$.count"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v := strictSample{Name: "unchanged"}
			err := DecodeStrict([]byte(c.in), &v)
			var je *JSONError
			if !stderrors.As(err, &je) {
				t.Fatalf("DecodeStrict(%s) = %v, want a *JSONError", c.in, err)
			}
			if je.Code != c.code || je.Path != c.path {
				t.Errorf("DecodeStrict(%s): %s at %s (%v), want %s at %s", c.in, je.Code, je.Path, err, c.code, c.path)
			}
			if v.Name != "unchanged" {
				t.Errorf("DecodeStrict(%s) changed the target on error: %+v", c.in, v)
			}
		})
	}
}

// TestINPUT_STRICT_JSON_Accepts: inputs that follow the rules decode to the
// value encoding/json gives them, white space around the value included;
// the target is replaced, not merged into.
func TestINPUT_STRICT_JSON_Accepts(t *testing.T) {
	in := " {\"name\":\"a\\u00e9\",\"count\":7,\"inner\":{\"code\":3},\"list\":[{\"code\":1,\"note\":\"n\"}],\"map\":{\"K\":\"1\",\"k\":\"2\"}}\n"
	v := strictSample{Map: map[string]string{"old": "entry"}}
	if err := DecodeStrict([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	want := strictSample{Name: "a\u00e9", Count: 7, Inner: &strictInner{Code: 3}, List: []strictInner{{1, "n"}}, Map: map[string]string{"K": "1", "k": "2"}}
	if !reflect.DeepEqual(v, want) {
		t.Errorf("decoded %+v, want %+v", v, want)
	}
	var anything any
	if err := DecodeStrict([]byte(`[1,{"a":[true,"x"]}]`), &anything); err != nil {
		t.Errorf("an array into any: %v", err)
	}
	deepest := strings.Repeat("[", MaxJSONDepth) + strings.Repeat("]", MaxJSONDepth)
	if err := DecodeStrict([]byte(deepest), &anything); err != nil {
		t.Errorf("arrays nested MaxJSONDepth deep: %v", err)
	}
	if err := DecodeStrict([]byte("["+deepest+"]"), &anything); err == nil {
		t.Errorf("arrays nested MaxJSONDepth+1 deep accepted")
	}
	if err := DecodeStrict([]byte(`{}`), v); err == nil {
		t.Errorf("DecodeStrict into a non-pointer accepted")
	}
}
