package evm

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	stderrors "errors"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/vectors"
)

var updateKnown = flag.Bool("evm.update", false, "rewrite testdata/known-differences.json from knownCases and chainModel")

// knownFilePath is the committed vector file of the known differences
// (docs/evm.md, Known differences: the file).
const knownFilePath = "testdata/known-differences.json"

// knownFile is the vector file of the known differences between
// spec.VerifyStep and MIPS64.sol.
type knownFile struct {
	Version     int          `json:"version"`
	Description string       `json:"description"`
	Cases       []knownEntry `json:"cases"`
}

// knownEntry is one pre-state with both verifiers' behaviour on it.
type knownEntry struct {
	Name string `json:"name"`
	// Vector is the conformance vector the pre-state is built from (its
	// witness with Mutation applied); absent for a state built whole.
	Vector   string         `json:"vector,omitempty"`
	Mutation *knownMutation `json:"mutation,omitempty"`
	Rule     string         `json:"rule"`
	// Witness is the pre-state in the fields of a witness file
	// (docs/formats/witness.md), without post_state_hash; the state need
	// not decode.
	Witness format.WitnessJSON `json:"witness"`
	Spec    knownSpecResult    `json:"spec"`
	MIPS64  knownResult        `json:"mips64"`
}

// knownMutation is the non-canonical byte set on the vector's witness.
type knownMutation struct {
	Field string `json:"field"`
	// Offset is the byte's offset in the state (InThread false) or in the
	// proof's thread (InThread true: the active stack root is recomputed
	// over the changed thread).
	Offset   int  `json:"offset"`
	InThread bool `json:"in_thread"`
	// SwapStacks: the left and right stack roots are exchanged first.
	SwapStacks bool `json:"swap_stacks"`
	Value      byte `json:"value"`
	// Canonical is the value MIPS64.sol reads the byte as.
	Canonical byte `json:"canonical"`
}

// knownSpecResult is spec.VerifyStep's result: a post-state hash or an
// error.
type knownSpecResult struct {
	PostStateHash string         `json:"post_state_hash,omitempty"`
	Error         *vectors.Error `json:"error,omitempty"`
}

// knownResult is MIPS64.sol's result: a post-state hash or a revert reason.
type knownResult struct {
	PostStateHash string `json:"post_state_hash,omitempty"`
	Revert        string `json:"revert,omitempty"`
}

// The rules an entry's MIPS64.sol result comes from.
var ruleNames = map[chainReads]string{carries: "carries", consumes: "consumes", rejects: "rejects"}

const ruleExitedEmptyStack = "exited-empty-stack"

// knownEntries returns the entries of the file as the spec and the model
// give them today: for each knownCase the mutated vector witness, the
// spec's error, and MIPS64.sol's post-state from chainModel (or the case's
// revert reason, where both reject); then the two exited VMs with an empty
// active stack (TestEVM_KNOWN_DIFF_ExitedEmptyStack). MIPS64.sol is not run:
// its results here are the model's, which TestEVM_KNOWN_DIFF holds it to.
func knownEntries(t *testing.T) []knownEntry {
	t.Helper()
	byName := vectorsByName(t)
	var out []knownEntry
	for _, c := range knownCases {
		v, ok := byName[c.vector]
		if !ok {
			t.Fatalf("%s: no vector %s", c.name(), c.vector)
		}
		out = append(out, caseEntry(t, c, v))
	}
	for _, right := range []bool{false, true} {
		enc, proof := exitedEmptyStack(right)
		w := format.Witness{State: enc[:], Proof: proof, Oracle: spec.PreimageMap{}}
		out = append(out, knownEntry{
			Name: fmt.Sprintf("exited-empty-stack/traverseRight=%d", b2i(right)), Rule: ruleExitedEmptyStack,
			Witness: witnessOf(w, "", "", 0), Spec: specResultOf(w),
			MIPS64: knownResult{Revert: revertExitedEmptyStack},
		})
	}
	seen := map[string]bool{}
	for _, e := range out {
		if seen[e.Name] {
			t.Fatalf("two entries named %s", e.Name)
		}
		seen[e.Name] = true
	}
	return out
}

// caseEntry is c's entry: vector v's witness with c's mutation, the spec's
// error (which must be CodeInvalidField), and MIPS64.sol's post-state from
// chainModel, or c's revert reason where both reject.
func caseEntry(t *testing.T, c knownCase, v vectors.Vector) knownEntry {
	t.Helper()
	w := c.m.apply(t, v)
	e := knownEntry{
		Name: c.name(), Vector: c.vector, Rule: ruleNames[c.reads],
		Mutation: &knownMutation{Field: c.m.field, Offset: c.m.off, InThread: c.m.inThread, SwapStacks: c.m.swap, Value: c.m.value, Canonical: c.canonical},
		Witness:  witnessOf(w, v.PreimageKey, v.PreimageValue, v.PreimageOffset),
		Spec:     specResultOf(w),
	}
	if e.Spec.Error == nil || e.Spec.Error.Code != uint16(errors.CodeInvalidField) {
		t.Fatalf("%s: spec gives %s, want %s", e.Name, describeSpecResult(e.Spec), errors.CodeInvalidField)
	}
	if c.reads == rejects {
		e.MIPS64.Revert = c.revert
		return e
	}
	want := expectedChainPost(t, e.Name, c, v)
	e.MIPS64.PostStateHash = format.Hex(want[:])
	return e
}

