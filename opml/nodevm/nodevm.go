// Package nodevm runs the opML VM programs — the node program and the
// whole-inference program (subfolders node and infer) — in the spec: it
// builds them for mips64, prepares the data D they read (local keys and
// keccak256 preimages), runs them to exit and reads their verdicts
// (docs/opml.md §7). The differential tests of the opML issue
// (OPML-NODE-DIFF) live here.
package nodevm

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/internal/mipsbuild"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
	specerrors "github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// The import paths of the two VM programs, relative to the repository root.
const (
	NodeProgram  = "./opml/nodevm/node"
	InferProgram = "./opml/nodevm/infer"
)

// Build compiles the program at pkg (NodeProgram or InferProgram) in the
// repository at root with mipsbuild.Build (MIPS64, -trimpath, the pinned
// toolchain), into dir, and returns its initial state.
func Build(root, pkg, dir string) (state.State, error) {
	elf, err := mipsbuild.Build(root, pkg, dir)
	if err != nil {
		return state.State{}, err
	}
	return program.Load(elf)
}

// NodeData returns the oracle the node program reads for descriptor d with
// the given operand bytes: the descriptor's keccak256 under local key 1,
// the descriptor and each operand under their keccak256 keys. The claim is
// not included; add it with WithClaim.
func NodeData(d opml.NodeDescriptor, operands [][]byte) spec.PreimageMap {
	o := spec.PreimageMap{}
	raw := d.Encode()
	h := memory.Keccak256(raw)
	o[guest.LocalKey(guest.LocalDescriptor)] = h[:]
	o[guest.KeccakKey(h)] = raw
	for _, data := range operands {
		k := memory.Keccak256(data)
		o[guest.KeccakKey(k)] = data
	}
	return o
}

// WithClaim returns a copy of o with the claimed output commitment under
// local key 2.
func WithClaim(o spec.PreimageMap, claim memory.Hash) spec.PreimageMap {
	c := make(spec.PreimageMap, len(o)+1)
	for k, v := range o {
		c[k] = v
	}
	c[guest.LocalKey(guest.LocalClaim)] = claim[:]
	return c
}

// InferData returns the oracle the whole-inference program reads: the
// keccak256 of the model file and of the input under local keys 1 and 2,
// and both under their keccak256 keys.
func InferData(model, input []byte) spec.PreimageMap {
	o := spec.PreimageMap{}
	for id, v := range map[byte][]byte{guest.LocalModel: model, guest.LocalInput: input} {
		h := memory.Keccak256(v)
		o[guest.LocalKey(id)] = h[:]
		o[guest.KeccakKey(h)] = v
	}
	return o
}

// Machine is a VM program part-way through its run: its state, the steps
// it has taken and what it has written to stdout. Its state is persistent
// between calls, so a Machine can be copied and each copy continued with
// different data (the claim is read last, so one run serves every claim).
type Machine struct {
	State  state.State
	Steps  uint64
	Stdout []byte
	// Spec runs the reference spec instead of fpvm (the default), which is
	// held to the spec step by step (FPVM-LOCKSTEP, FPVM-PROFILE) and much
	// faster.
	Spec bool
	// Profile is the profile the steps run under: ProfileBase (the zero
	// value) for the node program, ProfileOPcity for the tensor node
	// program, with Tensors as D's tensor store.
	Profile transition.Profile
	Tensors transition.TensorStore
}

// ErrStepLimit reports a run that did not exit within its step budget.
var ErrStepLimit = errors.New("nodevm: step limit reached before exit")

// Run steps m with data d until the program exits, at most max steps. It
// stops at the first step the VM cannot execute and returns that
// *errors.Error (for example CodeMissingPreimage when d lacks a key), with
// m at the state before that step. Errors: *specerrors.Error, ErrStepLimit.
func (m *Machine) Run(d transition.PreimageOracle, max uint64) error {
	if m.State.Exited {
		return nil
	}
	var out bytes.Buffer
	out.Write(m.Stdout)
	defer func() { m.Stdout = out.Bytes() }()
	show := func(e transition.Effects) {
		if e.Fd == transition.FdStdout {
			out.Write(e.Data)
		}
	}
	if m.Steps >= max {
		return ErrStepLimit
	}
	data := spec.Data{Preimages: d, Tensors: m.Tensors}
	if m.Executor() == "spec" {
		return m.runSpec(data, max, show)
	}
	vm, err := fpvm.FromStateIn(m.Profile, m.State)
	if err != nil {
		return err
	}
	vm.Observe = show
	n, err := vm.Run(data, max-m.Steps)
	m.Steps += n
	m.State = vm.State()
	if err == nil && !m.State.Exited {
		return ErrStepLimit
	}
	return err
}

// Executor names the executor Run uses: "spec" when Spec is set, else
// "fpvm" (which implements both profiles, FPVM-PROFILE).
func (m *Machine) Executor() string {
	if m.Spec {
		return "spec"
	}
	return "fpvm"
}

// runSpec is Run in the spec.
func (m *Machine) runSpec(data spec.Data, max uint64, show func(transition.Effects)) error {
	s := m.State.Transient(&memory.Edit{})
	defer func() { m.State = s.Persistent() }()
	for !s.Exited {
		if m.Steps >= max {
			return ErrStepLimit
		}
		next, err := spec.AdvanceIn(m.Profile, s, data, show)
		if err != nil {
			return err
		}
		s = next
		m.Steps++
	}
	return nil
}

// TensorNodeProgram is the import path of the node program on the OPcity
// profile's tensor syscalls.
const TensorNodeProgram = "./opml/nodevm/nodetensor"

// RunToOracle steps m, with no data at all, until the program first reads
// the preimage oracle (the spec reports the missing local key 1 and leaves
// the state as it was): the state after the Go runtime has started and the
// program has written its first oracle key. Nothing before it reads D, so it
// is the same for every node and claim and can serve as the program's
// committed absolute prestate (docs/opml.md §7.5). Errors: ErrStepLimit, or
// any error of the spec other than the missing preimage.
func (m *Machine) RunToOracle(max uint64) error {
	err := m.Run(nil, max)
	if MissingKey(err) {
		return nil
	}
	if err == nil {
		return fmt.Errorf("nodevm: the program exited without reading the oracle")
	}
	return err
}

// MissingKey reports whether err is the spec's missing-preimage error.
func MissingKey(err error) bool {
	var e *specerrors.Error
	return errors.As(err, &e) && e.Code == specerrors.CodeMissingPreimage
}

var outputLine = regexp.MustCompile(`(?m)^output (0x[0-9a-f]{64})$`)

// Output returns the commitment the node program printed.
func (m *Machine) Output() (memory.Hash, bool) {
	match := outputLine.FindSubmatch(m.Stdout)
	if match == nil {
		return memory.Hash{}, false
	}
	var h memory.Hash
	_, err := hex.Decode(h[:], match[1][2:])
	return h, err == nil
}
