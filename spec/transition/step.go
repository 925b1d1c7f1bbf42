package transition

import (
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/state"
)

// Data is D in f(S_pre, D) -> S_post: everything a step may read that is not
// in the state. A nil Preimages oracle holds no preimage; a nil Tensors store
// holds no tensor. Only the OPcity profile reads Tensors.
type Data struct {
	Preimages PreimageOracle
	Tensors   TensorStore
}

// PreimageOracle serves preimages by key, exactly as the program wrote the
// key (a local key, type 1, is not localized). ok is false when the oracle
// does not hold the key.
type PreimageOracle interface {
	Preimage(key [32]byte) (value []byte, ok bool)
}

// PreimageMap is a PreimageOracle over a map, keyed by the raw key: the one
// map-backed oracle of the project (the CLI's --preimages file, witnesses,
// vectors and tests all use it).
type PreimageMap map[[32]byte][]byte

// Preimage implements PreimageOracle.
func (o PreimageMap) Preimage(k [32]byte) ([]byte, bool) { v, ok := o[k]; return v, ok }

// Step is StepIn(ProfileBase, pre, d): one Cannon step.
func Step(pre state.State, d Data) (state.State, error) {
	return StepIn(ProfileBase, pre, d)
}

// StepIn computes one step under profile p: the state that follows pre, given data d.
// It is a pure function: it never changes pre, panics, or reads anything but
// its arguments (INV-DETERMINISM, INV-TOTAL).
//
// The order is Cannon's (cannon/mipsevm/multithreaded/mips.go:271-359,
// with the empty-stack check of GetCurrentThread, state.go:113-122; and
// packages/contracts-bedrock/src/cannon/MIPS64.sol:126-148, 220-287):
//
//  1. an exited VM is returned unchanged, without a step increment (INV-EXITED-ABSORBING);
//  2. the active stack must hold a thread (ERR-EMPTY-STACK);
//  3. Step += 1;
//  4. an exited current thread is popped, and nothing else happens;
//  5. a thread that used its quantum is preempted, and nothing else happens;
//  6. StepsSinceLastContextSwitch += 1, then fetch, decode and execute;
//  7. the active stack of the result must hold a thread.
//
// On error StepIn returns pre unchanged and an *errors.Error whose Kind says
// whether the step has no post-state, needs more data, or was given input
// that contradicts its commitments. A p other than ProfileBase and
// ProfileOPcity fails with CodeUnknownProfile before anything else
// (PROF-EXPLICIT); the profile changes only the syscall table.
func StepIn(p Profile, pre state.State, d Data) (state.State, error) {
	if err := VerifyProfile(p); err != nil {
		return pre, err
	}
	if pre.Exited {
		return pre, nil
	}
	post, err := applyStep(p, pre, d)
	if err != nil {
		return pre, err
	}
	if err := verifyPostState(post); err != nil {
		return pre, err
	}
	return post, nil
}

func applyStep(p Profile, s state.State, d Data) (state.State, error) {
	if s.ActiveStack().IsEmpty() {
		return s, errors.New(errors.CodeEmptyThreadStack, "step %d", s.Step)
	}
	s.Step++
	t, err := s.CurrentThread()
	if err != nil {
		return s, err
	}
	if t.Exited {
		return ApplyPopThread(s)
	}
	if s.StepsSinceLastContextSwitch >= SchedQuantum {
		return ApplyPreempt(s, t)
	}
	s.StepsSinceLastContextSwitch++
	m := &machine{p: p, s: s, t: t, d: d}
	if err := m.execute(); err != nil {
		return s, err
	}
	if err := m.commitThread(); err != nil {
		return s, err
	}
	return m.s, nil
}

// execute fetches, decodes and executes the instruction at PC.
func (m *machine) execute() error {
	in, err := m.fetch()
	if err != nil {
		return err
	}
	return m.dispatch(in)
}

// fetch reads the instruction at PC: the upper half of the word at PC & ^7
// when PC & 4 == 0, else the lower half. PC & 3 != 0 fails with
// CodeUnalignedFetch (Cannon: mips.go:316-318; jumps do not check).
func (m *machine) fetch() (Instr, error) {
	pc := m.t.CPU.PC
	if pc&3 != 0 {
		return Instr{}, errors.New(errors.CodeUnalignedFetch, "PC = 0x%x", pc)
	}
	w, err := m.readWord(pc)
	if err != nil {
		return Instr{}, err
	}
	if pc&4 == 0 {
		w >>= 32
	}
	return Decode(uint32(w)), nil
}
