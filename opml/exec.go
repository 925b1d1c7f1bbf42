package opml

import (
	"encoding/binary"
	"slices"
	"sync"

	"github.com/opcity-spec/opcity/spec/memory"
)

// GraphState is the committed state of a run after node Node: Output is the
// commitment to the node's output tensor (ComputeTensorRoot of its bytes) and
// Root the graph-state root (ComputeGraphRoot over the commitments of tensors
// 0..C+I+Node).
type GraphState struct {
	Node   int
	Output memory.Hash
	Root   memory.Hash
}

// Trace is everything a run commits to: the model outputs, the commitment
// of every tensor by id (constants, inputs, node outputs), the graph-state
// root before node 0 (constants and inputs only) and the state after each node.
type Trace struct {
	Outputs     []Tensor
	Commitments []memory.Hash
	Initial     memory.Hash
	States      []GraphState
}

// Run runs a model on one canonical byte string per input tensor, with one
// goroutine, and returns the outputs (in m.Outputs order) and the graph
// state after each node (requirements OPML-EXEC, OPML-COMMIT-GRAPH).
// Errors: the *FormatError of m.Validate, or *InputError.
func Run(m Model, inputs ...[]byte) ([]Tensor, []GraphState, error) {
	e, err := NewExecutor(m, 1)
	if err != nil {
		return nil, nil, err
	}
	tr, err := e.Trace(inputs...)
	return tr.Outputs, tr.States, err
}

// Executor runs one validated model many times. It decodes the constants and
// computes their commitments once. Its methods may be called from several
// goroutines at once; m must not be modified while the Executor is in use.
type Executor struct {
	m       Model
	workers int
	consts  []value

	// The constants' commitments, computed on the first Trace (Infer
	// never needs them, and the VM's whole-inference program runs Infer).
	once  sync.Once
	table memory.RegionTree // graph-state table with the constants' entries set
	roots []memory.Hash
}

// value is a tensor's elements in typed form: i8 for int8, i32 for int32.
// Values are never written after they are computed, so Reshape shares them.
type value struct {
	i8  []int8
	i32 []int32
}

// NewExecutor validates m and returns an Executor that splits each node's
// output elements over up to workers goroutines (fewer than 1 means 1). The
// outputs and commitments do not depend on workers (requirement
// OPML-EXEC-DETERMINISM). Errors: the *FormatError of m.Validate.
func NewExecutor(m Model, workers int) (*Executor, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	e := &Executor{m: m, workers: max(workers, 1)}
	for _, t := range m.Tensors[:m.Consts] {
		e.consts = append(e.consts, decodeValue(t.DType, t.Data))
	}
	return e, nil
}

// commitConsts computes the constants' commitments and their graph table once.
func (e *Executor) commitConsts() {
	e.once.Do(func() {
		e.table = newGraphTable(len(e.m.Tensors))
		k := new(memory.PairHasher)
		for id, t := range e.m.Tensors[:e.m.Consts] {
			e.roots = append(e.roots, tensorRoot(k, t.Data))
			e.table.Set(k, id, e.roots[id])
		}
	})
}

// Tensors runs the model and returns the canonical bytes of every tensor by
// id: constants, inputs, then node outputs (what a node descriptor's
// operands are made of). Errors: *InputError.
func (e *Executor) Tensors(inputs ...[]byte) ([][]byte, error) {
	vals, err := e.eval(inputs, nil)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, len(vals))
	for id, v := range vals {
		out[id] = encodeValue(e.m.Tensors[id].DType, v)
	}
	return out, nil
}

// Infer runs the model and returns its outputs without computing any
// commitment. Errors: *InputError.
func (e *Executor) Infer(inputs ...[]byte) ([]Tensor, error) {
	vals, err := e.eval(inputs, nil)
	if err != nil {
		return nil, err
	}
	return e.outputs(vals), nil
}

