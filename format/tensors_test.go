package format_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	stderrors "errors"
	"reflect"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/transition"
)

func tensorBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*13 + 1)
	}
	return b
}

// tensorsJSON is the tensors file holding tensors, each under its root.
func tensorsJSON(tensors ...[]byte) []byte {
	m := map[string]string{}
	for _, d := range tensors {
		r := format.ComputeTensorRoot(d)
		m[format.Hex(r[:])] = format.Hex(d)
	}
	b, _ := json.Marshal(m)
	return b
}

// TestCLI_TENSORS_ParseTensors: a tensors file's key is the tensor's root
// at its minimal size, opml.ComputeTensorRoot's value, for tensors at and
// around leaf and power-of-two boundaries (the empty tensor included); its
// Store answers each at every size from the minimal one to 2^30 and at no
// smaller one; an empty object is no tensor.
func TestCLI_TENSORS_ParseTensors(t *testing.T) {
	sizes := []int{0, 1, 31, 32, 33, 64, 200, 4096, 5000}
	var tensors [][]byte
	for _, n := range sizes {
		tensors = append(tensors, tensorBytes(n)[:n])
	}
	tensors[0] = []byte{}
	m, err := format.ParseTensors(tensorsJSON(tensors...))
	if err != nil || len(m) != len(sizes) {
		t.Fatalf("ParseTensors: %d tensors, %v", len(m), err)
	}
	store := m.Store()
	for _, d := range tensors {
		root := opml.ComputeTensorRoot(d)
		if got, ok := m[root]; !ok || !bytes.Equal(got, d) || format.ComputeTensorRoot(d) != root {
			t.Fatalf("%d bytes: not under opml.ComputeTensorRoot %s", len(d), root)
		}
		k0 := memory.RegionLog2Size(len(d))
		for _, k := range []uint{k0, k0 + 1, transition.MaxTensorLog2} {
			r, _ := memory.ComputeRegionRoot(d, k)
			if got, ok := store.Tensor(r, k); !ok || !bytes.Equal(got, d) {
				t.Fatalf("%d bytes: the store does not answer at 2^%d", len(d), k)
			}
		}
		if _, ok := store.Tensor(root, k0+1); ok {
			t.Fatalf("%d bytes: the store answers the minimal root at 2^%d", len(d), k0+1)
		}
	}
	if m, err := format.ParseTensors([]byte(`{}`)); err != nil || len(m) != 0 {
		t.Fatalf("{}: %v, %v", m, err)
	}
}

// TestCLI_TENSORS_Limits: a tensor of exactly limits.Tensor bytes is
// accepted and one byte more refused, naming its key, from the length of
// its hex; limits.TensorCount tensors are accepted and one more refused
// before any key is read; every refusal is a *format.FieldError or a
// *format.JSONError.
func TestCLI_TENSORS_Limits(t *testing.T) {
	big := tensorBytes(limits.Tensor)
	if m, err := format.ParseTensors(tensorsJSON(big)); err != nil || len(m) != 1 {
		t.Fatalf("a %d-byte tensor: %v", len(big), err)
	}
	key := strings.Repeat("ab", 32)
	_, err := format.ParseTensors([]byte(`{"0x` + key + `": "0x` + strings.Repeat("00", limits.Tensor+1) + `"}`))
	var fe *format.FieldError
	if !stderrors.As(err, &fe) || !strings.Contains(fe.Field, key) || !strings.Contains(fe.Detail, "limits.Tensor") {
		t.Fatalf("a tensor of limits.Tensor+1 bytes: %v", err)
	}
	raw := tensorsCount(limits.TensorCount)
	if m, err := format.ParseTensors(raw); err != nil || len(m) != limits.TensorCount {
		t.Fatalf("%d tensors: %d, %v", limits.TensorCount, len(m), err)
	}
	raw = append(bytes.TrimSuffix(raw, []byte("}")), []byte(`,"not a key":"0x"}`)...)
	if _, err := format.ParseTensors(raw); !stderrors.As(err, &fe) || fe.Field != "tensors" || !strings.Contains(fe.Detail, "limits.TensorCount") {
		t.Fatalf("%d tensors: %v", limits.TensorCount+1, err)
	}
}

// tensorsCount is a tensors file of n different 4-byte tensors.
func tensorsCount(n int) []byte {
	var tensors [][]byte
	for i := 0; i < n; i++ {
		tensors = append(tensors, binary.BigEndian.AppendUint32(nil, uint32(i)))
	}
	return tensorsJSON(tensors...)
}

