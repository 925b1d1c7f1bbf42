package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/vectors"
)

// tensorData returns n bytes of a tensor, different for each seed.
func tensorData(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i)*7 + seed
	}
	return b
}

// rootAt returns data's region root at 2^k.
func rootAt(t *testing.T, data []byte, k uint) memory.Hash {
	t.Helper()
	r, err := memory.ComputeRegionRoot(data, k)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// writeFile writes raw to a new file called name and returns its path.
func writeFile(t *testing.T, name string, raw []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// tensorsFile writes a --tensors file holding tensors, each under its root.
func tensorsFile(t *testing.T, tensors ...[]byte) string {
	t.Helper()
	m := map[string]string{}
	for _, d := range tensors {
		r := format.ComputeTensorRoot(d)
		m[format.Hex(r[:])] = format.Hex(d)
	}
	raw, _ := json.Marshal(m)
	return writeFile(t, "tensors.json", raw)
}

// tensorProgram writes properties.TensorProgram for data mapped at 2^k.
func tensorProgram(t *testing.T, data []byte, k uint) string {
	t.Helper()
	return writeFile(t, "tensor.elf", properties.TensorProgram(rootAt(t, data, k), k))
}

// tensorMapStep is the step counter value from which TensorProgram's
// tensor_map runs.
const tensorMapStep = 8

// witnessJSON runs `opcity witness` with args and returns its object.
func witnessJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := run(append([]string{"witness"}, args...)...)
	if code != exitOK {
		t.Fatalf("witness %v: exit %d: %s", args, code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestWIT_TENSOR_STEPS_EveryStep: on a program that uses both tensor
// syscalls (properties.TensorProgram: tensor_map, tensor_root, an EINVAL
// tensor_root, then exit with a byte of the mapped tensor), mapped at the
// tensor's minimal size and at a larger one, `opcity run --profile opcity
// --tensors` gives the same result in fpvm, the spec and both in lockstep,
// exiting with the tensor's byte; and for every step, the exited state's
// included, `opcity witness --profile opcity` writes a witness of profile
// "opcity" that carries the tensor exactly at the tensor_map step, and
// `opcity verify` (with and without --profile opcity) prints its
// post_state_hash, which is the state hash `opcity run --max-steps N+1`
// reaches. `verify --profile base` refuses the file (exit 2, naming the
// profile).
func TestWIT_TENSOR_STEPS_EveryStep(t *testing.T) {
	data := tensorData(200, 3)
	tensors := tensorsFile(t, data, tensorData(3000, 1)) // the second is never read
	for _, k := range []uint{8, 12} {
		prog := tensorProgram(t, data, k)
		final := checkTensorRun(t, prog, tensors, data)
		for n := uint64(0); n <= properties.TensorProgramSteps; n++ {
			_, out, _ := run("run", "--vm", "spec", "--profile", "opcity", "--tensors", tensors, "--max-steps", fmt.Sprint(n+1), "--json", prog)
			next := mustResult(t, exitOK, out).StateHash
			w := witnessJSON(t, "--profile", "opcity", "--tensors", tensors, "--step", fmt.Sprint(n), prog)
			checkTensorFields(t, w, n, k, data)
			path := writeFile(t, "w.json", mustJSON(w))
			for _, args := range [][]string{{"verify", path}, {"verify", "--profile", "opcity", path}} {
				code, got, errOut := run(args...)
				if code != exitOK || strings.TrimSpace(got) != w["post_state_hash"] || strings.TrimSpace(got) != next {
					t.Fatalf("2^%d, step %d: %v: exit %d, %q %s; the witness claims %s, run --max-steps %d reaches %s", k, n, args, code, got, errOut, w["post_state_hash"], n+1, next)
				}
			}
			if n == properties.TensorProgramSteps && next != final {
				t.Fatalf("2^%d: the exited state %s, the run's %s", k, next, final)
			}
		}
		path := writeFile(t, "w.json", mustJSON(witnessJSON(t, "--profile", "opcity", "--tensors", tensors, "--step", "8", prog)))
		if code, _, errOut := run("verify", "--profile", "base", path); code != exitBadInput || !strings.Contains(errOut, "profile") || strings.Count(errOut, "\n") != 1 {
			t.Fatalf("verify --profile base of an opcity witness: exit %d, %q", code, errOut)
		}
	}
}

// checkTensorRun runs prog under the OPcity profile with tensors in every
// VM and returns the final state hash; each run must exit with data's byte
// TensorProgramByte after TensorProgramSteps steps.
func checkTensorRun(t *testing.T, prog, tensors string, data []byte) string {
	t.Helper()
	var want runner.Result
	for i, vm := range []string{"fast", "spec", "both"} {
		code, out, errOut := run("run", "--vm", vm, "--profile", "opcity", "--tensors", tensors, "--json", prog)
		res := mustResult(t, code, out)
		res.VM, res.Seconds = "", 0
		if code != exitOK || !res.Exited || res.ExitCode != data[properties.TensorProgramByte] || res.Steps != properties.TensorProgramSteps || res.Profile != "opcity" {
			t.Fatalf("run --vm %s: exit %d, %+v, %s", vm, code, res, errOut)
		}
		if i == 0 {
			want = res
		} else if !reflect.DeepEqual(res, want) {
			t.Fatalf("run --vm %s: %+v, fast: %+v", vm, res, want)
		}
	}
	return want.StateHash
}

// checkTensorFields checks w, the witness of step n of TensorProgram at
// 2^k: profile "opcity", and the tensor fields exactly at the tensor_map.
func checkTensorFields(t *testing.T, w map[string]any, n uint64, k uint, data []byte) {
	t.Helper()
	root := rootAt(t, data, k)
	_, has := w["tensor"]
	switch {
	case w["profile"] != "opcity":
		t.Fatalf("step %d: profile %v", n, w["profile"])
	case has != (n == tensorMapStep):
		t.Fatalf("step %d: tensor fields present: %v", n, has)
	case has && (w["tensor"] != format.Hex(data) || w["tensor_root"] != root.String() || w["tensor_log2size"] != float64(k)):
		t.Fatalf("step %d: tensor %v at 2^%v, root %v; want %d bytes at 2^%d, root %s", n, w["tensor"], w["tensor_log2size"], w["tensor_root"], len(data), k, root)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestCLI_TENSORS_BaseProfile: under the base profile (the default, or
// --profile base) TensorProgram stops at its tensor_map, an unknown syscall
// (exit 3); --tensors without --profile opcity, and an unknown profile, are
// usage errors (exit 2, one line) of run and witness; an opcity witness
// made base by dropping its profile and tensor fields is rejected by
// verify (exit 1, the unknown syscall).
func TestCLI_TENSORS_BaseProfile(t *testing.T) {
	data := tensorData(200, 3)
	prog, tensors := tensorProgram(t, data, 8), tensorsFile(t, data)
	for _, args := range [][]string{{"run", prog}, {"run", "--profile", "base", prog}, {"witness", "--step", "8", prog}} {
		if code, _, errOut := run(args...); code != exitStepFail || !strings.Contains(errOut, "7000") {
			t.Errorf("%v: exit %d, %q; want 3 at the unknown syscall 7000", args, code, errOut)
		}
	}
	for _, args := range [][]string{
		{"run", "--tensors", tensors, prog},
		{"run", "--profile", "base", "--tensors", tensors, prog},
		{"witness", "--step", "1", "--tensors", tensors, prog},
		{"run", "--profile", "OPcity", prog},
		{"witness", "--step", "1", "--profile", "", prog},
		{"verify", "--profile", "cannon", writeFile(t, "w.json", []byte("{}"))},
	} {
		code, _, errOut := run(args...)
		if code != exitBadInput || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "--profile") {
			t.Errorf("%v: exit %d, %q; want 2 and one line naming --profile", args, code, errOut)
		}
	}
	w := witnessJSON(t, "--profile", "opcity", "--tensors", tensors, "--step", "8", prog)
	for _, f := range []string{"profile", "tensor", "tensor_root", "tensor_log2size"} {
		delete(w, f)
	}
	code, _, errOut := run("verify", writeFile(t, "w.json", mustJSON(w)))
	if code != exitRejected || !strings.Contains(errOut, "unrecognized syscall") {
		t.Fatalf("the tensor_map witness as base: exit %d, %q; want 1, an unknown syscall", code, errOut)
	}
}

// TestCLI_TENSORS_BadFiles: a --tensors file whose key is not its data's
// root (another tensor's, or the data's root at a larger size than its
// minimal one), malformed JSON, wrong hex, one root spelled twice, a tensor
// over limits.Tensor or more tensors than limits.TensorCount each make run
// and witness exit 2 with one line naming the file and the fault (the key,
// for a key fault), before any step.
func TestCLI_TENSORS_BadFiles(t *testing.T) {
	data := tensorData(200, 3)
	prog := tensorProgram(t, data, 8)
	root, other, root9 := format.ComputeTensorRoot(data), format.ComputeTensorRoot(tensorData(200, 4)), rootAt(t, data, 9)
	key, hexData := root.String(), format.Hex(data)
	upper := "0x" + strings.ToUpper(key[2:])
	many := map[string]string{}
	for i := 0; i <= limits.TensorCount; i++ {
		many[fmt.Sprint(i)] = "0x"
	}
	for _, c := range []struct {
		name, file string
		want       []string // in the error line
	}{
		{"another tensor's root", `{"` + other.String() + `": "` + hexData + `"}`, []string{other.String(), "not the root", key}},
		{"the root at 2^9", `{"` + root9.String() + `": "` + hexData + `"}`, []string{root9.String(), "not the root", "at 2^8"}},
		{"malformed JSON", `{"` + key + `": "` + hexData + `"`, []string{"syntax error"}},
		{"not an object", `["` + hexData + `"]`, []string{"wrong type"}},
		{"null data", `{"` + key + `": null}`, []string{"null"}},
		{"odd hex digits", `{"` + key + `": "0x123"}`, []string{"value of key " + key, "not hex"}},
		{"non-hex data", `{"` + key + `": "0xzz"}`, []string{"value of key " + key, "not hex"}},
		{"data without 0x", `{"` + key + `": "` + hexData[2:] + `"}`, []string{"value of key " + key, "does not start with 0x"}},
		{"a short key", `{"0x1234": "` + hexData + `"}`, []string{`key "0x1234"`, "2 bytes, want 32"}},
		{"a key without 0x", `{"` + key[2:] + `": "` + hexData + `"}`, []string{key[2:], "does not start with 0x"}},
		{"one root in two spellings", `{"` + key + `": "` + hexData + `", "` + upper + `": "` + hexData + `"}`, []string{"duplicate key", key, upper}},
		{"one key twice", `{"` + key + `": "` + hexData + `", "` + key + `": "` + hexData + `"}`, []string{"duplicate key"}},
		{"a tensor over limits.Tensor", `{"` + key + `": "0x` + strings.Repeat("00", limits.Tensor+1) + `"}`, []string{"value of key " + key, "limits.Tensor"}},
		{"too many tensors", string(mustJSON(many)), []string{"65537 tensors", "limits.TensorCount"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, "t.json", []byte(c.file))
			for _, args := range [][]string{{"run", "--profile", "opcity", "--tensors", path, prog}, {"witness", "--profile", "opcity", "--tensors", path, "--step", "8", prog}} {
				code, out, errOut := run(args...)
				ok := code == exitBadInput && out == "" && strings.Count(errOut, "\n") == 1 && strings.Contains(errOut, path) && len(errOut) < 600
				for _, w := range c.want {
					ok = ok && strings.Contains(errOut, w)
				}
				if !ok {
					t.Errorf("%s: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", args[0], code, out, errOut, c.want)
				}
			}
		})
	}
}

// TestWIT_TENSOR_VerifyMalformed: `opcity verify` of the tensor_map
// witness with one of the new fields broken exits 2 with one line naming
// the field; with a tensor that commits to its own root but is not the one
// the step looks up (another tensor, or the same at another size), or
// without the tensor fields, the file is well formed and the step is
// rejected (exit 1, the missing tensor).
func TestWIT_TENSOR_VerifyMalformed(t *testing.T) {
	data := tensorData(200, 3)
	prog, tensors := tensorProgram(t, data, 8), tensorsFile(t, data)
	honest := witnessJSON(t, "--profile", "opcity", "--tensors", tensors, "--step", "8", prog)
	edited := func(change func(m map[string]any)) string {
		m := map[string]any{}
		for k, v := range honest {
			m[k] = v
		}
		change(m)
		return writeFile(t, "w.json", mustJSON(m))
	}
	flipped := append([]byte(nil), data...)
	flipped[7] ^= 1
	for name, c := range map[string]struct {
		change func(m map[string]any)
		want   string
	}{
		"profile OPcity":         {func(m map[string]any) { m["profile"] = "OPcity" }, "profile"},
		"profile a number":       {func(m map[string]any) { m["profile"] = 1 }, "profile"},
		"no profile":             {func(m map[string]any) { delete(m, "profile") }, `tensor: only with "profile": "opcity"`},
		"profile base":           {func(m map[string]any) { m["profile"] = "base" }, `tensor: only with "profile": "opcity"`},
		"no tensor_root":         {func(m map[string]any) { delete(m, "tensor_root") }, "tensor_root: missing"},
		"no tensor_log2size":     {func(m map[string]any) { delete(m, "tensor_log2size") }, "tensor_log2size: missing"},
		"no tensor":              {func(m map[string]any) { delete(m, "tensor") }, "tensor: missing"},
		"short tensor_root":      {func(m map[string]any) { m["tensor_root"] = "0x1234" }, "tensor_root: 2 bytes, want 32"},
		"non-hex tensor_root":    {func(m map[string]any) { m["tensor_root"] = "0x" + strings.Repeat("g", 64) }, "tensor_root"},
		"tensor_log2size 4":      {func(m map[string]any) { m["tensor_log2size"] = 4 }, "tensor_log2size: 4: want 5..30"},
		"tensor_log2size 31":     {func(m map[string]any) { m["tensor_log2size"] = 31 }, "tensor_log2size: 31"},
		"tensor_log2size 2^64-1": {func(m map[string]any) { m["tensor_log2size"] = json.Number("18446744073709551615") }, "tensor_log2size"},
		"tensor_log2size -1":     {func(m map[string]any) { m["tensor_log2size"] = -1 }, "tensor_log2size"},
		"tensor_log2size 8.5":    {func(m map[string]any) { m["tensor_log2size"] = 8.5 }, "tensor_log2size"},
		"null tensor":            {func(m map[string]any) { m["tensor"] = nil }, "null"},
		"odd tensor hex":         {func(m map[string]any) { m["tensor"] = m["tensor"].(string) + "0" }, "tensor: not hex"},
		"tensor a bit off":       {func(m map[string]any) { m["tensor"] = format.Hex(flipped) }, "not tensor_root"},
		"tensor over 2^8":        {func(m map[string]any) { m["tensor"] = format.Hex(make([]byte, 257)) }, "tensor: 257 bytes, more than the 2^8"},
		"tensor over limit":      {func(m map[string]any) { m["tensor"] = "0x" + strings.Repeat("00", limits.Tensor+1) }, "limits.Tensor"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := run("verify", edited(c.change))
			if code != exitBadInput || out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "malformed witness") || !strings.Contains(errOut, c.want) || len(errOut) > 600 {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and one line naming %q", code, out, errOut, c.want)
			}
		})
	}
	other := tensorData(100, 9)
	for name, change := range map[string]func(m map[string]any){
		"another tensor": func(m map[string]any) {
			m["tensor"], m["tensor_root"], m["tensor_log2size"] = format.Hex(other), rootAt(t, other, 8).String(), 8
		},
		"the tensor at 2^9": func(m map[string]any) { m["tensor_root"], m["tensor_log2size"] = rootAt(t, data, 9).String(), 9 },
		"no tensor fields": func(m map[string]any) {
			delete(m, "tensor")
			delete(m, "tensor_root")
			delete(m, "tensor_log2size")
		},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run("verify", edited(change))
			if code != exitRejected || !strings.Contains(errOut, "missing tensor") || strings.Count(errOut, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit 1, the missing tensor", code, errOut)
			}
		})
	}
}

// TestWIT_BASE_BYTES_Golden: a base-profile witness is byte for byte what
// `opcity witness` wrote before the OPcity profile reached the command line
// (the SHA-256 of its output at commit 759b43b, the parent of this
// change): examples/hello at step 1,000 and examples/preimage at step
// 451,865, the step that reads its preimage (so the preimage fields are
// compared too); --profile base writes the same bytes, and neither has a
// profile or tensor field. (The examples are built by the pinned Go
// toolchain, as the golden prestates are; a toolchain change that moves
// them moves these.) A base `run --json` object has no profile field.
func TestWIT_BASE_BYTES_Golden(t *testing.T) {
	for _, args := range [][]string{{"run", "--json"}, {"run", "--json", "--profile", "base"}} {
		code, out, _ := run(append(args, tinyProgram(t, liV0ExitGroup, liA0Three, syscall))...)
		if code != exitOK || strings.Contains(out, "profile") || !strings.Contains(out, `"steps": 3`) {
			t.Fatalf("%v: exit %d, %s", args, code, out)
		}
	}
	dir := t.TempDir()
	for _, c := range []struct {
		example, step, preimages, sha256 string
	}{
		{"hello", "1000", "", "bff3b3a92f1bee0472fb92c5edaa0951f4e877e0f80010a008145fb36fbc706a"},
		{"preimage", "451865", "../../examples/preimage/preimages.json", "4791f0121c7d3c151c01b76db6b96875b9f697bb8abf45842734e2d6d021ad4b"},
	} {
		if _, err := vectors.BuildExample("../..", c.example, dir); err != nil {
			t.Fatal(err)
		}
		args := []string{"witness", "--step", c.step, filepath.Join(dir, c.example+".elf")}
		if c.preimages != "" {
			args = append(args, "--preimages", c.preimages)
		}
		for _, extra := range [][]string{nil, {"--profile", "base"}} {
			code, out, errOut := run(append(args, extra...)...)
			sum := sha256.Sum256([]byte(out))
			if code != exitOK || hex.EncodeToString(sum[:]) != c.sha256 || strings.Contains(out, `"profile"`) || strings.Contains(out, `"tensor`) {
				t.Errorf("%s %v: exit %d, sha256 %x, want %s (%s)", c.example, extra, code, sum, c.sha256, errOut)
			}
			if c.preimages != "" && !strings.Contains(out, `"preimage_value"`) {
				t.Errorf("%s: step %s reads no preimage", c.example, c.step)
			}
		}
	}
}

// TestCLI_TENSORS_Reproducer: the command a --vm both divergence prints
// replays the step under the run's profile with its tensors: written for
// the state before TensorProgram's tensor_map, it resumes that snapshot
// with --profile opcity --tensors and executes the tensor_map (exit 0).
func TestCLI_TENSORS_Reproducer(t *testing.T) {
	data := tensorData(200, 3)
	tensors := tensorsFile(t, data)
	s, err := program.Load(properties.TensorProgram(rootAt(t, data, 8), 8))
	if err != nil {
		t.Fatal(err)
	}
	d := spec.Data{Tensors: spec.NewTensors(data)}
	if s, _, err = spec.RunIn(spec.ProfileOPcity, s, d, tensorMapStep); err != nil {
		t.Fatal(err)
	}
	flags := dataFlags{profile: "opcity", tensors: tensors}
	div := &runner.Divergence{Step: tensorMapStep + 1, Pre: s}
	path, cmd, err := div.WriteReproducer(flags.reproducer()...)
	if err != nil {
		t.Fatal(err)
	}
	defer os.Remove(path)
	args, ok := strings.CutPrefix(cmd, "opcity ")
	if !ok || !strings.HasSuffix(cmd, " --profile opcity --tensors "+tensors) {
		t.Fatalf("reproducer %q", cmd)
	}
	if code, out, errOut := run(strings.Fields(args)...); code != exitOK || !strings.Contains(out, "steps 1,") || !strings.Contains(out, "profile     opcity") {
		t.Fatalf("%s: exit %d, %s %s", cmd, code, out, errOut)
	}
	if code, _, errOut := run(strings.Fields(strings.TrimSuffix(args, " --profile opcity --tensors "+tensors))...); code != exitStepFail || !strings.Contains(errOut, "7000") {
		t.Fatalf("the reproducer without the profile: exit %d, %s", code, errOut)
	}
}

// TestCLI_TENSORS_Missing: under the OPcity profile without the tensor the
// program maps (no --tensors, or a file holding another tensor), run and
// witness stop at the tensor_map with the missing tensor (exit 3, needs
// data); the steps before it are witnessed as usual.
func TestCLI_TENSORS_Missing(t *testing.T) {
	data := tensorData(200, 3)
	prog := tensorProgram(t, data, 8)
	for _, extra := range [][]string{nil, {"--tensors", tensorsFile(t, tensorData(200, 4))}} {
		for _, args := range [][]string{{"run", "--json"}, {"witness", "--step", "8"}} {
			args = append(append(append(args, "--profile", "opcity"), extra...), prog)
			code, out, errOut := run(args...)
			if code != exitStepFail || !strings.Contains(out+errOut, "missing tensor") {
				t.Errorf("%v: exit %d, %s %s; want 3, the missing tensor", args, code, out, errOut)
			}
		}
		w := witnessJSON(t, append(append([]string{"--step", "7", "--profile", "opcity"}, extra...), prog)...)
		if _, has := w["tensor"]; has || w["profile"] != "opcity" {
			t.Errorf("%v: step 7: %v", extra, w)
		}
	}
}