// Trace runs the model and returns its outputs with every commitment.
// Errors: *InputError.
func (e *Executor) Trace(inputs ...[]byte) (Trace, error) {
	if err := e.checkInputs(inputs); err != nil {
		return Trace{}, err
	}
	e.commitConsts()
	nodes := make([][]byte, 0, len(e.m.Nodes))
	vals, err := e.eval(inputs, func(_, _ int, data []byte) { nodes = append(nodes, data) })
	if err != nil {
		return Trace{}, err
	}
	tr := e.commit(new(memory.PairHasher), inputs, nodes)
	tr.Outputs = e.outputs(vals)
	return tr, nil
}

// TraceBatch runs the model once per element of runs (each the inputs of
// one run) and returns one Trace per run, equal to Trace of that run
// (requirement OPML-EXEC-DETERMINISM). It computes the kernels of run i+1
// while a second goroutine computes the commitments of run i, so on two
// cores a batch costs about what Infer costs: the hashing overlaps the
// inference instead of following it. Errors: *InputError for the first run
// whose inputs are wrong (no traces are returned).
func (e *Executor) TraceBatch(runs [][][]byte) ([]Trace, error) {
	for _, inputs := range runs {
		if err := e.checkInputs(inputs); err != nil {
			return nil, err
		}
	}
	e.commitConsts()
	type done struct {
		i       int
		outputs []Tensor
		nodes   [][]byte // node k's output bytes
	}
	work := make(chan done, 4)
	traces := make([]Trace, len(runs))
	var wg sync.WaitGroup
	wg.Go(func() {
		h := new(memory.PairHasher)
		for d := range work {
			traces[d.i] = e.commit(h, runs[d.i], d.nodes)
			traces[d.i].Outputs = d.outputs
		}
	})
	for i, inputs := range runs {
		nodes := make([][]byte, 0, len(e.m.Nodes))
		vals, _ := e.eval(inputs, func(_, _ int, data []byte) { nodes = append(nodes, data) }) // inputs checked above
		work <- done{i: i, outputs: e.outputs(vals), nodes: nodes}
	}
	close(work)
	wg.Wait()
	return traces, nil
}

// commit returns the commitments and graph states of a run from its inputs
// and its node outputs' bytes, hashing with h.
func (e *Executor) commit(h *memory.PairHasher, inputs, nodes [][]byte) Trace {
	tr := Trace{Commitments: slices.Clone(e.roots)}
	g := e.table.Clone()
	for i, in := range inputs {
		tr.Commitments = append(tr.Commitments, tensorRoot(h, in))
		g.Set(h, e.m.Consts+i, tr.Commitments[e.m.Consts+i])
	}
	tr.Initial = g.Root()
	for k, data := range nodes {
		c := tensorRoot(h, data)
		tr.Commitments = append(tr.Commitments, c)
		g.Set(h, e.m.Nodes[k].Output, c)
		tr.States = append(tr.States, GraphState{Node: k, Output: c, Root: g.Root()})
	}
	return tr
}

// eval checks the inputs, then computes every node in order; after node k it
// calls onNode (if not nil) with k, the output id and the output's bytes.
func (e *Executor) eval(inputs [][]byte, onNode func(k, id int, data []byte)) ([]value, error) {
	if err := e.checkInputs(inputs); err != nil {
		return nil, err
	}
	vals := make([]value, len(e.m.Tensors))
	copy(vals, e.consts)
	for i, in := range inputs {
		vals[e.m.Consts+i] = decodeValue(e.m.Tensors[e.m.Consts+i].DType, in)
	}
	for k, n := range e.m.Nodes {
		vals[n.Output] = e.apply(n, vals)
		if onNode != nil {
			onNode(k, n.Output, encodeValue(e.m.Tensors[n.Output].DType, vals[n.Output]))
		}
	}
	return vals, nil
}

// checkInputs fails unless there is one input per input tensor, each exactly
// as long as the tensor's canonical bytes. Errors: *InputError.
func (e *Executor) checkInputs(inputs [][]byte) error {
	if len(inputs) != e.m.Inputs {
		return &InputError{Index: -1, Want: e.m.Inputs, Got: len(inputs)}
	}
	for i, in := range inputs {
		if want := e.m.Tensors[e.m.Consts+i].ByteSize(); len(in) != want {
			return &InputError{Index: i, Want: want, Got: len(in)}
		}
	}
	return nil
}

