package opml_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
	specerrors "github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
)

// TestOPML_FMT_ENCODE_RoundTrip: Decode(Encode(m)) = m for random valid
// models, and the encoding of the decoded model is the same bytes.
func TestOPML_FMT_ENCODE_RoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		b := opml.Encode(m)
		got, err := opml.Decode(b)
		if err != nil {
			t.Fatalf("Decode(Encode(m)): %v\n%x", err, b)
		}
		if !reflect.DeepEqual(got, m) {
			t.Fatalf("Decode(Encode(m)) = %+v, want %+v", got, m)
		}
		if !bytes.Equal(opml.Encode(got), b) {
			t.Fatalf("re-encoding differs")
		}
		if got.Hash() != memory.Keccak256(b) {
			t.Fatalf("Hash is not keccak256 of the encoding")
		}
	})
}

// TestOPML_FMT_CANONICAL: any single-byte change, insertion or deletion of
// a valid encoding is rejected with a *FormatError or decodes to a model that
// re-encodes to exactly the changed bytes (CheckDecode, the fuzz property).
func TestOPML_FMT_CANONICAL(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		b := opml.Encode(genModel(t))
		i := rapid.IntRange(0, len(b)-1).Draw(t, "at")
		switch rapid.IntRange(0, 2).Draw(t, "edit") {
		case 0:
			b[i] ^= 1 << rapid.IntRange(0, 7).Draw(t, "bit")
		case 1:
			b = slices.Insert(b, i, rapid.Byte().Draw(t, "byte"))
		default:
			b = slices.Delete(b, i, i+1)
		}
		if err := opml.CheckDecode(b); err != nil {
			t.Fatalf("%v\n%x", err, b)
		}
	})
}

// TestOPML_FMT_CANONICAL_Valid: CheckDecode accepts valid encodings (and
// runs them on 1 and 3 goroutines).
func TestOPML_FMT_CANONICAL_Valid(t *testing.T) {
	for _, m := range []opml.Model{exampleMLP(), exampleCNN()} {
		if err := opml.CheckDecode(opml.Encode(m)); err != nil {
			t.Fatal(err)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		if err := opml.CheckDecode(opml.Encode(genModel(t))); err != nil {
			t.Fatal(err)
		}
	})
}

// TestOPML_FMT_ENCODE_Layout pins the byte offsets of the format table on
// the worked example.
func TestOPML_FMT_ENCODE_Layout(t *testing.T) {
	m := exampleMLP()
	b := opml.Encode(m)
	u32 := func(off int) uint32 { return binary.BigEndian.Uint32(b[off:]) }
	if string(b[:4]) != "OPML" || binary.BigEndian.Uint16(b[4:]) != 1 || binary.BigEndian.Uint16(b[6:]) != 0 {
		t.Fatalf("header %x", b[:8])
	}
	if u32(8) != 4 || u32(12) != 1 || u32(16) != 4 || u32(20) != 2 {
		t.Fatalf("counts %d %d %d %d, want 4 1 4 2", u32(8), u32(12), u32(16), u32(20))
	}
	// tensor 0: w1 [3,4] int8 at offset 24; 24 + 4·2 + 12 = 44 bytes.
	if u32(24) != 0 || b[28] != 1 || b[29] != 2 || u32(32) != 3 || u32(36) != 4 || u32(52) != 12 || b[56] != 1 || b[57] != 0xfe {
		t.Fatalf("tensor 0 record %x", b[24:68])
	}
	if u32(68) != 1 || b[72] != 2 { // tensor 1: b1 int32
		t.Fatalf("tensor 1 record %x", b[68:80])
	}
	t.Logf("worked example: %d bytes, hash %s\n%x", len(b), m.Hash(), b)
	if len(b) != exampleLen || m.Hash().String() != exampleHash {
		t.Errorf("worked example changed: %d bytes, hash %s (docs/opml.md shows %d, %s)", len(b), m.Hash(), exampleLen, exampleHash)
	}
}

// The worked example's size and hash, as docs/opml.md shows them.
const (
	exampleLen  = 426
	exampleHash = "0x5470279e16bd2b5ab9827a9f81ff4b3a61896adde0a665e93d3952f4a45fc9a8"
)

