// Package vectors generates the OPcity conformance vectors: single steps
// with everything a stateless verifier needs — pre-state, proof, preimage,
// local context — and the expected post-state hash or the expected error.
// The spec generates them (never by hand); docs/formats/vectors.md is the
// schema; `opcity vectors --out DIR` writes them and testdata/ holds the
// committed set, which a test keeps equal to what Generate produces.
package vectors

import (
	"encoding/binary"
	stderrors "errors"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Version is the vector schema version.
const Version = 1

// Vector is one step to verify. Exactly one of PostStateHash and Error is set;
// PostState, PostThread and MemoryWrites (or MemoryRegion) come with
// PostStateHash: what a client's post-state must hold, field by field
// (Compare names the fields that differ).
type Vector struct {
	Name           string `json:"name"`
	Group          string `json:"group"`
	Description    string `json:"description"`
	Mnemonic       string `json:"mnemonic,omitempty"`
	Syscall        uint64 `json:"syscall,omitempty"`
	State          string `json:"state"`
	StateHash      string `json:"state_hash"`
	Proof          string `json:"proof"`
	LocalContext   string `json:"local_context"`
	PreimageKey    string `json:"preimage_key,omitempty"`
	PreimageValue  string `json:"preimage_value,omitempty"`
	PreimageOffset uint64 `json:"preimage_offset,omitempty"`
	PostStateHash  string `json:"post_state_hash,omitempty"`
	// PostState is the post-state's 188-byte witness.
	PostState string `json:"post_state,omitempty"`
	// PostThread is the 298-byte encoding of the thread the step ran, as
	// the step left it (on whichever stack it now is); absent when the step
	// removed it (popping an exited thread) and on an exited VM.
	PostThread string `json:"post_thread,omitempty"`
	// MemoryWrites are the words whose value the step changed, ascending by
	// address; absent when it changed none, and for a tensor_map, whose
	// change is MemoryRegion.
	MemoryWrites []MemoryWrite `json:"memory_writes,omitempty"`
	// MemoryRegion is the region a tensor_map step bound: its address,
	// size and post-state root.
	MemoryRegion *MemoryRegion `json:"memory_region,omitempty"`
	Error        *Error        `json:"error,omitempty"`
	// Profile is the profile the step runs under: absent for the base
	// profile (every v1 vector before the tensors group), "opcity" for the
	// tensor syscalls. It is never inferred from the syscall number.
	Profile string `json:"profile,omitempty"`
	// Tensor is what D serves for one (root, log2size) lookup: the tensor a
	// tensor_map step reads, or, in an error vector, bytes that do not
	// commit to the root.
	Tensor *Tensor `json:"tensor,omitempty"`
}

// MemoryWrite is one word the step changed: its address and new value,
// 8 bytes each in hex.
type MemoryWrite struct {
	Address string `json:"address"`
	Value   string `json:"value"`
}

// MemoryRegion is an aligned region whose post-state root is Root.
type MemoryRegion struct {
	Address  string `json:"address"`
	Log2Size uint   `json:"log2size"`
	Root     string `json:"root"`
}

// Tensor is D's answer to one tensor lookup: Data for (Root, Log2Size).
type Tensor struct {
	Root     string `json:"root"`
	Log2Size uint   `json:"log2size"`
	Data     string `json:"data"`
}

// Error is an expected failure: the spec's code number and name, and what
// it means (errors.Outcome). A client must reject the step; matching the
// outcome is required, matching the code is recommended. Revert is
// MIPS64.sol's revert reason for the step (base profile), as the EVM
// differential of conformance/cannon/evm checks it.
type Error struct {
	Code    uint16 `json:"code"`
	Name    string `json:"name"`
	Outcome string `json:"outcome"`
	Revert  string `json:"revert,omitempty"`
}

// File is one JSON file of the vector set: a group of vectors.
type File struct {
	Version int      `json:"version"`
	Group   string   `json:"group"`
	Vectors []Vector `json:"vectors"`
}

// Case is one vector before it is stepped: the whole pre-state, its
// profile and D. Cases is the one list the vector files and every
// executor's replay come from: Generate records each case's step, and the
// executors that need whole states (fpvm, Cannon's Go VM) step the cases
// and must reproduce the committed vector.
type Case struct {
	Name, Group, Description string
	Mnemonic                 string
	Syscall                  uint64
	Profile                  spec.Profile
	Pre                      state.State
	Data                     spec.Data
}

// Cases returns every case of the vector set in file order, group by
// group. root is the repository root, from which the example programs are
// built. A case whose step has no witness (an empty active stack on an
// unexited VM) is left out: it has no vector.
func Cases(root string) ([]Case, error) {
	progs, err := programCases(root)
	if err != nil {
		return nil, err
	}
	byGroup := map[string][]Case{
		"instructions": instructionCases(), "syscalls": syscallCases(), "threads": threadCases(),
		"oracle": oracleCases(), "faults": faultCases(), "programs": progs, "tensors": tensorCases(),
	}
	var out []Case
	for _, g := range Groups {
		for _, c := range byGroup[g] {
			if c.Pre.Exited || c.Pre.ActiveStack().Len() > 0 {
				out = append(out, c)
			}
		}
	}
	return out, nil
}

// Vector steps c and records it: the pre-state's witness, the proof slots
// the step used, what it read from D, and the expected post-state (its
// hash, witness, the stepped thread and the memory words written) or the
// expected error.
func (c Case) Vector() Vector {
	post, w, err := spec.StepWithWitnessIn(c.Profile, c.Pre, c.Data)
	used := state.ThreadWitnessSize + memory.ProofSize*max(1, w.SlotsUsed)
	v := Vector{
		Name: c.Name, Group: c.Group, Description: c.Description, Mnemonic: c.Mnemonic, Syscall: c.Syscall,
		State: format.Hex(w.State[:]), StateHash: w.StateHash.String(),
		Proof: format.Hex(w.Proof[:min(used, len(w.Proof))]), LocalContext: format.Hex(make([]byte, 32)),
	}
	if w.HasPreimage {
		v.PreimageKey, v.PreimageValue, v.PreimageOffset = format.Hex(w.PreimageKey[:]), format.Hex(w.PreimageValue), w.PreimageOffset
	}
	if c.Profile != spec.ProfileBase {
		v.Profile = c.Profile.String()
	}
	if w.HasTensor {
		v.Tensor = &Tensor{Root: format.Hex(w.TensorRoot[:]), Log2Size: w.TensorLog2Size, Data: format.Hex(w.Tensor)}
	}
	if err != nil {
		var e *errors.Error
		stderrors.As(err, &e)
		v.Error = &Error{Code: uint16(e.Code), Name: e.Code.String(), Outcome: errors.OutcomeOf(err).String()}
		if c.Profile == spec.ProfileBase {
			v.Error.Revert = ChainRevert(e.Code)
		}
		return v
	}
	v.PostStateHash = post.Hash().String()
	enc := post.Witness().Encode()
	v.PostState = format.Hex(enc[:])
	if t, ok := SteppedThread(c.Pre, post); ok && !c.Pre.Exited {
		b := state.EncodeThread(t)
		v.PostThread = format.Hex(b[:])
	}
	v.MemoryWrites, v.MemoryRegion = memoryChange(c, post)
	return v
}

// SteppedThread returns the thread the step from pre to post ran, as post
// holds it: the thread with the ID of pre's current thread, searched from
// the top of post's active stack, then of its inactive stack (a preempted
// thread). ok is false when the step removed it.
func SteppedThread(pre, post state.State) (state.Thread, bool) {
	cur, err := pre.CurrentThread()
	if err != nil {
		return state.Thread{}, false
	}
	for _, st := range []state.ThreadStack{post.ActiveStack(), post.InactiveStack()} {
		for i := len(st.Threads) - 1; i >= 0; i-- {
			if st.Threads[i].ID == cur.ID {
				return st.Threads[i], true
			}
		}
	}
	return state.Thread{}, false
}

// maxListedWrites bounds MemoryWrites: a base-profile step writes at most
// one word and tensor_root four; only a tensor_map region write is larger.
const maxListedWrites = 16

// memoryChange returns the words the step from c.Pre to post changed, or,
// for a tensor_map (the one step that changes more than maxListedWrites
// words, or may), the region it bound.
func memoryChange(c Case, post state.State) ([]MemoryWrite, *MemoryRegion) {
	pre, pm := c.Pre.Memory.(memory.Memory), post.Memory.(memory.Memory)
	cur, _ := c.Pre.CurrentThread()
	if c.Profile == spec.ProfileOPcity && cur.CPU.Regs[2] == transition.SysTensorMap && !cur.Exited {
		addr, k := cur.CPU.Regs[4], uint(cur.CPU.Regs[5])
		if root, err := pm.RegionRoot(addr, k); err == nil {
			return nil, &MemoryRegion{Address: format.Hex(be64(addr)), Log2Size: k, Root: format.Hex(root[:])}
		}
	}
	addrs, _ := changedWords(pre, pm, maxListedWrites)
	var out []MemoryWrite
	for _, a := range addrs {
		w, _ := pm.Word(a)
		out = append(out, MemoryWrite{Address: format.Hex(be64(a)), Value: format.Hex(be64(w))})
	}
	return out, nil
}

// be64 is v's 8 big-endian bytes.
func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }
