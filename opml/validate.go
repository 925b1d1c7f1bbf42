package opml

import "slices"

// Validate checks everything a model must satisfy to run (requirements
// OPML-FMT-REJECT, OPML-FMT-LIMITS): the canonical id layout, each tensor's
// dtype, shape, quantization and data length, each node's op, arity,
// parameters and operand types and shapes, that each node reads only earlier
// tensors and declares exactly the output its op derives, the limits, and the
// outputs. [Decode] returns only models that pass, and [NewExecutor] refuses
// models that do not, so a validated model runs without error or panic.
// Errors: *FormatError with Offset −1.
func (m Model) Validate() error {
	if err := m.checkCounts(); err != nil {
		return err
	}
	for id, t := range m.Tensors {
		if err := checkTensor(id, t, id < m.Consts); err != nil {
			return err
		}
	}
	work := 0
	for k := range m.Nodes {
		w, err := m.checkNode(k)
		if err != nil {
			return err
		}
		work = satAdd(work, w, MaxWork+1)
	}
	if work > MaxWork {
		return formatErr(CodeTooLarge, "nodes", "work exceeds %d", MaxWork)
	}
	if err := m.checkActivations(); err != nil {
		return err
	}
	return m.checkOutputs()
}

// checkCounts checks the id layout: len(Tensors) = Consts+Inputs+len(Nodes)
// within MaxTensors, and at least one output.
func (m Model) checkCounts() error {
	if m.Consts < 0 || m.Inputs < 0 {
		return formatErr(CodeBadCount, "header", "negative counts %d, %d", m.Consts, m.Inputs)
	}
	if m.Consts > MaxTensors || m.Inputs > MaxTensors || len(m.Nodes) > MaxTensors ||
		m.Consts+m.Inputs+len(m.Nodes) > MaxTensors {
		return formatErr(CodeTooLarge, "header", "more than %d tensors", MaxTensors)
	}
	if want := m.Consts + m.Inputs + len(m.Nodes); len(m.Tensors) != want {
		return formatErr(CodeBadCount, "tensors", "%d tensors, want consts+inputs+nodes = %d", len(m.Tensors), want)
	}
	if len(m.Outputs) < 1 || len(m.Outputs) > len(m.Tensors) {
		return formatErr(CodeBadOutputs, "outputs", "%d outputs, want 1 to %d", len(m.Outputs), len(m.Tensors))
	}
	return nil
}

// checkTensor checks tensor id's declaration and its data: a constant's data
// is exactly ByteSize() bytes, any other tensor has none.
func checkTensor(id int, t Tensor, isConst bool) error {
	f := "tensor[" + itoa(int64(id)) + "]"
	if err := checkTensorDecl(f, t); err != nil {
		return err
	}
	want := 0
	if isConst {
		want = t.ByteSize()
	}
	if len(t.Data) != want {
		return formatErr(CodeBadDataLength, f+".data", "%d bytes, want %d", len(t.Data), want)
	}
	return nil
}

// checkTensorDecl checks a declaration: a known dtype, rank in [1, MaxRank],
// dimensions in [1, MaxDim], at most MaxElements elements, and quantization
// (int8: zero in [−128, 127]; int32: zero 0; scale valid, and shift 0 when
// the multiplier is 0 so that "unspecified" has one encoding).
func checkTensorDecl(f string, t Tensor) error {
	if t.DType.Size() == 0 {
		return formatErr(CodeBadDType, f+".dtype", "%s", t.DType)
	}
	if len(t.Shape) < 1 || len(t.Shape) > MaxRank {
		return formatErr(CodeBadShape, f+".rank", "rank %d outside [1, %d]", len(t.Shape), MaxRank)
	}
	for i, d := range t.Shape {
		if d < 1 || d > MaxDim {
			return formatErr(CodeBadShape, f+".shape["+itoa(int64(i))+"]", "%d outside [1, %d]", d, MaxDim)
		}
	}
	if t.Elements() > MaxElements {
		return formatErr(CodeTooLarge, f+".shape", "%v has more than %d elements", t.Shape, MaxElements)
	}
	return checkQuant(f+".quant", t.DType, t.Quant)
}