// wantFormatErr fails unless err is a *FormatError with code c and, when
// field is not empty, that field; it also checks the spec error it unwraps to.
func wantFormatErr(t *testing.T, name string, err error, c opml.FormatCode, field string) {
	t.Helper()
	var fe *opml.FormatError
	if !errors.As(err, &fe) {
		t.Errorf("%s: got %v, want a *FormatError %s", name, err, c)
		return
	}
	if fe.Code != c || (field != "" && fe.Field != field) {
		t.Errorf("%s: got %v (code %s, field %q), want code %s field %q", name, err, fe.Code, fe.Field, c, field)
	}
	if msg := err.Error(); !strings.Contains(msg, fe.Field) || !strings.Contains(msg, fe.Code.String()) {
		t.Errorf("%s: message %q does not name the field and the code", name, msg)
	}
	wrong := c == opml.CodeTruncated || c == opml.CodeTrailing || c == opml.CodeTooLarge || c == opml.CodeBadDataLength
	if errors.Is(err, specerrors.ErrWrongLength) != wrong || errors.Is(err, specerrors.ErrInvalidField) == wrong {
		t.Errorf("%s: %v unwraps to the wrong spec error", name, err)
	}
}

// mutation is a change to the worked example and the error Decode must give.
type mutation struct {
	name  string
	edit  func(m *opml.Model)
	code  opml.FormatCode
	field string
}

// cloneModel deep-copies m so that mutations do not leak between cases.
func cloneModel(m opml.Model) opml.Model {
	out := m
	out.Tensors = make([]opml.Tensor, len(m.Tensors))
	for i, t := range m.Tensors {
		t.Shape, t.Data = slices.Clone(t.Shape), slices.Clone(t.Data)
		out.Tensors[i] = t
	}
	out.Nodes = make([]opml.Node, len(m.Nodes))
	for i, n := range m.Nodes {
		n.Inputs, n.Params = slices.Clone(n.Inputs), slices.Clone(n.Params)
		out.Nodes[i] = n
	}
	out.Outputs = slices.Clone(m.Outputs)
	return out
}

