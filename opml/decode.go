package opml

import (
	"encoding/binary"
	"fmt"
)

// Decode parses a model encoded as [Encode] describes and validates it
// (requirements OPML-FMT-REJECT, OPML-FMT-LIMITS, OPML-FMT-CANONICAL). It
// accepts only canonical encodings, so Encode(m) == b for every m it
// returns. It never panics, and it allocates only after checking that the
// bytes it is about to read are present: the header's counts against the
// remaining length (each record has a minimum size), and each data length
// against the remaining bytes, so the allocation is O(len(b)).
//
// Errors (*FormatError): CodeTooLarge for an input over MaxModelBytes or a
// limit exceeded; CodeTruncated, CodeTrailing; CodeBadMagic, CodeBadVersion,
// CodeReserved; CodeBadID for a tensor id other than its index; CodeBadOp and
// CodeBadArity for node headers; CodeBadDataLength; and every error of
// [Model.Validate] (Offset −1) for a well-formed file whose model is inconsistent.
func Decode(b []byte) (Model, error) {
	if len(b) > MaxModelBytes {
		return Model{}, &FormatError{Code: CodeTooLarge, Field: "file", Offset: 0,
			Detail: fmt.Sprintf("%d bytes, limit %d", len(b), MaxModelBytes)}
	}
	r := &reader{b: b}
	m, err := r.model()
	if err != nil {
		return Model{}, err
	}
	if err := m.Validate(); err != nil {
		return Model{}, err
	}
	return m, nil
}

// reader reads big-endian fields from b, tracking the offset.
type reader struct {
	b   []byte
	off int
}

// fail returns a *FormatError at offset off.
func (r *reader) fail(c FormatCode, field string, off int, format string, args ...any) *FormatError {
	return &FormatError{Code: c, Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}

// take returns the next n bytes. Errors: CodeTruncated if fewer remain.
func (r *reader) take(n int, field string) ([]byte, error) {
	if n < 0 || n > len(r.b)-r.off {
		return nil, r.fail(CodeTruncated, field, r.off, "need %d bytes, %d left", n, len(r.b)-r.off)
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s, nil
}

// u32s reads n big-endian uint32 fields as ints (nil for n = 0).
func (r *reader) u32s(n int, field string) ([]int, error) {
	s, err := r.take(4*n, field)
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]int, n)
	for i := range out {
		out[i] = int(binary.BigEndian.Uint32(s[4*i:]))
	}
	return out, nil
}

// i32s reads n big-endian int32 fields (nil for n = 0).
func (r *reader) i32s(n int, field string) ([]int32, error) {
	s, err := r.take(4*n, field)
	if err != nil || n == 0 {
		return nil, err
	}
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(binary.BigEndian.Uint32(s[4*i:]))
	}
	return out, nil
}

// model reads the header and every record, then checks nothing trails.
func (r *reader) model() (Model, error) {
	counts, err := r.header()
	if err != nil {
		return Model{}, err
	}
	c, in, n, o := counts[0], counts[1], counts[2], counts[3]
	m := Model{Consts: c, Inputs: in, Tensors: make([]Tensor, c+in+n), Nodes: make([]Node, n)}
	for id := range m.Tensors {
		if m.Tensors[id], err = r.tensor(id, id < c); err != nil {
			return Model{}, err
		}
	}
	for k := range m.Nodes {
		if m.Nodes[k], err = r.node(k); err != nil {
			return Model{}, err
		}
	}
	if m.Outputs, err = r.u32s(o, "outputs"); err != nil {
		return Model{}, err
	}
	if r.off != len(r.b) {
		return Model{}, r.fail(CodeTrailing, "file", r.off, "%d bytes after the outputs", len(r.b)-r.off)
	}
	return m, nil
}

// header reads and checks the 24-byte header and returns C, I, N, O after
// checking that T = C+I+N <= MaxTensors, 1 <= O <= T, and that the remaining
// bytes can hold T minimal tensor records, N minimal node records and O ids.
func (r *reader) header() ([4]int, error) {
	var counts [4]int
	h, err := r.take(HeaderSize, "header")
	if err != nil {
		return counts, err
	}
	if string(h[:4]) != Magic {
		return counts, r.fail(CodeBadMagic, "header.magic", 0, "%q", h[:4])
	}
	if v := binary.BigEndian.Uint16(h[4:]); v != Version {
		return counts, r.fail(CodeBadVersion, "header.version", 4, "%d, want %d", v, Version)
	}
	if v := binary.BigEndian.Uint16(h[6:]); v != 0 {
		return counts, r.fail(CodeReserved, "header.reserved", 6, "%#x", v)
	}
	for i := range counts {
		counts[i] = int(binary.BigEndian.Uint32(h[8+4*i:]))
	}
	return counts, r.checkCounts(counts)
}

