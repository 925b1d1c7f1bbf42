package nodevm

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
	specerrors "github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
	"github.com/opcity-spec/opcity/vectors"
)

// pendingSyscall returns the syscall number (v0) and a0 of the instruction
// the current thread of s executes next, if it is a SYSCALL.
func pendingSyscall(s state.State) (num, a0 uint64, ok bool) {
	t, err := s.CurrentThread()
	if err != nil || s.Exited || t.Exited || s.StepsSinceLastContextSwitch >= transition.SchedQuantum {
		return 0, 0, false
	}
	w, err := s.Memory.Word(t.CPU.PC &^ 7)
	if err != nil {
		return 0, 0, false
	}
	if t.CPU.PC&4 == 0 {
		w >>= 32
	}
	if in := transition.Decode(uint32(w)); in.Opcode != 0 || in.Funct != 0x0C {
		return 0, 0, false
	}
	return t.CPU.Regs[2], t.CPU.Regs[4], true
}

// runUntil steps m in the spec under its profile with data d until stop(s)
// holds for the state about to be stepped (returned with true), or the
// program exits or a step fails (false, and the error).
func runUntil(t *testing.T, m *Machine, d spec.Data, stop func(state.State) bool) (bool, error) {
	t.Helper()
	s := m.State
	for !s.Exited {
		if stop(s) {
			m.State = s
			return true, nil
		}
		next, err := spec.AdvanceIn(m.Profile, s, d, nil)
		if err != nil {
			m.State = s
			return false, err
		}
		s, m.Steps = next, m.Steps+1
	}
	m.State = s
	return false, nil
}