var modelMutations = []mutation{
	{"dtype 3", func(m *opml.Model) { m.Tensors[0].DType = 3 }, opml.CodeBadDType, "tensor[0].dtype"},
	{"rank 0", func(m *opml.Model) { m.Tensors[4].Shape = nil }, opml.CodeBadShape, "tensor[4].rank"},
	{"rank 5", func(m *opml.Model) { m.Tensors[4].Shape = []int{1, 1, 1, 1, 4} }, opml.CodeBadShape, "tensor[4].rank"},
	{"dim 0", func(m *opml.Model) { m.Tensors[4].Shape = []int{0, 4} }, opml.CodeBadShape, "tensor[4].shape[0]"},
	{"dim 2^24+1", func(m *opml.Model) { m.Tensors[4].Shape = []int{1, 1<<24 + 1} }, opml.CodeBadShape, "tensor[4].shape[1]"},
	{"2^25 elements", func(m *opml.Model) { m.Tensors[4].Shape = []int{4096, 8192} }, opml.CodeTooLarge, "tensor[4].shape"},
	{"int8 zero 128", func(m *opml.Model) { m.Tensors[4].Quant.Zero = 128 }, opml.CodeBadQuant, "tensor[4].quant.zero"},
	{"int32 zero 1", func(m *opml.Model) { m.Tensors[1].Quant.Zero = 1 }, opml.CodeBadQuant, "tensor[1].quant.zero"},
	{"scale mult -1", func(m *opml.Model) { m.Tensors[4].Quant.Scale.Mult = -1 }, opml.CodeBadQuant, "tensor[4].quant.scale"},
	{"scale shift 32", func(m *opml.Model) { m.Tensors[4].Quant.Scale.Shift = 32 }, opml.CodeBadQuant, "tensor[4].quant.scale"},
	{"unspecified scale with shift", func(m *opml.Model) { m.Tensors[0].Quant.Scale.Shift = 3 }, opml.CodeBadQuant, "tensor[0].quant.scale"},
	{"short constant data", func(m *opml.Model) { m.Tensors[0].Data = m.Tensors[0].Data[:11] }, opml.CodeBadDataLength, "tensor[0].data"},
	{"input with data", func(m *opml.Model) { m.Tensors[4].Data = make([]byte, 4) }, opml.CodeBadDataLength, "tensor[4].data"},
	{"op 0", func(m *opml.Model) { m.Nodes[1].Op = 0 }, opml.CodeBadOp, "node[1].op"},
	{"op 21", func(m *opml.Model) { m.Nodes[1].Op = 21 }, opml.CodeBadOp, "node[1].op"}, // 8..17 are the transformer ops, 18..20 the accumulating ops
	{"extra input", func(m *opml.Model) { m.Nodes[1].Inputs = append(m.Nodes[1].Inputs, 0) }, opml.CodeBadArity, "node[1]"},
	{"missing param", func(m *opml.Model) { m.Nodes[0].Params = m.Nodes[0].Params[:1] }, opml.CodeBadArity, "node[0]"},
	{"output id", func(m *opml.Model) { m.Nodes[2].Output = 8 }, opml.CodeBadID, "node[2].output"},
	{"dangling input", func(m *opml.Model) { m.Nodes[1].Inputs[0] = 100 }, opml.CodeDanglingID, "node[1].inputs[0]"},
	{"reads itself", func(m *opml.Model) { m.Nodes[1].Inputs[0] = 6 }, opml.CodeNotTopological, "node[1].inputs[0]"},
	{"reads a later node", func(m *opml.Model) { m.Nodes[1].Inputs[0] = 7 }, opml.CodeNotTopological, "node[1].inputs[0]"},
	{"weights do not fit", func(m *opml.Model) { m.Tensors[0].Shape, m.Tensors[0].Data = []int{3, 5}, make([]byte, 15) }, opml.CodeBadShape, "node[0].inputs[1]"},
	{"bias does not fit", func(m *opml.Model) { m.Tensors[1].Shape, m.Tensors[1].Data = []int{4}, make([]byte, 16) }, opml.CodeBadShape, "node[0].inputs[2]"},
	{"int32 weights", func(m *opml.Model) { m.Nodes[0].Inputs[1] = 1 }, opml.CodeBadDType, "node[0].inputs[1]"},
	{"shift 32", func(m *opml.Model) { m.Nodes[0].Params[1] = 32 }, opml.CodeBadParam, "node[0].params[0]"},
	{"negative multiplier", func(m *opml.Model) { m.Nodes[2].Params[0] = -1 }, opml.CodeBadParam, "node[2].params[0]"},
	{"output shape", func(m *opml.Model) { m.Tensors[5].Shape = []int{1, 4} }, opml.CodeBadShape, "node[0].output"},
	{"argmax int8", func(m *opml.Model) { m.Tensors[8].DType = opml.Int8 }, opml.CodeBadDType, "node[3].output"},
	{"relu requantizes", func(m *opml.Model) { m.Tensors[6].Quant.Zero = 1 }, opml.CodeBadQuant, "node[1].output"},
	{"outputs repeat", func(m *opml.Model) { m.Outputs = []int{7, 7} }, opml.CodeBadOutputs, "outputs[1]"},
	{"outputs decrease", func(m *opml.Model) { m.Outputs = []int{8, 7} }, opml.CodeBadOutputs, "outputs[1]"},
	{"dangling output", func(m *opml.Model) { m.Outputs = []int{7, 9} }, opml.CodeDanglingID, "outputs[1]"},
	{"no outputs", func(m *opml.Model) { m.Outputs = nil }, opml.CodeBadOutputs, "header.outputs"},
	{"more outputs than tensors", func(m *opml.Model) { m.Outputs = make([]int, 10) }, opml.CodeBadOutputs, "header.outputs"},
}