// checkQuant checks q for a tensor of type d.
func checkQuant(f string, d DType, q Quant) error {
	if d == Int8 && (q.Zero < -128 || q.Zero > 127) {
		return formatErr(CodeBadQuant, f+".zero", "%d outside [-128, 127]", q.Zero)
	}
	if d == Int32 && q.Zero != 0 {
		return formatErr(CodeBadQuant, f+".zero", "%d, int32 tensors have zero point 0", q.Zero)
	}
	if !q.Scale.IsValid() || (q.Scale.Mult == 0 && q.Scale.Shift != 0) {
		return formatErr(CodeBadQuant, f+".scale", "%+v", q.Scale)
	}
	return nil
}

// checkNode checks node k and returns its work (multiply-accumulates or
// comparisons).
func (m Model) checkNode(k int) (int, error) {
	n, f := m.Nodes[k], "node["+itoa(int64(k))+"]"
	if !n.Op.IsKnown() {
		return 0, formatErr(CodeBadOp, f+".op", "%s", n.Op)
	}
	if len(n.Inputs) != n.Op.Arity() || len(n.Params) != n.Op.ParamCount() {
		return 0, formatErr(CodeBadArity, f, "%s with %d inputs and %d params, want %d and %d",
			n.Op, len(n.Inputs), len(n.Params), n.Op.Arity(), n.Op.ParamCount())
	}
	if n.Output != m.FirstNodeTensor()+k {
		return 0, formatErr(CodeBadID, f+".output", "%d, want consts+inputs+%d = %d", n.Output, k, m.FirstNodeTensor()+k)
	}
	if err := m.checkInputIDs(f, n); err != nil {
		return 0, err
	}
	decl := m.Tensors[n.Output]
	got, err := deriveOutput(m.Tensors, n, decl.Quant, decl.Shape, f)
	if err != nil {
		return 0, err
	}
	if err := sameDecl(f+".output", got, decl); err != nil {
		return 0, err
	}
	return nodeWork(m.Tensors, n), nil
}

// checkInputIDs checks that every input of n names a tensor written before n.
func (m Model) checkInputIDs(f string, n Node) error {
	for i, id := range n.Inputs {
		fi := f + ".inputs[" + itoa(int64(i)) + "]"
		if id < 0 || id >= len(m.Tensors) {
			return formatErr(CodeDanglingID, fi, "tensor %d does not exist", id)
		}
		if id >= n.Output {
			return formatErr(CodeNotTopological, fi, "tensor %d is not written before tensor %d", id, n.Output)
		}
	}
	return nil
}

// sameDecl fails unless the declared output has the derived dtype, shape and
// quantization.
func sameDecl(f string, want, decl Tensor) error {
	if decl.DType != want.DType {
		return formatErr(CodeBadDType, f, "declared %s, op gives %s", decl.DType, want.DType)
	}
	if !slices.Equal(decl.Shape, want.Shape) {
		return formatErr(CodeBadShape, f, "declared %v, op gives %v", decl.Shape, want.Shape)
	}
	if decl.Quant != want.Quant {
		return formatErr(CodeBadQuant, f, "declared %+v, op requires %+v", decl.Quant, want.Quant)
	}
	return nil
}

// checkActivations bounds the bytes a run allocates for inputs and node outputs.
func (m Model) checkActivations() error {
	if m.activationBytes() > MaxActivationBytes {
		return formatErr(CodeTooLarge, "tensors", "inputs and node outputs exceed %d bytes", MaxActivationBytes)
	}
	return nil
}

// checkOutputs checks that the outputs name tensors in strictly increasing order.
func (m Model) checkOutputs() error {
	for i, id := range m.Outputs {
		f := "outputs[" + itoa(int64(i)) + "]"
		if id < 0 || id >= len(m.Tensors) {
			return formatErr(CodeDanglingID, f, "tensor %d does not exist", id)
		}
		if i > 0 && id <= m.Outputs[i-1] {
			return formatErr(CodeBadOutputs, f, "%d not after %d", id, m.Outputs[i-1])
		}
	}
	return nil
}
