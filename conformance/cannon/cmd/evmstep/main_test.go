package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/evm"
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/vectors"
)

const repoRoot = "../../../.."

// preimageWitness runs examples/preimage in the spec to its first read of
// the preimage oracle and returns that step's witness file, as opcity
// witness writes it.
func preimageWitness(t *testing.T) format.WitnessJSON {
	t.Helper()
	elf, err := vectors.BuildExample(repoRoot, "preimage", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s, err := program.Load(elf)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(repoRoot, "examples/preimage/preimages.json"))
	if err != nil {
		t.Fatal(err)
	}
	o, err := format.ParseOracle(raw)
	if err != nil {
		t.Fatal(err)
	}
	d := spec.Data{Preimages: o}
	for !s.Exited {
		if num, a0, ok := evm.NextSyscall(s); ok && num == 5000 && a0 == 5 {
			step := s.Step
			post, w, err := spec.StepWithWitness(s, d)
			if err != nil {
				t.Fatal(err)
			}
			if !w.HasPreimage {
				t.Fatalf("step %d reads fd 5 but no preimage", step)
			}
			return format.EncodeWitness(step, w, post.Hash())
		}
		if s, err = spec.Step(s, d); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatal("examples/preimage exits without reading the oracle")
	return format.WitnessJSON{}
}

// runFile writes w to a file and runs evmstep on it.
func runFile(t *testing.T, w any, args ...string) (int, evm.Report, string) {
	t.Helper()
	raw, err := json.Marshal(w)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "w.json")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	code := run(append(args, path), &out, &errOut)
	var r evm.Report
	if code == exitOK {
		if err := json.Unmarshal(out.Bytes(), &r); err != nil {
			t.Fatalf("output %q: %v", out.String(), err)
		}
	}
	return code, r, errOut.String()
}

// TestEVM_STEP_CLI: evmstep verifies a witness that the spec writes (a
// preimage read, so the oracle load is exercised) to its claimed post-state,
// and a tampered witness reverts; bad usage and bad files exit 2.
func TestEVM_STEP_CLI(t *testing.T) {
	w := preimageWitness(t)
	code, r, errOut := runFile(t, w, "--profile", "base")
	if code != exitOK || r.Reverted || r.PostStateHash != w.PostStateHash || r.MatchesClaim == nil || !*r.MatchesClaim {
		t.Fatalf("exit %d, %+v, stderr %q: want post-state %s", code, r, errOut, w.PostStateHash)
	}
	if len(r.PreimageLoads) != 1 || !r.PreimageLoads[0].Loaded || r.Gas == 0 || r.CalldataGas == 0 || r.CalldataFloorGas <= r.CalldataGas {
		t.Fatalf("report %+v", r)
	}
	t.Logf("preimage read at step %d: gas %d, calldata gas %d, floor %d", w.Step, r.Gas, r.CalldataGas, r.CalldataFloorGas)

	tampered := w
	tampered.Proof = w.Proof[:2+2*400] + flipHex(w.Proof[2+2*400:2+2*401]) + w.Proof[2+2*401:] // a byte of the fetch proof
	if code, r, _ := runFile(t, tampered); code != exitOK || !r.Reverted || r.RevertReason != "InvalidMemoryProof()" || *r.MatchesClaim {
		t.Errorf("tampered fetch proof: exit %d, %+v", code, r)
	}
	wrongValue := w
	wrongValue.PreimageValue = w.PreimageValue[:len(w.PreimageValue)-2] + flipHex(w.PreimageValue[len(w.PreimageValue)-2:])
	if code, r, _ := runFile(t, wrongValue); code != exitOK || !r.Reverted || r.RevertReason != "pre-image must exist" {
		t.Errorf("preimage that is not the key's: exit %d, %+v", code, r)
	}
	if code, _, _ := runFile(t, w, "--profile", "opcity"); code != exitBadInput {
		t.Errorf("--profile opcity: exit %d, want %d", code, exitBadInput)
	}
	if code, _, errOut := runFile(t, map[string]string{"state": "0x00"}); code != exitBadInput || !strings.Contains(errOut, "malformed witness") {
		t.Errorf("short state: exit %d, %q", code, errOut)
	}
	if code := run(nil, &bytes.Buffer{}, &bytes.Buffer{}); code != exitBadInput {
		t.Errorf("no file: exit %d", code)
	}
}

// flipHex returns a two-digit hex byte with its low bit flipped.
func flipHex(b string) string {
	const digits = "0123456789abcdef"
	i := strings.IndexByte(digits, b[1])
	return b[:1] + string(digits[i^1])
}
