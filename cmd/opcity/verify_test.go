package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// witnessFile writes the witness of step 1 of a tiny program, with change
// applied to its JSON object (nil: unchanged), and returns its path.
func witnessFile(t *testing.T, change func(m map[string]any)) string {
	t.Helper()
	code, out, errOut := run("witness", "--step", "1", tinyProgram(t, liV0ExitGroup, liA0Three, syscall))
	if code != exitOK {
		t.Fatalf("witness: exit %d: %s", code, errOut)
	}
	raw := []byte(out)
	if change != nil {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		change(m)
		raw, _ = json.Marshal(m)
	}
	path := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestINPUT_WITNESS_FIELDS_Verify: opcity verify exits 2 with one line
// naming the fault for each malformed field, unknown field, duplicate key
// and over-long proof, where it used to exit 0.
func TestINPUT_WITNESS_FIELDS_Verify(t *testing.T) {
	cases := map[string]struct {
		change func(m map[string]any)
		want   string // in the error line
	}{
		"non-hex state_hash":        {func(m map[string]any) { m["state_hash"] = "0x" + strings.Repeat("xy", 32) }, "state_hash"},
		"proof with 1 MiB appended": {func(m map[string]any) { m["proof"] = m["proof"].(string) + strings.Repeat("ab", 1<<20) }, "proof"},
		"unknown field":             {func(m map[string]any) { m["note"] = "x" }, "unknown field"},
		"missing step":              {func(m map[string]any) { delete(m, "step") }, "step: missing"},
		"null post_state_hash":      {func(m map[string]any) { m["post_state_hash"] = nil }, "null"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := run("verify", witnessFile(t, c.change))
			if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, c.want) || len(errOut) > 400 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line naming %q", code, out, errOut, c.want)
			}
		})
	}
	t.Run("duplicate key", func(t *testing.T) {
		path := witnessFile(t, nil)
		raw, _ := os.ReadFile(path)
		dup := strings.Replace(string(raw), `"proof":`, `"proof": "0x00", "proof":`, 1)
		_ = os.WriteFile(path, []byte(dup), 0o644)
		if code, _, errOut := run("verify", path); code != exitBadInput || !strings.Contains(errOut, "duplicate key") {
			t.Errorf("exit %d, stderr %q; want exit 2 naming the duplicate key", code, errOut)
		}
	})
}

// TestINPUT_WITNESS_CLAIMS_Verify: a well-formed file whose step or
// state_hash contradicts its state is rejected (exit 1, naming the field);
// the honest file still verifies.
func TestINPUT_WITNESS_CLAIMS_Verify(t *testing.T) {
	if code, out, errOut := run("verify", witnessFile(t, nil)); code != exitOK || !strings.HasPrefix(out, "0x") {
		t.Fatalf("honest: exit %d, %q %q", code, out, errOut)
	}
	for field, change := range map[string]func(m map[string]any){
		"step":       func(m map[string]any) { m["step"] = 2 },
		"state_hash": func(m map[string]any) { m["state_hash"] = "0x03" + strings.Repeat("00", 31) },
	} {
		code, _, errOut := run("verify", witnessFile(t, change))
		if code != exitRejected || !strings.Contains(errOut, "claims "+field) {
			t.Errorf("a wrong %s: exit %d, stderr %q; want exit 1 naming it", field, code, errOut)
		}
	}
}

// TestINPUT_HEX_CANONICAL_Run: opcity run refuses, with exit 2 and one line
// naming both spellings, a preimage file that spells one key twice.
func TestINPUT_HEX_CANONICAL_Run(t *testing.T) {
	key := strings.Repeat("0", 60)
	pre := filepath.Join(t.TempDir(), "pre.json")
	_ = os.WriteFile(pre, []byte(`{"0x02AB`+key+`": "0x01", "0x02ab`+key+`": "0x02"}`), 0o644)
	code, _, errOut := run("run", "--preimages", pre, tinyProgram(t, liV0ExitGroup, syscall))
	if code != exitBadInput || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "0x02AB"+key) || !strings.Contains(errOut, "0x02ab"+key) {
		t.Errorf("exit %d, stderr %q; want exit 2 and one line naming both spellings", code, errOut)
	}
}
