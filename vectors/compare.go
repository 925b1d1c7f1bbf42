package vectors

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/opcity-spec/opcity/spec/state"
)

// Outcome is what a client's one step gave, for Compare: whether it
// rejected the step, and otherwise its post-state witness (188 bytes), the
// encoding of the thread it stepped as it left it (298 bytes; nil when it
// removed the thread), and, if it holds memory, a reader of its post-state
// words. A client that keeps no thread apart from the post-state (a
// stateless verifier such as MIPS64.sol) sets NoThread: the thread is then
// checked only through the stack roots of post_state.
type Outcome struct {
	Rejected   bool
	PostState  []byte
	PostThread []byte
	NoThread   bool
	Word       func(addr uint64) uint64
}

// field is one named byte range of an encoding.
type field struct {
	name     string
	off, len int
}

// stateFields are the 188-byte witness's fields (state.Witness.Encode).
var stateFields = []field{
	{"mem_root", 0, 32}, {"preimage_key", 32, 32}, {"preimage_offset", 64, 8}, {"heap", 72, 8},
	{"ll_reservation_status", 80, 1}, {"ll_address", 81, 8}, {"ll_owner_thread", 89, 8},
	{"exit_code", 97, 1}, {"exited", 98, 1}, {"step", 99, 8}, {"steps_since_last_context_switch", 107, 8},
	{"traverse_right", 115, 1}, {"left_thread_stack", 116, 32}, {"right_thread_stack", 148, 32},
	{"next_thread_id", 180, 8},
}

// threadFields are the 298-byte thread encoding's fields (state.EncodeThread).
var threadFields = func() []field {
	fs := []field{{"id", 0, 8}, {"exit_code", 8, 1}, {"exited", 9, 1}, {"pc", 10, 8}, {"next_pc", 18, 8}, {"lo", 26, 8}, {"hi", 34, 8}}
	for i := range 32 {
		fs = append(fs, field{fmt.Sprintf("regs[%d]", i), 42 + 8*i, 8})
	}
	return fs
}()

// Compare returns what in o differs from the vector's expectation, one
// line per field, naming it: "rejected" (o rejected a step with a
// post-state, or stepped one the vector rejects), "post_state.<field>"
// (offsets of docs/spec.md), "post_thread.<field>" ("post_thread" alone
// when one side has the thread and the other has not), "memory[0x..]" for
// a written word o holds another value for. An empty result means o agrees
// with the vector in everything the vector records. A malformed vector is
// reported as such.
func Compare(v Vector, o Outcome) []string {
	if v.Error != nil {
		if !o.Rejected {
			return []string{fmt.Sprintf("rejected: the vector expects %s (%s), the client stepped", v.Error.Name, v.Error.Outcome)}
		}
		return nil
	}
	if o.Rejected {
		return []string{"rejected: the vector expects post-state " + v.PostStateHash + ", the client rejected the step"}
	}
	want, err := parseHex(v.PostState)
	if err != nil || len(want) != state.WitnessSize {
		return []string{fmt.Sprintf("malformed vector: post_state %.20q", v.PostState)}
	}
	out := diffFields("post_state", stateFields, want, o.PostState)
	out = append(out, comparePostThread(v, o)...)
	return append(out, compareWrites(v, o)...)
}

func comparePostThread(v Vector, o Outcome) []string {
	want, err := parseHex(v.PostThread)
	switch {
	case err != nil && v.PostThread != "":
		return []string{fmt.Sprintf("malformed vector: post_thread %.20q", v.PostThread)}
	case o.NoThread || v.PostThread == "" && o.PostThread == nil:
		return nil
	case v.PostThread == "" || o.PostThread == nil:
		return []string{fmt.Sprintf("post_thread: the vector has %d bytes, the client %d", len(want), len(o.PostThread))}
	}
	return diffFields("post_thread", threadFields, want, o.PostThread)
}

func compareWrites(v Vector, o Outcome) []string {
	if o.Word == nil {
		return nil
	}
	var out []string
	for _, w := range v.MemoryWrites {
		a, aerr := parseHex(w.Address)
		val, verr := parseHex(w.Value)
		if aerr != nil || verr != nil || len(a) != 8 || len(val) != 8 {
			return append(out, fmt.Sprintf("malformed vector: memory write %+v", w))
		}
		addr, want := binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(val)
		if got := o.Word(addr); got != want {
			out = append(out, fmt.Sprintf("memory[%#x]: want %#016x, client %#016x", addr, want, got))
		}
	}
	return out
}

// diffFields names each field of fs in which got differs from want; a got
// of the wrong length is one difference.
func diffFields(prefix string, fs []field, want, got []byte) []string {
	if len(got) != len(want) {
		return []string{fmt.Sprintf("%s: %d bytes, want %d", prefix, len(got), len(want))}
	}
	var out []string
	for _, f := range fs {
		w, g := want[f.off:f.off+f.len], got[f.off:f.off+f.len]
		if !bytes.Equal(w, g) {
			out = append(out, fmt.Sprintf("%s.%s: want 0x%x, client 0x%x", prefix, f.name, w, g))
		}
	}
	return out
}

// OutcomeOf is the Outcome of a step from pre to post (with its error) by
// an executor that holds whole states, as Compare reads it.
func OutcomeOf(pre, post state.State, err error) Outcome {
	if err != nil {
		return Outcome{Rejected: true}
	}
	enc := post.Witness().Encode()
	o := Outcome{PostState: enc[:], Word: func(addr uint64) uint64 { w, _ := post.Memory.Word(addr); return w }}
	if t, ok := SteppedThread(pre, post); ok && !pre.Exited {
		b := state.EncodeThread(t)
		o.PostThread = b[:]
	}
	return o
}