// tensorMapWitness returns the witness of properties.TensorProgram's
// tensor_map (its step from step 8) with data mapped at 2^k, as
// format.EncodeWitnessIn(opcity) writes it, and the post-state hash.
func tensorMapWitness(t *testing.T, data []byte, k uint) (format.WitnessJSON, memory.Hash) {
	t.Helper()
	root, _ := memory.ComputeRegionRoot(data, k)
	s, err := program.Load(properties.TensorProgram(root, k))
	if err != nil {
		t.Fatal(err)
	}
	d := spec.Data{Tensors: spec.NewTensors(data)}
	if s, _, err = spec.RunIn(spec.ProfileOPcity, s, d, 8); err != nil {
		t.Fatal(err)
	}
	post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, s, d)
	if err != nil || !w.HasTensor {
		t.Fatalf("the tensor_map step: %v, tensor read: %v", err, w.HasTensor)
	}
	return format.EncodeWitnessIn(spec.ProfileOPcity, s.Step, w, post.Hash()), post.Hash()
}

// TestWIT_TENSOR_RoundTrip: the witness of a tensor_map, encoded under the
// OPcity profile, has profile "opcity" and the tensor the step read; it
// parses (from JSON and from the struct alike) to a witness whose D
// answers exactly that lookup and which VerifyStepIn(opcity) verifies to
// the post-state; base-profile witnesses have neither field.
func TestWIT_TENSOR_RoundTrip(t *testing.T) {
	data := tensorBytes(200)
	j, post := tensorMapWitness(t, data, 9)
	root, _ := memory.ComputeRegionRoot(data, 9)
	if j.Profile != "opcity" || j.TensorRoot != root.String() || j.TensorLog2Size != 9 || j.Tensor != format.Hex(data) {
		t.Fatalf("encoded: profile %q, tensor root %s at 2^%d, %d hex digits", j.Profile, j.TensorRoot, j.TensorLog2Size, len(j.Tensor)-2)
	}
	raw, _ := json.Marshal(j)
	w, err := format.ParseWitness(raw)
	if err != nil {
		t.Fatal(err)
	}
	if w2, err := j.Parse(); err != nil || !reflect.DeepEqual(w, w2) {
		t.Fatalf("WitnessJSON.Parse: %v; differs from ParseWitness: %v", err, !reflect.DeepEqual(w, w2))
	}
	if w.Profile != spec.ProfileOPcity || !w.HasTensor || w.TensorRoot != root || w.TensorLog2Size != 9 || !bytes.Equal(w.Tensor, data) {
		t.Fatalf("parsed: %v %v %s %d", w.Profile, w.HasTensor, w.TensorRoot, w.TensorLog2Size)
	}
	d := w.Data()
	if got, ok := d.Tensors.Tensor(root, 9); !ok || !bytes.Equal(got, data) {
		t.Fatal("D does not answer the witness's lookup")
	}
	min, _ := memory.ComputeRegionRoot(data, 8)
	if _, ok := d.Tensors.Tensor(min, 8); ok {
		t.Fatal("D answers a lookup the witness does not carry")
	}
	if got, err := spec.VerifyStepIn(w.Profile, w.State, w.Proof, w.LocalContext, d); err != nil || got != post {
		t.Fatalf("VerifyStepIn: %s, %v; want %s", got, err, post)
	}
	base, _ := honestWitness(t)
	raw, _ = json.Marshal(base)
	if strings.Contains(string(raw), "profile") || strings.Contains(string(raw), "tensor") {
		t.Fatalf("a base witness: %s", raw)
	}
	if w, err := format.ParseWitness(raw); err != nil || w.Profile != spec.ProfileBase || w.HasTensor || w.Data().Tensors != nil {
		t.Fatalf("a base witness parses to %+v, %v", w, err)
	}
}

// TestWIT_TENSOR_Limit: a witness carrying a tensor of limits.Tensor bytes
// (a 2^24-byte region) parses and fits limits.Witness.
func TestWIT_TENSOR_Limit(t *testing.T) {
	j, _ := tensorMapWitness(t, tensorBytes(200), 8)
	big := tensorBytes(limits.Tensor)
	root, _ := memory.ComputeRegionRoot(big, 24)
	j.Tensor, j.TensorRoot, j.TensorLog2Size = format.Hex(big), root.String(), 24
	raw, _ := json.MarshalIndent(j, "", "  ")
	if _, err := format.ParseWitness(raw); err != nil || len(raw) > limits.Witness {
		t.Fatalf("a witness of %d bytes with a %d-byte tensor: %v (limit %d)", len(raw), len(big), err, limits.Witness)
	}
}