// checkCounts checks the header counts against the limits and the remaining bytes.
func (r *reader) checkCounts(counts [4]int) error {
	c, in, n, o := counts[0], counts[1], counts[2], counts[3]
	t := c + in + n // each < 2^32, so no overflow in a 64-bit int
	if t > MaxTensors {
		return r.fail(CodeTooLarge, "header.counts", 8, "%d tensors, limit %d", t, MaxTensors)
	}
	if o < 1 || o > t {
		return r.fail(CodeBadOutputs, "header.outputs", 20, "%d outputs, want 1 to %d", o, t)
	}
	need := t*minTensorRecord + n*minNodeRecord + 4*o
	if left := len(r.b) - r.off; need > left {
		return r.fail(CodeTruncated, "header.counts", 8, "records need at least %d bytes, %d left", need, left)
	}
	return nil
}

// tensor reads tensor record id; a constant carries its data.
func (r *reader) tensor(id int, isConst bool) (Tensor, error) {
	start, f := r.off, "tensor["+itoa(int64(id))+"]"
	h, err := r.take(8, f)
	if err != nil {
		return Tensor{}, err
	}
	if got := int(binary.BigEndian.Uint32(h)); got != id {
		return Tensor{}, r.fail(CodeBadID, f+".id", start, "%d, want %d", got, id)
	}
	if v := binary.BigEndian.Uint16(h[6:]); v != 0 {
		return Tensor{}, r.fail(CodeReserved, f+".reserved", start+6, "%#x", v)
	}
	t, err := r.tensorDecl(f, start, DType(h[4]), int(h[5]))
	if err != nil {
		return Tensor{}, err
	}
	t.Data, err = r.tensorData(f, t, isConst)
	return t, err
}

// tensorDecl reads the dims and quantization of a tensor record and checks
// them with checkTensorDecl, reporting errors at the record's offset.
func (r *reader) tensorDecl(f string, start int, d DType, rank int) (Tensor, error) {
	if rank < 1 || rank > MaxRank {
		return Tensor{}, r.fail(CodeBadShape, f+".rank", start+5, "rank %d outside [1, %d]", rank, MaxRank)
	}
	shape, err := r.u32s(rank, f+".shape")
	if err != nil {
		return Tensor{}, err
	}
	q, err := r.i32s(3, f+".quant")
	if err != nil {
		return Tensor{}, err
	}
	t := Tensor{DType: d, Shape: shape, Quant: Quant{Zero: q[0], Scale: Fixed{q[1], q[2]}}}
	if err := checkTensorDecl(f, t); err != nil {
		if fe, ok := err.(*FormatError); ok {
			fe.Offset = start
		}
		return Tensor{}, err
	}
	return t, nil
}

// tensorData reads the data length and, for a constant, a copy of the data.
func (r *reader) tensorData(f string, t Tensor, isConst bool) ([]byte, error) {
	at := r.off
	l, err := r.u32s(1, f+".length")
	if err != nil {
		return nil, err
	}
	want := 0
	if isConst {
		want = t.ByteSize()
	}
	if l[0] != want {
		return nil, r.fail(CodeBadDataLength, f+".data", at, "length %d, want %d", l[0], want)
	}
	if want == 0 {
		return nil, nil
	}
	s, err := r.take(want, f+".data")
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), s...), nil
}

// node reads node record k.
func (r *reader) node(k int) (Node, error) {
	start, f := r.off, "node["+itoa(int64(k))+"]"
	h, err := r.take(8, f)
	if err != nil {
		return Node{}, err
	}
	n := Node{Op: Op(h[0]), Output: int(binary.BigEndian.Uint32(h[4:]))}
	if !n.Op.IsKnown() {
		return Node{}, r.fail(CodeBadOp, f+".op", start, "%s", n.Op)
	}
	if int(h[1]) != n.Op.Arity() || int(h[2]) != n.Op.ParamCount() {
		return Node{}, r.fail(CodeBadArity, f, start+1, "%s with %d inputs and %d params, want %d and %d",
			n.Op, h[1], h[2], n.Op.Arity(), n.Op.ParamCount())
	}
	if h[3] != 0 {
		return Node{}, r.fail(CodeReserved, f+".reserved", start+3, "%#x", h[3])
	}
	if n.Inputs, err = r.u32s(int(h[1]), f+".inputs"); err != nil {
		return Node{}, err
	}
	n.Params, err = r.i32s(int(h[2]), f+".params")
	return n, err
}
