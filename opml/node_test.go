package opml_test

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec/memory"
)

// TestOPML_COMMIT_TENSOR_Flat: ComputeTensorRoot, the flat computation
// (memory.ComputeRegionRoot) the node program uses inside the VM, equals
// the RegionRoot of the tensor written into an empty memory trie.
func TestOPML_COMMIT_TENSOR_Flat(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := genData(t)
		want, err := memory.Memory{}.SetBytes(0, data).RegionRoot(0, opml.TensorLog2Size(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if got := opml.ComputeTensorRoot(data); got != want {
			t.Fatalf("ComputeTensorRoot(%d bytes) = %s, the trie's RegionRoot %s", len(data), got, want)
		}
	})
}

// TestOPML_NODE_APPLY: for every node of random models on random
// inputs, the descriptor round-trips through its encoding, and applying it
// to the operands gives the node's output bytes and commitment as the whole
// model's trace has them (OPML-NODE-APPLY).
func TestOPML_NODE_APPLY(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		in := genInput(t, m)
		e, err := opml.NewExecutor(m, 1)
		if err != nil {
			t.Fatal(err)
		}
		tensors, err := e.Tensors(in)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := e.Trace(in)
		if err != nil {
			t.Fatal(err)
		}
		for k, n := range m.Nodes {
			d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
			if err != nil {
				t.Fatalf("node %d: %v", k, err)
			}
			raw := d.Encode()
			back, err := opml.DecodeNodeDescriptor(raw)
			if err != nil || !reflect.DeepEqual(back, d) {
				t.Fatalf("node %d: decode(encode) = %+v, %v", k, back, err)
			}
			out, root, err := back.Apply(ops)
			if err != nil {
				t.Fatalf("node %d: Apply: %v", k, err)
			}
			if !bytes.Equal(out, tensors[n.Output]) || root != tr.States[k].Output {
				t.Fatalf("node %d (%s): Apply gives %x / %s, the model run %x / %s", k, n.Op, out, root, tensors[n.Output], tr.States[k].Output)
			}
		}
	})
}

// TestOPML_NODE_DESCRIPTOR_Reject: malformed descriptors get the format
// error code that names the fault, and operands that do not match the
// descriptor get an *OperandError.
func TestOPML_NODE_DESCRIPTOR_Reject(t *testing.T) {
	m := exampleMLP()
	e, _ := opml.NewExecutor(m, 1)
	in := make([]byte, 4)
	tensors, err := e.Tensors(in)
	if err != nil {
		t.Fatal(err)
	}
	d, ops, err := opml.NodeDescriptorOf(m, 0, tensors)
	if err != nil {
		t.Fatal(err)
	}
	good := d.Encode()
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	withGraph := func(g opml.Model) []byte {
		bad := d
		bad.Graph = g
		return bad.Encode()
	}
	twoOutputs := d.Graph
	twoOutputs.Outputs = []int{0, len(d.Operands)}
	for _, c := range []struct {
		name string
		b    []byte
		want opml.FormatCode
	}{
		{"empty", nil, opml.CodeTruncated},
		{"header only", good[:opml.NodeHeaderSize], opml.CodeTruncated},
		{"magic", edit(func(b []byte) []byte { b[0] = 'X'; return b }), opml.CodeBadMagic},
		{"version", edit(func(b []byte) []byte { b[5] = 2; return b }), opml.CodeBadVersion},
		{"reserved", edit(func(b []byte) []byte { b[7] = 1; return b }), opml.CodeReserved},
		{"no operands", edit(func(b []byte) []byte { b[47] = 0; return b }), opml.CodeBadArity},
		{"operand count past the records", edit(func(b []byte) []byte { b[47] = 3; return b[:opml.NodeHeaderSize+100] }), opml.CodeTruncated},
		{"trailing byte", append(bytes.Clone(good), 0), opml.CodeTrailing},
		{"operands disagree with the graph", edit(func(b []byte) []byte {
			b[47] = 2
			return append(b[:opml.NodeHeaderSize+128], good[opml.NodeHeaderSize+192:]...)
		}), opml.CodeBadCount},
		{"graph with two outputs", withGraph(twoOutputs), opml.CodeBadOutputs},
		{"whole model as graph", withGraph(m), opml.CodeBadCount},
	} {
		_, err := opml.DecodeNodeDescriptor(c.b)
		var fe *opml.FormatError
		if !errors.As(err, &fe) || fe.Code != c.want {
			t.Errorf("%s: %v, want code %s", c.name, err, c.want)
		}
	}
	short := [][]byte{ops[0][:len(ops[0])-1], ops[1], ops[2]}
	flipped := [][]byte{ops[0], bytes.Clone(ops[1]), ops[2]}
	flipped[1][0] ^= 1
	for name, operands := range map[string][][]byte{"short": short, "changed": flipped, "missing": ops[:2]} {
		_, _, err := d.Apply(operands)
		var oe *opml.OperandError
		if !errors.As(err, &oe) {
			t.Errorf("Apply with a %s operand: %v, want *OperandError", name, err)
		}
	}
}