// withReg returns s with register r of the current thread set to v: an
// injected fault, as a wrong VM step would make it.
func withReg(t *testing.T, s state.State, r int, v uint64) state.State {
	t.Helper()
	th, err := s.CurrentThread()
	if err != nil {
		t.Fatal(err)
	}
	th.CPU.Regs[r] = v
	if s.TraverseRight {
		s.RightThreads, err = s.RightThreads.ReplaceTop(th)
	} else {
		s.LeftThreads, err = s.LeftThreads.ReplaceTop(th)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// lyingStore serves every tensor with its first byte flipped.
type lyingStore struct{ inner *spec.Tensors }

func (l lyingStore) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	b, ok := l.inner.Tensor(root, log2size)
	if !ok {
		return nil, false
	}
	b = bytes.Clone(b)
	b[0] ^= 1
	return b, true
}

// TestERR_PROPAGATION injects each fault of docs/errors.md into the node
// program's run — under the base profile (program node) and the OPcity
// profile (program nodetensor), MLP node 3 on test image 0 — and checks the
// effect the table predicts: the VM status the run ends in, or the error
// (and its outcome) of the step that cannot be executed.
func TestERR_PROPAGATION(t *testing.T) {
	j := jobsOf(t, "mlp.opml", 0)[3]
	honest := WithClaim(NodeData(j.desc, j.ops), j.native)
	type result struct {
		status state.Status // when the run ends
		code   specerrors.Code
	}
	profiles := []struct {
		name    string
		prog    string
		profile transition.Profile
	}{{"base", NodeProgram, transition.ProfileBase}, {"opcity", TensorNodeProgram, transition.ProfileOPcity}}
	for _, p := range profiles {
		fresh := func(tensors transition.TensorStore) *Machine {
			if tensors == nil {
				tensors = spec.NewTensors(j.ops...)
			}
			return &Machine{State: programs[p.prog], Spec: true, Profile: p.profile, Tensors: tensors}
		}
		finish := func(m *Machine, o transition.PreimageOracle) result {
			err := m.Run(o, stepLimit)
			var se *specerrors.Error
			if errors.As(err, &se) {
				return result{code: se.Code}
			}
			if err != nil {
				t.Fatalf("%s: %v", p.name, err)
			}
			return result{status: state.StatusOf(m.State.Exited, m.State.ExitCode)}
		}
		check := func(fault string, got, want result) {
			t.Helper()
			if got != want {
				t.Errorf("%s, %s: status %s, error code %d; want status %s, code %d", p.name, fault, got.status, got.code, want.status, want.code)
			}
		}

		// No fault: the right claim ends VALID.
		check("none", finish(fresh(nil), honest), result{status: state.StatusValid})

		// 1. A wrong node output (the claim differs from the computed commitment): INVALID.
		bad := j.native
		bad[5] ^= 0x40
		check("wrong node output", finish(fresh(nil), WithClaim(NodeData(j.desc, j.ops), bad)), result{status: state.StatusInvalid})

		// 3. Missing tensor data: base reads operands as keccak preimages
		// (missing preimage), OPcity maps them from D's tensor store.
		noOperand := WithClaim(NodeData(j.desc, j.ops), j.native)
		delete(noOperand, guest.KeccakKey(j.desc.Operands[0].Keccak))
		want := result{code: specerrors.CodeMissingPreimage}
		if p.profile == transition.ProfileOPcity {
			want = result{code: specerrors.CodeMissingTensor}
			noOperand = honest
		}
		check("missing tensor data", finish(fresh(&spec.Tensors{}), noOperand), want)

		// 4. A malformed tensor: bytes that do not match the commitment.
		// Base: the oracle serves them under the operand's key (an oracle
		// that lies; on chain the preimage oracle refuses them) and the
		// program's own check exits 3: PANIC. OPcity: the step refuses them.
		lying := WithClaim(NodeData(j.desc, j.ops), j.native)
		tampered := bytes.Clone(j.ops[0])
		tampered[0] ^= 1
		lying[guest.KeccakKey(j.desc.Operands[0].Keccak)] = tampered
		want = result{status: state.StatusPanic}
		var store transition.TensorStore = spec.NewTensors(j.ops...)
		if p.profile == transition.ProfileOPcity {
			want, lying, store = result{code: specerrors.CodeBadTensor}, honest, lyingStore{spec.NewTensors(j.ops...)}
		}
		check("malformed tensor", finish(fresh(store), lying), want)

		// 5. Bad syscall arguments: at the first tensor_map (OPcity) or the
		// first oracle read (base), a0 is corrupted; the syscall returns an
		// error to the program (EINVAL, EBADF), which exits 3: PANIC.
		m := fresh(nil)
		target, arg := uint64(transition.SysRead), uint64(99) // read(99, …): EBADF
		if p.profile == transition.ProfileOPcity {
			target = transition.SysTensorMap
		}
		found, err := runUntil(t, m, spec.Data{Preimages: honest, Tensors: m.Tensors}, func(s state.State) bool {
			num, a0, ok := pendingSyscall(s)
			if ok && num == target && (target != transition.SysRead || a0 == transition.FdPreimageRead) {
				if target == transition.SysTensorMap {
					arg = a0 + 8 // unaligned region
				}
				return true
			}
			return false
		})
		if !found || err != nil {
			t.Fatalf("%s: syscall %d not reached: %v", p.name, target, err)
		}
		m.State = withReg(t, m.State, 4, arg)
		check("bad syscall arguments", finish(m, honest), result{status: state.StatusPanic})

		// 7. An unavailable preimage: the descriptor is missing.
		noDesc := WithClaim(NodeData(j.desc, j.ops), j.native)
		delete(noDesc, guest.KeccakKey(memory.Keccak256(j.desc.Encode())))
		check("unavailable preimage", finish(fresh(nil), noDesc), result{code: specerrors.CodeMissingPreimage})
	}

	// 2. A wrong VM step: the post-state a liar claims for one step (here
	// the first tensor_map under OPcity, the step after the prestate under
	// base) differs from what the stateless verifier computes from the
	// witness; the game's step counters the liar (docs/dispute.md §5).
	for _, p := range profiles {
		m := &Machine{State: programs[p.prog], Profile: p.profile, Spec: true, Tensors: spec.NewTensors(j.ops...)}
		d := spec.Data{Preimages: honest, Tensors: m.Tensors}
		if _, err := runUntil(t, m, d, func(s state.State) bool {
			num, _, ok := pendingSyscall(s)
			return ok && (num == transition.SysTensorMap || (p.profile == transition.ProfileBase && num == transition.SysRead))
		}); err != nil {
			t.Fatal(err)
		}
		post, w, err := spec.StepWithWitnessIn(p.profile, m.State, d)
		if err != nil {
			t.Fatal(err)
		}
		got, err := spec.VerifyStepIn(p.profile, w.State[:], w.Proof, [32]byte{}, d)
		lie := post.Hash()
		lie[31] ^= 1
		if err != nil || got != post.Hash() || got == lie {
			t.Errorf("%s, wrong VM step: verifier gives %s (%v), honest post %s", p.name, got, err, post.Hash())
		}
	}

	// 6. A panic inside a Go guest: the runtime exits with code 2, PANIC,
	// whatever the profile (examples/panic; the node programs exit through
	// the same runtime).
	elf, err := vectors.BuildExample(root, "panic", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		s, err := program.Load(elf)
		if err != nil {
			t.Fatal(err)
		}
		m := &Machine{State: s, Spec: true, Profile: p.profile}
		if err := m.Run(spec.PreimageMap{}, stepLimit); err != nil || state.StatusOf(m.State.Exited, m.State.ExitCode) != state.StatusPanic {
			t.Errorf("%s, panic in the guest: %v, exit %d", p.name, err, m.State.ExitCode)
		}
	}
}

// TestERR_PROPAGATION_Property: for a random profile, MLP node (1–3), test
// image (0–2) and fault of docs/errors.md — none, a wrong claim (any bit),
// a missing operand, a malformed operand (any byte flipped), an unavailable
// descriptor — the node program's run in fpvm ends as the table's VM column
// predicts.
func TestERR_PROPAGATION_Property(t *testing.T) {
	jobs := map[int][]nodeJob{}
	for image := range 3 {
		jobs[image] = jobsOf(t, "mlp.opml", image)
	}
	rapid.Check(t, func(rt *rapid.T) {
		opcity := rapid.Bool().Draw(rt, "opcity")
		j := jobs[rapid.IntRange(0, 2).Draw(rt, "image")][rapid.IntRange(1, 3).Draw(rt, "node")]
		fault := rapid.SampledFrom([]string{"none", "wrong claim", "missing operand", "malformed operand", "unavailable descriptor"}).Draw(rt, "fault")
		prog, profile := programs[NodeProgram], transition.ProfileBase
		if opcity {
			prog, profile = programs[TensorNodeProgram], transition.ProfileOPcity
		}
		claim := j.native
		o := NodeData(j.desc, j.ops)
		var store transition.TensorStore = spec.NewTensors(j.ops...)
		type outcome struct {
			status state.Status
			code   specerrors.Code
		}
		want := outcome{status: state.StatusValid}
		switch fault {
		case "wrong claim":
			bit := rapid.IntRange(0, 255).Draw(rt, "bit")
			claim[bit/8] ^= 1 << (bit % 8)
			want = outcome{status: state.StatusInvalid}
		case "missing operand":
			i := rapid.IntRange(0, len(j.ops)-1).Draw(rt, "operand")
			if opcity {
				store = spec.NewTensors(append(slices.Clone(j.ops[:i]), j.ops[i+1:]...)...)
				want = outcome{code: specerrors.CodeMissingTensor}
			} else {
				delete(o, guest.KeccakKey(j.desc.Operands[i].Keccak))
				want = outcome{code: specerrors.CodeMissingPreimage}
			}
			if slices.ContainsFunc(j.ops, func(b []byte) bool { return bytes.Equal(b, j.ops[i]) && &b[0] != &j.ops[i][0] }) {
				rt.Skip("another operand has the same bytes")
			}
		case "malformed operand":
			i := rapid.IntRange(0, len(j.ops)-1).Draw(rt, "operand")
			bad := bytes.Clone(j.ops[i])
			bad[rapid.IntRange(0, len(bad)-1).Draw(rt, "byte")] ^= byte(rapid.IntRange(1, 255).Draw(rt, "mask"))
			if opcity {
				store = lyingStoreOf(j.ops, i, bad)
				want = outcome{code: specerrors.CodeBadTensor}
			} else {
				o[guest.KeccakKey(j.desc.Operands[i].Keccak)] = bad
				want = outcome{status: state.StatusPanic}
			}
		case "unavailable descriptor":
			delete(o, guest.KeccakKey(memory.Keccak256(j.desc.Encode())))
			want = outcome{code: specerrors.CodeMissingPreimage}
		}
		m := &Machine{State: prog, Profile: profile, Tensors: store}
		err := m.Run(WithClaim(o, claim), stepLimit)
		var got outcome
		var se *specerrors.Error
		switch {
		case errors.As(err, &se):
			got.code = se.Code
		case err != nil:
			rt.Fatal(err)
		default:
			got.status = state.StatusOf(m.State.Exited, m.State.ExitCode)
		}
		if got != want {
			rt.Fatalf("%s under %s: status %s, code %d; want status %s, code %d", fault, profile, got.status, got.code, want.status, want.code)
		}
	})
}

// lyingStoreOf serves the operands, but operand i as bad under its root.
func lyingStoreOf(ops [][]byte, i int, bad []byte) transition.TensorStore {
	return badOperandStore{inner: spec.NewTensors(ops...), root: opml.ComputeTensorRoot(ops[i]), log2: opml.TensorLog2Size(len(ops[i])), bad: bad}
}

type badOperandStore struct {
	inner *spec.Tensors
	root  memory.Hash
	log2  uint
	bad   []byte
}

func (s badOperandStore) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	if root == s.root && log2size == s.log2 {
		return s.bad, true
	}
	return s.inner.Tensor(root, log2size)
}
