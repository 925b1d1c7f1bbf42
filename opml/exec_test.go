package opml_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
)

// genInput draws the bytes of a model's single int8 input.
func genInput(t *rapid.T, m opml.Model) []byte {
	n := m.Tensors[m.Consts].ByteSize()
	return opml.Int8Bytes(genInt8s(n).Draw(t, "input"))
}

// trace runs m with the given number of goroutines.
func trace(t rapid.TB, m opml.Model, workers int, inputs ...[]byte) opml.Trace {
	e, err := opml.NewExecutor(m, workers)
	if err != nil {
		t.Fatalf("NewExecutor: %v", err)
	}
	tr, err := e.Trace(inputs...)
	if err != nil {
		t.Fatalf("Trace: %v", err)
	}
	return tr
}

// TestOPML_EXEC_DETERMINISM: outputs, commitments and graph states do not
// depend on the number of goroutines, and Infer gives Trace's outputs.
func TestOPML_EXEC_DETERMINISM(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		in := genInput(t, m)
		want := trace(t, m, 1, in)
		for _, w := range []int{2, 3, 8} {
			if got := trace(t, m, w, in); !reflect.DeepEqual(got, want) {
				t.Fatalf("trace with %d goroutines differs from the trace with 1", w)
			}
		}
		e, _ := opml.NewExecutor(m, 4)
		out, err := e.Infer(in)
		if err != nil || !reflect.DeepEqual(out, want.Outputs) {
			t.Fatalf("Infer = %v, %v; want Trace's outputs", out, err)
		}
	})
}

// TestOPML_EXEC: the executor wires each node to its kernel as the reference
// does: every node output of a random model equals the reference kernel
// applied to the reference values of its operands.
func TestOPML_EXEC(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		in := genInput(t, m)
		out, _, err := opml.Run(m, in)
		if err != nil {
			t.Fatal(err)
		}
		vals := refRun(m, in)
		for i, id := range m.Outputs {
			if !slices.Equal(out[i].Data, vals[id]) {
				t.Fatalf("node output %d (%s) = %x, reference %x", id, m.Nodes[id-m.FirstNodeTensor()].Op, out[i].Data, vals[id])
			}
		}
	})
}

// refRun evaluates a model with the reference kernels and returns every
// tensor's canonical bytes.
func refRun(m opml.Model, in []byte) [][]byte {
	vals := make([][]byte, len(m.Tensors))
	for i, c := range m.Tensors[:m.Consts] {
		vals[i] = c.Data
	}
	vals[m.Consts] = in
	i8 := func(id int) []int8 { return opml.Tensor{Data: vals[id]}.Int8s() }
	i32 := func(id int) []int32 { return opml.Tensor{Data: vals[id]}.Int32s() }
	for _, n := range m.Nodes {
		ts, x, y := m.Tensors, m.Tensors[n.Inputs[0]], m.Tensors[n.Output]
		if b, ok := refTransformer(m, n, vals); ok {
			vals[n.Output] = b
			continue
		}
		var out []int8
		switch n.Op {
		case opml.OpFullyConnected:
			w := ts[n.Inputs[1]]
			k := opml.FC{N: x.Shape[0], K: x.Shape[1], M: w.Shape[0], ZeroX: x.Quant.Zero, ZeroW: w.Quant.Zero,
				ZeroY: y.Quant.Zero, Out: opml.Fixed{Mult: n.Params[0], Shift: n.Params[1]}}
			out = refFC(k, i8(n.Inputs[0]), i8(n.Inputs[1]), i32(n.Inputs[2]))
		case opml.OpConv2D:
			f := ts[n.Inputs[1]]
			p := n.Params
			k := opml.Conv2D{N: x.Shape[0], H: x.Shape[1], W: x.Shape[2], C: x.Shape[3], OC: f.Shape[0],
				Win: opml.Window{KH: f.Shape[1], KW: f.Shape[2], StrideH: int(p[2]), StrideW: int(p[3]),
					PadTop: int(p[4]), PadLeft: int(p[5]), PadBottom: int(p[6]), PadRight: int(p[7])},
				ZeroX: x.Quant.Zero, ZeroF: f.Quant.Zero, ZeroY: y.Quant.Zero, Out: opml.Fixed{Mult: p[0], Shift: p[1]}}
			out = refConv2D(k, i8(n.Inputs[0]), i8(n.Inputs[1]), i32(n.Inputs[2]))
		case opml.OpAdd:
			k := opml.Add{Len: len(vals[n.Inputs[0]]), ZeroA: x.Quant.Zero, ZeroB: ts[n.Inputs[1]].Quant.Zero,
				ZeroY: y.Quant.Zero, MultA: n.Params[0], MultB: n.Params[1], Shift: n.Params[2]}
			out = refAdd(k, i8(n.Inputs[0]), i8(n.Inputs[1]))
		case opml.OpReLU:
			for _, v := range i8(n.Inputs[0]) {
				out = append(out, int8(max(int32(v), x.Quant.Zero)))
			}
		case opml.OpMaxPool2D:
			p := n.Params
			k := opml.MaxPool2D{N: x.Shape[0], H: x.Shape[1], W: x.Shape[2], C: x.Shape[3],
				Win: opml.Window{KH: int(p[0]), KW: int(p[1]), StrideH: int(p[2]), StrideW: int(p[3]),
					PadTop: int(p[4]), PadLeft: int(p[5]), PadBottom: int(p[6]), PadRight: int(p[7])}}
			out = refMaxPool2D(k, i8(n.Inputs[0]))
		case opml.OpReshape:
			vals[n.Output] = vals[n.Inputs[0]]
			continue
		case opml.OpArgMax:
			vals[n.Output] = opml.Int32Bytes(refArgMax(i8(n.Inputs[0]), x.Shape[len(x.Shape)-1]))
			continue
		}
		vals[n.Output] = opml.Int8Bytes(out)
	}
	return vals
}