// outputs returns the model's output tensors with their bytes.
func (e *Executor) outputs(vals []value) []Tensor {
	out := make([]Tensor, len(e.m.Outputs))
	for i, id := range e.m.Outputs {
		t := e.m.Tensors[id]
		out[i] = Tensor{DType: t.DType, Shape: slices.Clone(t.Shape), Quant: t.Quant, Data: encodeValue(t.DType, vals[id])}
	}
	return out
}

// apply computes node n from the values of its inputs.
func (e *Executor) apply(n Node, vals []value) value {
	if v, ok := e.applyTransformer(n, vals); ok {
		return v
	}
	if v, ok := e.applyAccumulate(n, vals); ok {
		return v
	}
	ts, in := e.m.Tensors, func(i int) value { return vals[n.Inputs[i]] }
	switch n.Op {
	case OpFullyConnected:
		k := fcOf(ts, n)
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, in(1).i8, in(2).i32, lo, hi) })
		return value{i8: y}
	case OpConv2D:
		k := conv2DOf(ts, n)
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, in(1).i8, in(2).i32, lo, hi) })
		return value{i8: y}
	case OpAdd:
		k := addOf(ts, n)
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, in(1).i8, lo, hi) })
		return value{i8: y}
	case OpReLU:
		k := ReLU{Len: len(in(0).i8), Zero: ts[n.Inputs[0]].Quant.Zero}
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, lo, hi) })
		return value{i8: y}
	case OpMaxPool2D:
		k := maxPool2DOf(ts, n)
		y := make([]int8, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, lo, hi) })
		return value{i8: y}
	case OpArgMax:
		k := argMaxOf(ts, n)
		y := make([]int32, k.Size())
		e.parallel(len(y), func(lo, hi int) { k.compute(y, in(0).i8, lo, hi) })
		return value{i32: y}
	}
	return in(0) // OpReshape: the same elements in the same order
}

// parallel calls fn over [0, n) split into up to e.workers contiguous ranges,
// one goroutine each, and waits for all of them.
func (e *Executor) parallel(n int, fn func(lo, hi int)) {
	w := min(e.workers, n)
	if w <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + w - 1) / w
	for lo := 0; lo < n; lo += chunk {
		wg.Go(func() { fn(lo, min(lo+chunk, n)) })
	}
	wg.Wait()
}

// decodeValue returns the elements of canonical bytes data of type d.
func decodeValue(d DType, data []byte) value {
	if d == Int32 {
		v := make([]int32, len(data)/4)
		for i := range v {
			v[i] = int32(binary.BigEndian.Uint32(data[4*i:]))
		}
		return value{i32: v}
	}
	v := make([]int8, len(data))
	for i, b := range data {
		v[i] = int8(b)
	}
	return value{i8: v}
}

// encodeValue returns the canonical bytes of v, a value of type d.
func encodeValue(d DType, v value) []byte {
	if d == Int32 {
		return Int32Bytes(v.i32)
	}
	return Int8Bytes(v.i8)
}

// Int8Bytes returns the canonical bytes of int8 elements: each as one byte,
// two's complement.
func Int8Bytes(v []int8) []byte {
	out := make([]byte, len(v))
	for i, x := range v {
		out[i] = byte(x)
	}
	return out
}

// Int32Bytes returns the canonical bytes of int32 elements: each as 4
// bytes, big-endian two's complement.
func Int32Bytes(v []int32) []byte {
	out := make([]byte, 0, 4*len(v))
	for _, x := range v {
		out = binary.BigEndian.AppendUint32(out, uint32(x))
	}
	return out
}

// Int8s returns the elements of the canonical bytes of an int8 tensor.
func (t Tensor) Int8s() []int8 { return decodeValue(Int8, t.Data).i8 }

// Int32s returns the elements of the canonical bytes of an int32 tensor
// (a trailing partial element is ignored).
func (t Tensor) Int32s() []int32 { return decodeValue(Int32, t.Data).i32 }