// name is the case's name in the file and in failures: the vector, the
// field and its value, and "/stacks-swapped" when the stack roots are
// exchanged first.
func (c knownCase) name() string {
	n := fmt.Sprintf("%s/%s=%d", c.vector, c.m.field, c.m.value)
	if c.m.swap {
		n += "/stacks-swapped"
	}
	return n
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// vectorsByName reads the committed conformance vectors by name.
func vectorsByName(t *testing.T) map[string]vectors.Vector {
	t.Helper()
	files, err := vectors.Read("../../../vectors/testdata")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]vectors.Vector{}
	for _, f := range files {
		for _, v := range f.Vectors {
			byName[v.Name] = v
		}
	}
	return byName
}

// witnessOf is w in the file's fields: the step as the state bytes hold it,
// the state hash as MIPS64.sol computes it from the raw bytes (witnessHash).
func witnessOf(w format.Witness, key, value string, offset uint64) format.WitnessJSON {
	return format.WitnessJSON{
		Step: binary.BigEndian.Uint64(w.State[99:]), State: format.Hex(w.State),
		StateHash: format.Hex(witnessHashOf(w.State)), Proof: format.Hex(w.Proof),
		LocalContext: format.Hex(w.LocalContext[:]), PreimageKey: key, PreimageValue: value, PreimageOffset: offset,
	}
}

func witnessHashOf(b []byte) []byte {
	h := witnessHash([state.WitnessSize]byte(b))
	return h[:]
}

// specResultOf is spec.VerifyStep's result on w.
func specResultOf(w format.Witness) knownSpecResult {
	got, err := spec.VerifyStep(w.State, w.Proof, w.LocalContext, spec.Data{Preimages: w.Oracle})
	if err == nil {
		return knownSpecResult{PostStateHash: got.String()}
	}
	var e *errors.Error
	if !stderrors.As(err, &e) {
		return knownSpecResult{Error: &vectors.Error{Name: err.Error()}}
	}
	return knownSpecResult{Error: &vectors.Error{Code: uint16(e.Code), Name: e.Code.String(), Outcome: errors.OutcomeOf(err).String()}}
}

// encodeKnownFile is the file's bytes for entries.
func encodeKnownFile(entries []knownEntry) ([]byte, error) {
	f := knownFile{Version: 1, Description: "Pre-states on which spec.VerifyStep and MIPS64.sol behave differently (and their neighbours where both reject), each with both behaviours; docs/evm.md, Known differences.", Cases: entries}
	b, err := json.MarshalIndent(f, "", " ")
	return append(b, '\n'), err
}

// TestEVM_KNOWN_DIFF_Committed: testdata/known-differences.json is exactly
// what knownEntries gives today (the spec's results, and MIPS64.sol's from
// the model); -evm.update rewrites it.
func TestEVM_KNOWN_DIFF_Committed(t *testing.T) {
	want, err := encodeKnownFile(knownEntries(t))
	if err != nil {
		t.Fatal(err)
	}
	if *updateKnown {
		if err := os.WriteFile(knownFilePath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(knownFilePath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from what the spec and the model give (%d bytes committed, %d generated); if the change is meant, regenerate: cd conformance/cannon && go test ./evm -run 'TestEVM_KNOWN_DIFF_Committed$' -evm.update", knownFilePath, len(got), len(want))
	}
}

// readKnownFile reads the committed file.
func readKnownFile(t *testing.T) knownFile {
	t.Helper()
	raw, err := os.ReadFile(knownFilePath)
	if err != nil {
		t.Fatal(err)
	}
	var f knownFile
	if err := format.DecodeStrict(raw, &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != 1 || len(f.Cases) == 0 {
		t.Fatalf("%s: version %d, %d cases", knownFilePath, f.Version, len(f.Cases))
	}
	return f
}

// replayKnown runs e's witness through spec.VerifyStep and MIPS64.sol and
// returns "" when each does what the entry records, or the difference.
func replayKnown(h *Harness, e knownEntry) string {
	w, err := e.Witness.Parse()
	if err != nil {
		return fmt.Sprintf("witness: %v", err)
	}
	if got := specResultOf(w); !equalSpecResult(got, e.Spec) {
		return fmt.Sprintf("spec.VerifyStep gives %s, the file records %s", describeSpecResult(got), describeSpecResult(e.Spec))
	}
	r, err := h.Step(InputOf(w))
	if err != nil {
		return err.Error()
	}
	switch {
	case e.MIPS64.Revert != "" && (!r.Reverted || r.RevertReason != e.MIPS64.Revert):
		return fmt.Sprintf("MIPS64.sol reverted=%v %q %x, the file records revert %q", r.Reverted, r.RevertReason, r.PostStateHash, e.MIPS64.Revert)
	case e.MIPS64.Revert == "" && (r.Reverted || format.Hex(r.PostStateHash[:]) != e.MIPS64.PostStateHash):
		return fmt.Sprintf("MIPS64.sol %x reverted=%v %q, the file records %s", r.PostStateHash, r.Reverted, r.RevertReason, e.MIPS64.PostStateHash)
	}
	return ""
}

func equalSpecResult(a, b knownSpecResult) bool {
	if a.Error == nil || b.Error == nil {
		return a.Error == nil && b.Error == nil && a.PostStateHash == b.PostStateHash
	}
	return *a.Error == *b.Error && a.PostStateHash == b.PostStateHash
}

func describeSpecResult(r knownSpecResult) string {
	if r.Error != nil {
		return fmt.Sprintf("error %d %q (%s)", r.Error.Code, r.Error.Name, r.Error.Outcome)
	}
	return "post-state " + r.PostStateHash
}