// refArgMax returns the first index of the maximum of each row of k elements.
func refArgMax(x []int8, k int) []int32 {
	var out []int32
	for r := 0; r < len(x)/k; r++ {
		best := 0
		for j := 1; j < k; j++ {
			if x[r*k+j] > x[r*k+best] {
				best = j
			}
		}
		out = append(out, int32(best))
	}
	return out
}

// TestOPML_KERNEL_RESHAPE: Reshape (and Flatten) keep the bytes, and so the
// commitment, and change only the declared shape.
func TestOPML_KERNEL_RESHAPE(t *testing.T) {
	b := &opml.Builder{}
	x := b.Input(opml.Int8, []int{1, 2, 3, 2}, opml.Quant{Zero: 5})
	f := b.Flatten(x)
	r := b.Reshape(f, []int{3, 4})
	m, err := b.Build(f, r)
	if err != nil {
		t.Fatal(err)
	}
	in := seq(12)
	e, _ := opml.NewExecutor(m, 2)
	tr, err := e.Trace(in)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.Outputs[0].Shape, []int{1, 12}) || !slices.Equal(tr.Outputs[1].Shape, []int{3, 4}) {
		t.Fatalf("shapes %v, %v", tr.Outputs[0].Shape, tr.Outputs[1].Shape)
	}
	for i, o := range tr.Outputs {
		if !slices.Equal(o.Data, in) || tr.States[i].Output != opml.ComputeTensorRoot(in) || o.Quant.Zero != 5 {
			t.Fatalf("output %d: %x, want the input bytes and quantization", i, o.Data)
		}
	}
}

// TestOPML_EXEC_Errors: bad inputs and invalid models are errors, not panics.
func TestOPML_EXEC_Errors(t *testing.T) {
	m := exampleMLP()
	var ie *opml.InputError
	if _, _, err := opml.Run(m); !errors.As(err, &ie) || ie.Index != -1 {
		t.Errorf("no input: %v", err)
	}
	if _, _, err := opml.Run(m, exampleInput, exampleInput); !errors.As(err, &ie) || ie.Index != -1 {
		t.Errorf("two inputs: %v", err)
	}
	if _, _, err := opml.Run(m, exampleInput[:3]); !errors.As(err, &ie) || ie.Index != 0 || ie.Want != 4 {
		t.Errorf("short input: %v", err)
	}
	var fe *opml.FormatError
	if _, _, err := opml.Run(opml.Model{}); !errors.As(err, &fe) {
		t.Errorf("empty model: %v", err)
	}
	for _, mu := range modelMutations {
		mm := cloneModel(m)
		mu.edit(&mm)
		if _, err := opml.NewExecutor(mm, 2); !errors.As(err, &fe) {
			t.Errorf("%s: NewExecutor gave %v", mu.name, err)
		}
	}
}