// cnnMutations are changes to exampleCNN, for the ops the MLP lacks.
var cnnMutations = []mutation{
	{"conv stride 0", func(m *opml.Model) { m.Nodes[0].Params[2] = 0 }, opml.CodeBadParam, "node[0].params[2]"},
	{"conv pad = kernel", func(m *opml.Model) { m.Nodes[0].Params[4] = 2 }, opml.CodeBadParam, "node[0].params[2]"},
	{"conv negative pad", func(m *opml.Model) { m.Nodes[0].Params[7] = -1 }, opml.CodeBadParam, "node[0].params[2]"},
	{"conv shift -32", func(m *opml.Model) { m.Nodes[0].Params[1] = -32 }, opml.CodeBadParam, "node[0].params[0]"},
	{"conv channels", func(m *opml.Model) { m.Tensors[0].Shape = []int{2, 2, 1, 2} }, opml.CodeBadShape, "node[0].inputs[1]"},
	{"conv rank 3 input", func(m *opml.Model) { m.Tensors[4].Shape = []int{4, 4, 1} }, opml.CodeBadShape, "node[0].inputs[0]"},
	{"conv int32 bias as filter", func(m *opml.Model) { m.Nodes[0].Inputs[1] = 1 }, opml.CodeBadDType, "node[0].inputs[1]"},
	{"conv filter larger than image", func(m *opml.Model) {
		m.Tensors[4].Shape, m.Nodes[0].Params[4] = []int{1, 1, 16, 1}, 0
	}, opml.CodeBadShape, "node[0].inputs[0]"},
	{"conv output shape", func(m *opml.Model) { m.Tensors[5].Shape = []int{1, 3, 3, 2} }, opml.CodeBadShape, "node[0].output"},
	{"pool window 0", func(m *opml.Model) { m.Nodes[1].Params[0] = 0 }, opml.CodeBadParam, "node[1].params[0]"},
	{"pool window larger than image", func(m *opml.Model) { m.Nodes[1].Params[1] = 9 }, opml.CodeBadShape, "node[1].inputs[0]"},
	{"pool requantizes", func(m *opml.Model) { m.Tensors[6].Quant.Zero = 0 }, opml.CodeBadQuant, "node[1].output"},
	{"reshape loses elements", func(m *opml.Model) { m.Tensors[7].Shape = []int{1, 7} }, opml.CodeBadShape, "node[2].output"},
	{"reshape changes dtype", func(m *opml.Model) { m.Tensors[7].DType, m.Tensors[7].Quant.Zero = opml.Int32, 0 }, opml.CodeBadDType, "node[2].output"},
	{"add negative multiplier", func(m *opml.Model) { m.Nodes[5].Params[1] = -1 }, opml.CodeBadParam, "node[5].params[0]"},
	{"add shift 32", func(m *opml.Model) { m.Nodes[5].Params[2] = 32 }, opml.CodeBadParam, "node[5].params[2]"},
	{"add shapes differ", func(m *opml.Model) { m.Nodes[5].Inputs[1] = 7 }, opml.CodeBadShape, "node[5].inputs[1]"},
	{"add int32 operand", func(m *opml.Model) { m.Nodes[5].Inputs[1] = 3 }, opml.CodeBadDType, "node[5].inputs[1]"},
	{"argmax of int32", func(m *opml.Model) { m.Nodes[6].Inputs[0] = 3 }, opml.CodeBadDType, "node[6].inputs[0]"},
	{"fc rank 4 input", func(m *opml.Model) { m.Nodes[3].Inputs[0] = 6 }, opml.CodeBadShape, "node[3].inputs[0]"},
}

// TestOPML_FMT_REJECT_Model: each inconsistency of a model is rejected by
// Decode with its code and field, and by Validate.
func TestOPML_FMT_REJECT_Model(t *testing.T) {
	for _, mu := range modelMutations {
		checkMutation(t, exampleMLP(), mu)
	}
	for _, mu := range cnnMutations {
		checkMutation(t, exampleCNN(), mu)
	}
}

// checkMutation applies mu to a copy of m and checks Decode and Validate.
func checkMutation(t *testing.T, orig opml.Model, mu mutation) {
	t.Helper()
	{
		m := cloneModel(orig)
		mu.edit(&m)
		_, err := opml.Decode(opml.Encode(m))
		wantFormatErr(t, mu.name, err, mu.code, mu.field)
		if !strings.HasPrefix(mu.field, "header") {
			wantFormatErr(t, mu.name+" (Validate)", m.Validate(), mu.code, mu.field)
		}
	}
}

