package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/properties"
)

// tinyProgram writes a tiny ELF whose code is the given instruction words at
// 0x10000 and returns its path.
func tinyProgram(t *testing.T, words ...uint32) string {
	var code []byte
	for _, w := range words {
		code = append(code, byte(w>>24), byte(w>>16), byte(w>>8), byte(w))
	}
	path := filepath.Join(t.TempDir(), "p.elf")
	data := properties.MinimalELF(0x10000, properties.Segment{Type: uint32(elf.PT_LOAD), Vaddr: 0x10000, Data: code})
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	code := dispatch(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

const (
	liV0ExitGroup = 0x24021455 // addiu v0, zero, 5205
	liA0Three     = 0x24040003 // addiu a0, zero, 3
	liV0Read      = 0x24021388 // addiu v0, zero, 5000
	liA0Five      = 0x24040005 // addiu a0, zero, 5
	liA2Eight     = 0x24060008 // addiu a2, zero, 8
	syscall       = 0x0000000C
)

func TestCLI_RUN_ExitCodeInJSON(t *testing.T) {
	code, out, _ := run("run", "--json", tinyProgram(t, liV0ExitGroup, liA0Three, syscall))
	var res runner.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
		t.Fatalf("exit %d, output %q: %v", code, out, err)
	}
	if !res.Exited || res.ExitCode != 3 || res.Steps != 3 || res.Status != "panic" || !strings.HasPrefix(res.StateHash, "0x02") {
		t.Fatalf("result %+v", res)
	}
}

func TestCLI_RUN_BadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.elf")
	_ = os.WriteFile(bad, []byte("not an elf"), 0o644)
	badPre := filepath.Join(t.TempDir(), "pre.json")
	_ = os.WriteFile(badPre, []byte(`{"0x12": "0x00"}`), 0o644)
	good := tinyProgram(t, liV0ExitGroup, syscall)
	for name, args := range map[string][]string{
		"missing file":  {"run", "/does/not/exist.elf"},
		"not an ELF":    {"run", bad},
		"bad preimages": {"run", "--preimages", badPre, good},
		"unknown vm":    {"run", "--vm", "nope", good},
		"no program":    {"run"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run(args...)
			if code != exitBadInput || strings.Count(strings.TrimSpace(errOut), "\n") > 1 || errOut == "" {
				t.Fatalf("exit %d, stderr %q; want exit 2 and a short error", code, errOut)
			}
		})
	}
}

func TestCLI_RUN_StepFailure(t *testing.T) {
	// read(5, 0, 8) with an empty oracle: the step needs a preimage.
	code, out, _ := run("run", "--json", tinyProgram(t, liV0Read, liA0Five, liA2Eight, syscall))
	var res runner.Result
	_ = json.Unmarshal([]byte(out), &res)
	if code != exitStepFail || res.ErrorStep == nil || *res.ErrorStep != 4 || !strings.Contains(res.Error, "missing preimage") {
		t.Fatalf("exit %d, result %+v", code, res)
	}
}

func TestCLI_VERIFY_ExitCodes(t *testing.T) {
	prog := tinyProgram(t, liV0ExitGroup, liA0Three, syscall)
	code, out, errOut := run("witness", "--step", "1", prog)
	if code != exitOK {
		t.Fatalf("witness: exit %d: %s", code, errOut)
	}
	dir := t.TempDir()
	good := filepath.Join(dir, "w.json")
	_ = os.WriteFile(good, []byte(out), 0o644)
	if code, out, _ := run("verify", good); code != exitOK || !strings.HasPrefix(out, "0x03") {
		t.Fatalf("verify honest: exit %d, %q", code, out)
	}
	tampered := filepath.Join(dir, "t.json")
	var m map[string]any
	_ = json.Unmarshal([]byte(out), &m)
	m["post_state_hash"] = "0x" + strings.Repeat("00", 32)
	raw, _ := json.Marshal(m)
	_ = os.WriteFile(tampered, raw, 0o644)
	if code, _, _ := run("verify", tampered); code != exitRejected {
		t.Fatalf("verify wrong claim: exit %d, want 1", code)
	}
	malformed := filepath.Join(dir, "m.json")
	_ = os.WriteFile(malformed, []byte(`{"state": "0x1"`), 0o644)
	if code, _, _ := run("verify", malformed); code != exitBadInput {
		t.Fatalf("verify malformed: exit %d, want 2", code)
	}
}
