package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/conformance/cannon/evm"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec/memory"
)

// buildCommand builds a command of the repository (./cmd/opcity, or this
// module's ./cmd/evmstep) into dir and returns its path.
func buildCommand(t *testing.T, moduleDir, pkg, dir string) string {
	t.Helper()
	out := filepath.Join(dir, filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-o", out, pkg)
	cmd.Dir = moduleDir
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

// TestEVM_STEP_CLI_OPCITY: for properties.TensorProgram, a program that
// uses both tensor syscalls, with a 200-byte tensor mapped into regions of
// 2^8 (its minimal size), 2^12 and 2^24 bytes, every step's witness that
// `opcity witness --profile opcity --tensors T.json --step N` writes gives
// in evmstep --profile opcity (MIPS64OPcity, the tensor uploaded to
// TensorOracle) the post-state hash `opcity verify --profile opcity`
// prints, without a revert. One step goes through a shell pipe into
// `evmstep --profile opcity -`. A tampered region proof on the tensor_map
// step is rejected by both: verify exits 1, MIPS64OPcity reverts
// InvalidRegionProof().
func TestEVM_STEP_CLI_OPCITY(t *testing.T) {
	dir := t.TempDir()
	opcity := buildCommand(t, repoRoot, "./cmd/opcity", dir)
	evmstep := buildCommand(t, "../..", "./cmd/evmstep", dir)
	data := make([]byte, 200)
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	minRoot, err := memory.ComputeRegionRoot(data, 8)
	if err != nil {
		t.Fatal(err)
	}
	tensors := filepath.Join(dir, "T.json")
	js := fmt.Sprintf(`{"0x%x": "0x%s"}`, minRoot[:], hex.EncodeToString(data))
	if err := os.WriteFile(tensors, []byte(js), 0o644); err != nil {
		t.Fatal(err)
	}
	var compared int
	for _, k := range []uint{8, 12, 24} {
		root, _ := memory.ComputeRegionRoot(data, k)
		elf := filepath.Join(dir, fmt.Sprintf("tensor-%d.elf", k))
		if err := os.WriteFile(elf, properties.TensorProgram(root, k), 0o644); err != nil {
			t.Fatal(err)
		}
		var tensorMaps int
		for n := 0; n < properties.TensorProgramSteps; n++ {
			wfile := filepath.Join(dir, fmt.Sprintf("w-%d-%d.json", k, n))
			raw, err := exec.Command(opcity, "witness", "--profile", "opcity", "--tensors", tensors, "--step", fmt.Sprint(n), elf).Output()
			if err != nil {
				t.Fatalf("2^%d step %d: opcity witness: %v", k, n, err)
			}
			if err := os.WriteFile(wfile, raw, 0o644); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte(`"tensor"`)) {
				tensorMaps++
			}
			out, err := exec.Command(opcity, "verify", "--profile", "opcity", wfile).Output()
			if err != nil {
				t.Fatalf("2^%d step %d: opcity verify: %v", k, n, err)
			}
			want := strings.TrimSpace(string(out))
			rep := evmstepReport(t, evmstep, "--profile", "opcity", wfile)
			if rep.Reverted || rep.PostStateHash != want {
				t.Fatalf("2^%d step %d: opcity verify %s, evmstep %q reverted=%v %q", k, n, want, rep.PostStateHash, rep.Reverted, rep.RevertReason)
			}
			compared++
			if n == 8 && k == 24 { // the tensor_map step
				pipe := exec.Command("sh", "-c", fmt.Sprintf("%q witness --profile opcity --tensors %q --step %d %q | %q --profile opcity -", opcity, tensors, n, elf, evmstep))
				out, err := pipe.Output()
				var r evm.Report
				if err != nil || json.Unmarshal(out, &r) != nil || r.PostStateHash != want {
					t.Fatalf("pipe: %v %s, want %s", err, out, want)
				}
			}
		}
		if tensorMaps != 1 {
			t.Fatalf("2^%d: %d witnesses carry a tensor, want the one tensor_map's", k, tensorMaps)
		}
	}
	t.Logf("steps compared: %d (opcity verify = evmstep --profile opcity on each), differences: 0", compared)

	// A region proof with one sibling changed on the tensor_map step.
	var w map[string]any
	raw, err := os.ReadFile(filepath.Join(dir, "w-12-8.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &w); err != nil || w["tensor"] == nil {
		t.Fatalf("step 8 of 2^12 is not the tensor_map witness (%v)", err)
	}
	proof := w["proof"].(string)
	at := 2 + 2*(330+2*1920+32+5) // a byte of slot 2's first sibling
	w["proof"] = proof[:at] + flipHex(proof[at:at+2]) + proof[at+2:]
	bad := filepath.Join(dir, "bad.json")
	b, _ := json.Marshal(w)
	if err := os.WriteFile(bad, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := exec.Command(opcity, "verify", "--profile", "opcity", bad).Run(); err == nil || exitCode(err) != 1 {
		t.Errorf("opcity verify of a tampered region proof: %v, want exit 1", err)
	}
	if rep := evmstepReport(t, evmstep, "--profile", "opcity", bad); !rep.Reverted || rep.RevertReason != "InvalidRegionProof()" {
		t.Errorf("evmstep of a tampered region proof: reverted=%v %q, want InvalidRegionProof()", rep.Reverted, rep.RevertReason)
	}
	// The file's profile and --profile must agree.
	if err := exec.Command(evmstep, "--profile", "base", bad).Run(); exitCode(err) != 2 {
		t.Errorf("evmstep --profile base on an OPcity witness: %v, want exit 2", err)
	}
}

func evmstepReport(t *testing.T, bin string, args ...string) evm.Report {
	t.Helper()
	out, err := exec.Command(bin, args...).Output()
	var r evm.Report
	if err != nil || json.Unmarshal(out, &r) != nil {
		t.Fatalf("evmstep %v: %v %s", args, err, out)
	}
	return r
}

func exitCode(err error) int {
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err == nil {
		return 0
	}
	return -1
}