// TestOPML_EXEC_Example prints the worked example of docs/opml.md (run with
// -v) and pins its values.
func TestOPML_EXEC_Example(t *testing.T) {
	m := exampleMLP()
	tr := trace(t, m, 1, exampleInput)
	t.Logf("T = %d tensors, table log2size %d, model hash %s", len(m.Tensors), opml.GraphTableLog2Size(len(m.Tensors)), m.Hash())
	for id, c := range tr.Commitments {
		t.Logf("commitment[%d] = %s", id, c)
	}
	t.Logf("initial state   = %s", tr.Initial)
	for _, s := range tr.States {
		t.Logf("after node %d (%s): output %s, state %s", s.Node, m.Nodes[s.Node].Op, s.Output, s.Root)
	}
	for i, o := range tr.Outputs {
		t.Logf("output %d: %s %v = %x", m.Outputs[i], o.DType, o.Shape, o.Data)
	}
	got := []string{tr.Initial.String()}
	for _, s := range tr.States {
		got = append(got, s.Root.String())
	}
	if !slices.Equal(got, exampleStates) {
		t.Errorf("graph states %q, docs/opml.md shows %q", got, exampleStates)
	}
	if y := tr.Outputs[0].Int8s(); !slices.Equal(y, exampleLogits) || tr.Outputs[1].Int32s()[0] != exampleClass {
		t.Errorf("outputs %v, %v; docs/opml.md shows %v, %d", y, tr.Outputs[1].Int32s(), exampleLogits, exampleClass)
	}
}

// The worked example's results as docs/opml.md shows them.
var (
	exampleStates = []string{
		"0x5454c3b7b3bab5503038f14a20bda4babdc4c4a101a667959aa7637b1c495e4a", // initial: constants and input
		"0x97dbf83d47986dec34bde23af08809f18a4ac795364523fffe88000f61620c6a", // after node 0, FC
		"0x1d2a3bcc17e1816eeedff3b26bef48dd68552007a3780066aa7ff7c19d1f9507", // after node 1, ReLU
		"0x5140fd87338a679500cc59f153b8df58d2c423237edf6f3744855a75f9c856dd", // after node 2, FC
		"0x27b2e57f071a3630258243dd61b1d5175ad582b2ad8941d9638344aecaf3af97", // after node 3, ArgMax
	}
	exampleLogits = []int8{3, 22}
	exampleClass  = int32(1)
)

// TestOPML_EXEC_DETERMINISM_Batch: TraceBatch over several runs returns
// exactly the Trace of each run, and rejects a batch with one bad run.
func TestOPML_EXEC_DETERMINISM_Batch(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := genModel(t)
		n := rapid.IntRange(0, 6).Draw(t, "runs")
		e, err := opml.NewExecutor(m, rapid.IntRange(1, 3).Draw(t, "workers"))
		if err != nil {
			t.Fatal(err)
		}
		runs := make([][][]byte, n)
		for i := range runs {
			runs[i] = [][]byte{genInput(t, m)}
		}
		got, err := e.TraceBatch(runs)
		if err != nil || len(got) != n {
			t.Fatalf("TraceBatch: %d traces, %v", len(got), err)
		}
		for i, in := range runs {
			want, err := e.Trace(in...)
			if err != nil || !reflect.DeepEqual(got[i], want) {
				t.Fatalf("run %d: TraceBatch differs from Trace (%v)", i, err)
			}
		}
		if _, err := e.TraceBatch(append(runs, [][]byte{})); err == nil {
			t.Fatal("TraceBatch with a run missing its input: no error")
		}
	})
}