// TestOPML_FMT_REJECT_Bytes: byte-level defects Encode cannot produce.
func TestOPML_FMT_REJECT_Bytes(t *testing.T) {
	good := opml.Encode(exampleMLP())
	patch := func(off int, v ...byte) []byte {
		b := slices.Clone(good)
		copy(b[off:], v)
		return b
	}
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	cases := []struct {
		name  string
		b     []byte
		code  opml.FormatCode
		field string
	}{
		{"empty", nil, opml.CodeTruncated, "header"},
		{"magic", patch(3, 'X'), opml.CodeBadMagic, "header.magic"},
		{"version 2", patch(5, 2), opml.CodeBadVersion, "header.version"},
		{"reserved header", patch(7, 1), opml.CodeReserved, "header.reserved"},
		{"65537 tensors", patch(8, u32(1<<16-4)...), opml.CodeTooLarge, "header.counts"},
		{"2^32-1 constants", patch(8, u32(1<<32-1)...), opml.CodeTooLarge, "header.counts"},
		{"more records than bytes", patch(8, u32(1000)...), opml.CodeTruncated, "header.counts"},
		{"zero outputs", patch(20, u32(0)...), opml.CodeBadOutputs, "header.outputs"},
		{"tensor id", patch(27, 1), opml.CodeBadID, "tensor[0].id"},
		{"tensor reserved", patch(30, 0, 1), opml.CodeReserved, "tensor[0].reserved"},
		{"data length", patch(52, u32(13)...), opml.CodeBadDataLength, "tensor[0].data"},
		{"trailing byte", append(slices.Clone(good), 0), opml.CodeTrailing, "file"},
		{"oversized file", make([]byte, opml.MaxModelBytes+1), opml.CodeTooLarge, "file"},
	}
	for _, c := range cases {
		_, err := opml.Decode(c.b)
		wantFormatErr(t, c.name, err, c.code, c.field)
	}
	// The last node record (ArgMax: 8 + 4 bytes) ends before the two output
	// ids; its reserved byte is at offset 3 of the record.
	b := patch(len(good)-8-12+3, 1)
	_, err := opml.Decode(b)
	wantFormatErr(t, "node reserved byte", err, opml.CodeReserved, "node[3].reserved")
}

// TestOPML_FMT_REJECT_Truncated: every proper prefix of a valid encoding is
// rejected as truncated.
func TestOPML_FMT_REJECT_Truncated(t *testing.T) {
	good := opml.Encode(exampleMLP())
	for n := range len(good) {
		_, err := opml.Decode(good[:n])
		wantFormatErr(t, fmt.Sprintf("prefix of %d bytes", n), err, opml.CodeTruncated, "")
	}
}

// TestOPML_FMT_LIMITS: models over the work and activation limits are
// rejected although each tensor is within its own limits.
func TestOPML_FMT_LIMITS(t *testing.T) {
	big := opml.Model{Inputs: 1, Tensors: []opml.Tensor{
		{DType: opml.Int32, Shape: []int{1 << 24}},
		{DType: opml.Int32, Shape: []int{1 << 24}},
	}, Nodes: []opml.Node{{Op: opml.OpReshape, Inputs: []int{0}, Output: 1}}, Outputs: []int{1}}
	_, err := opml.Decode(opml.Encode(big))
	wantFormatErr(t, "activations", err, opml.CodeTooLarge, "tensors")

	work := opml.Model{Consts: 1, Inputs: 2, Tensors: []opml.Tensor{
		{DType: opml.Int32, Shape: []int{4096}, Data: make([]byte, 4*4096)},
		{DType: opml.Int8, Shape: []int{4096, 4096}},
		{DType: opml.Int8, Shape: []int{4096, 4096}},
		{DType: opml.Int8, Shape: []int{4096, 4096}},
	}, Nodes: []opml.Node{{Op: opml.OpFullyConnected, Inputs: []int{1, 2, 0}, Output: 3, Params: []int32{1 << 30, 0}}}, Outputs: []int{3}}
	_, err = opml.Decode(opml.Encode(work))
	wantFormatErr(t, "work", err, opml.CodeTooLarge, "nodes")
}

// TestOPML_FMT_LIMITS_Allocation: a 24-byte header that declares many
// records makes Decode allocate nothing proportional to its claims.
func TestOPML_FMT_LIMITS_Allocation(t *testing.T) {
	b := append([]byte("OPML\x00\x01\x00\x00"), make([]byte, 16)...)
	binary.BigEndian.PutUint32(b[8:], 60000)
	binary.BigEndian.PutUint32(b[20:], 1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 100 {
		if _, err := opml.Decode(b); err == nil {
			t.Fatal("accepted")
		}
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 100; per > 4096 {
		t.Fatalf("Decode of a 24-byte header allocated %d bytes per call", per)
	}
}

// TestOPML_FMT_HASH: the content hash is keccak256 of the canonical
// encoding, and changing one weight changes it.
func TestOPML_FMT_HASH(t *testing.T) {
	m := exampleMLP()
	if m.Hash() != memory.Keccak256(opml.Encode(m)) {
		t.Fatal("Hash is not keccak256(Encode(m))")
	}
	mm := cloneModel(m)
	mm.Tensors[2].Data[5]++
	if mm.Hash() == m.Hash() {
		t.Fatal("changing a weight did not change the hash")
	}
}
