package evm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// syscallStep is the syscall a VM state executes next: its number (v0)
// and first argument (a0), and the state's preimage key and offset.
type syscallStep struct {
	Num, A0 uint64
	Key     [32]byte
	Offset  uint64
	Step    uint64 // the state's step count
}

func (s syscallStep) String() string {
	return fmt.Sprintf("syscall %d a0=%d at step %d, preimage key %x… offset %d", s.Num, s.A0, s.Step, s.Key[:1], s.Offset)
}

// pendingSyscallOf decodes, from a VM step's witness (the 188-byte state
// and the proof), the syscall the step executes; ok is false when the
// step executes another instruction, is a preemption, or the witness does
// not decode.
func pendingSyscallOf(stateData, proof []byte) (s syscallStep, ok bool) {
	w, err := state.DecodeWitness(stateData)
	if err != nil || w.Exited || w.StepsSinceLastContextSwitch >= transition.SchedQuantum || len(proof) < state.ThreadWitnessSize+memory.ProofSize {
		return s, false
	}
	th, err := state.DecodeThread(proof[:state.ThreadSize])
	if err != nil {
		return s, false
	}
	var mp memory.Proof
	copy(mp[:], proof[state.ThreadWitnessSize:])
	leaf, pc := mp.Leaf(), th.CPU.PC
	if in := transition.Decode(binary.BigEndian.Uint32(leaf[pc&31:])); in.Opcode != 0 || in.Funct != 0x0C {
		return s, false
	}
	return syscallStep{Num: th.CPU.Regs[2], A0: th.CPU.Regs[4], Key: w.PreimageKey, Offset: w.PreimageOffset, Step: w.Step}, true
}

// realSyscall is a real game (MLP, image realImage, `opcity dispute
// --lie step:S --node K`) whose decisive step, the honest challenger's VM
// step from the state after S steps of node K's run, executes the syscall
// is reports true for. The S values were found by running node K's
// program in fpvm (TestEVM_DISPUTE_REALVM_FindSyscalls, with
// OPCITY_FIND_SYSCALLS=1, logs every preimage read and tensor syscall with
// its step) and picking, for each kind, the first such step past offset 0
// of a read (the first read of a datum at offset 0 returns its length
// prefix; offset 8 returns data bytes).
type realSyscall struct {
	name    string
	profile spec.Profile
	node    uint64
	step    uint64
	is      func(s syscallStep) bool
	load    string // the stepper's load before the step ("" for none)
}

func isPreimageRead(key [32]byte, off uint64) func(syscallStep) bool {
	return func(s syscallStep) bool {
		return s.Num == transition.SysRead && s.A0 == transition.FdPreimageRead && s.Key == key && s.Offset == off
	}
}

func isKeccakRead(off uint64) func(syscallStep) bool {
	return func(s syscallStep) bool {
		return s.Num == transition.SysRead && s.A0 == transition.FdPreimageRead && s.Key[0] == spec.KeyTypeKeccak256 && s.Offset == off
	}
}

func isSyscall(num uint64) func(syscallStep) bool {
	return func(s syscallStep) bool { return s.Num == num }
}

// realSyscalls are the games of TestEVM_DISPUTE_REALVM_Syscalls. Node 3
// (the MLP's last node) is the cheapest to run (about 1.57M steps base,
// 1.56M OPcity). If the node program or its prestate changes, these steps
// drift: TestEVM_DISPUTE_REALVM_SyscallSteps then fails, and
// `OPCITY_FIND_SYSCALLS=1 go test ./evm -run TestEVM_DISPUTE_REALVM_FindSyscalls -v`
// (in conformance/cannon) lists the new ones.
var realSyscalls = []realSyscall{
	// the node descriptor's hash, local key 1, its first data word
	{"read-local-descriptor", spec.ProfileBase, 3, 1_496_970, isPreimageRead(guest.LocalKey(guest.LocalDescriptor), 8), "add-local-data"},
	// the claimed output commitment, local key 2, its first data word
	{"read-local-claim", spec.ProfileBase, 3, 1_566_236, isPreimageRead(guest.LocalKey(guest.LocalClaim), 8), "add-local-data"},
	// the node descriptor (keccak256 key), its first data word
	{"read-keccak-descriptor", spec.ProfileBase, 3, 1_501_898, isKeccakRead(8), "load-preimage-part"},
	// the node's one tensor_map (its operand, 32 bytes)
	{"tensor_map", spec.ProfileOPcity, 3, 1_539_205, isSyscall(transition.SysTensorMap), "upload-tensor-oracle"},
	// the node's one tensor_root (its output)
	{"tensor_root", spec.ProfileOPcity, 3, 1_545_071, isSyscall(transition.SysTensorRoot), ""},
}

// nodeRun returns node k's program of block 1 (image realImage) in fpvm
// under nv's profile and its D with the lie's claim, as trace.NodeVM runs
// it for the phase-3 context of --lie.
func nodeRun(t *testing.T, c realSyscall) (*fpvm.VM, spec.Data) {
	t.Helper()
	set, nvs := realGameSet(t)
	nv := nvs[c.profile]
	lie := realStepLie(t, set, c)
	rg, _, _, err := sim.StartReal(set, "mlp.opml", realImage, nv, lie)
	if err != nil {
		t.Fatal(err)
	}
	gt, err := rg.World.Truth.Graph(1)
	if err != nil {
		t.Fatal(err)
	}
	desc, ops, err := gt.Descriptor(int(c.node))
	if err != nil {
		t.Fatal(err)
	}
	d := spec.Data{Preimages: nodevm.WithClaim(nodevm.NodeData(desc, ops), lie.Leaf)}
	if c.profile == spec.ProfileOPcity {
		d.Tensors = spec.NewTensors(ops...)
	}
	vm, err := fpvm.FromStateIn(c.profile, nv.Program)
	if err != nil {
		t.Fatal(err)
	}
	return vm, d
}

func realStepLie(t *testing.T, set *trace.MNISTSet, c realSyscall) *sim.RealLie {
	t.Helper()
	rl, err := play.RealLieOf(set, "mlp.opml", play.Lie{Kind: "step", Value: c.step}, int(c.node))
	if err != nil {
		t.Fatal(err)
	}
	return rl
}

// TestEVM_DISPUTE_REALVM_SyscallSteps requires each of realSyscalls' S
// values to still name its syscall: node K's program, run S steps in fpvm
// on the phase-3 context's D, is about to execute it (decoded from the
// step's witness, as the on-chain VM sees it). Requirement
// EVM-DISPUTE-REALVM.
func TestEVM_DISPUTE_REALVM_SyscallSteps(t *testing.T) {
	for _, c := range realSyscalls {
		t.Run(c.name, func(t *testing.T) {
			vm, d := nodeRun(t, c)
			if n, err := vm.Run(d, c.step); err != nil || n != c.step {
				t.Fatalf("ran %d of %d steps: %v", n, c.step, err)
			}
			w, err := vm.StepWitness(d)
			if err != nil {
				t.Fatal(err)
			}
			if s, ok := pendingSyscallOf(w.State[:], w.Proof); !ok || !c.is(s) {
				t.Fatalf("node %d (%s) after %d steps: %v (a syscall: %v), not %s; the node program changed: re-find the step with\n"+
					"  cd conformance/cannon && OPCITY_FIND_SYSCALLS=1 go test ./evm -run TestEVM_DISPUTE_REALVM_FindSyscalls -v\n"+
					"and update realSyscalls", c.node, c.profile, c.step, s, ok, c.name)
			}
		})
	}
}

// TestEVM_DISPUTE_REALVM_FindSyscalls is the search realSyscalls' steps
// came from, run only with OPCITY_FIND_SYSCALLS=1 (it steps node 3's
// whole run one instruction at a time under both profiles, about 5 s): it
// logs every preimage read (fd 5) and preimage key write (fd 6) and every
// tensor syscall with the step it is executed from, the state's preimage
// key type and local ident, and its offset.
func TestEVM_DISPUTE_REALVM_FindSyscalls(t *testing.T) {
	if os.Getenv("OPCITY_FIND_SYSCALLS") == "" {
		t.Skip("set OPCITY_FIND_SYSCALLS=1 to list node 3's preimage reads and tensor syscalls")
	}
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		vm, d := nodeRun(t, realSyscall{profile: p, node: 3})
		for !vm.Exited {
			s := vm.StepCount
			if th, ok := vm.Current(); ok {
				word := binary.BigEndian.Uint32(vm.ReadMemory(th.CPU.PC, 4))
				r := th.CPU.Regs
				io := (r[2] == transition.SysRead && r[4] == transition.FdPreimageRead) || (r[2] == transition.SysWrite && r[4] == transition.FdPreimageWrite)
				if in := transition.Decode(word); in.Opcode == 0 && in.Funct == 0x0C && (io || r[2] == transition.SysTensorMap || r[2] == transition.SysTensorRoot) {
					t.Logf("%s node 3 step %d: syscall %d a0=%d a1=%#x a2=%d; key type %d ident %d offset %d",
						p, s, r[2], r[4], r[5], r[6], vm.PreimageKey[0], vm.PreimageKey[31], vm.PreimageOffset)
				}
			}
			if err := vm.Step(d); err != nil {
				t.Fatalf("step %d: %v", s, err)
			}
		}
		t.Logf("%s node 3: %d steps", p, vm.StepCount)
	}
}

// TestEVM_DISPUTE_REALVM_Syscalls replays each of realSyscalls' games
// (MLP, image realImage, --lie step:S at node K, the profile's real
// on-chain VM) with the full states compared after every action: no
// difference, the honest challenger wins, no honest claim is countered,
// the one accepted VM step is the challenger's and executes the intended
// syscall from the state after S steps (decoded from the step's own
// witness), and the stepper's load before it (the local datum through
// addLocalData, the keccak preimage part, the tensor uploaded to
// TensorOracle) was sent and accepted. Requirement
// EVM-DISPUTE-REALVM.
func TestEVM_DISPUTE_REALVM_Syscalls(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	set, nvs := realGameSet(t)
	for _, c := range realSyscalls {
		t.Run(c.name, func(t *testing.T) {
			var stepped []dispute.Action
			var loads []GasRecord
			o := ReplayOptions{CheckEvery: true, OnAction: func(_, _ dispute.Game, a dispute.Action, txs []GasRecord) {
				if a.Kind == dispute.ActStep {
					stepped = append(stepped, a)
					for _, tx := range txs {
						if tx.Kind != "step" {
							loads = append(loads, tx)
						}
					}
				}
			}}
			r, err := ReplayReal(h, set, "mlp.opml", realImage, nvs[c.profile], realStepLie(t, set, c), o)
			if err != nil {
				fatalReplay(t, err)
			}
			if r.Status != dispute.ChallengerWins || r.HonestCountered != 0 {
				t.Fatalf("%s, %d honest claims countered", r.Status, r.HonestCountered)
			}
			steps := acceptedSteps(r.Gas)
			if len(stepped) != 1 || len(steps) != 1 || steps[0].Party != sim.Honest || stepped[0].Party != sim.Honest || steps[0].VMGas == 0 {
				t.Fatalf("accepted steps %+v: want one honest step through the VM", steps)
			}
			s, ok := pendingSyscallOf(stepped[0].StateData, stepped[0].Proof)
			if !ok || !c.is(s) || s.Step != c.step {
				t.Fatalf("the decisive step: %v (a syscall: %v), want %s from step %d", s, ok, c.name, c.step)
			}
			var loadGas uint64
			for _, l := range loads {
				if l.Kind != c.load || !l.Accepted || l.Party != sim.Honest {
					t.Fatalf("load before the step %+v, want accepted %q by the challenger", l, c.load)
				}
				loadGas += l.Tx()
			}
			if (c.load == "") != (len(loads) == 0) {
				t.Fatalf("%d loads before the step, want %q", len(loads), c.load)
			}
			t.Logf("%s: %d actions, %d claims; decisive step %v: step tx gas %d, of which %d in the %s VM; %d load txs (%q) %d gas",
				c.name, r.Actions, r.Claims, s, steps[0].Tx(), steps[0].VMGas, c.profile, len(loads), c.load, loadGas)
		})
	}
}

// TestEVM_DISPUTE_REALVM_Syscalls_Planted plants, in each of realSyscalls'
// games that needs a load, the fault of a stepper that does not send it
// (ReplayOptions.SkipLoad): the real VM then misses the datum the Go
// rules' D holds, so the contract must refuse the decisive step that the
// Go rules accept (StepFailed: the VM's revert, a missing preimage part or
// TensorNotAvailable, is the game's StepFailed): a *Mismatch at the step,
// Go code 0.
func TestEVM_DISPUTE_REALVM_Syscalls_Planted(t *testing.T) {
	h, err := New()
	if err != nil {
		t.Fatal(err)
	}
	set, nvs := realGameSet(t)
	for _, c := range realSyscalls {
		if c.load == "" {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			o := ReplayOptions{SkipLoad: func(kind string) bool { return kind == c.load }}
			_, err := ReplayReal(h, set, "mlp.opml", realImage, nvs[c.profile], realStepLie(t, set, c), o)
			var m *Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("a step without its %s was not flagged: %v", c.load, err)
			}
			if m.Action.Kind != dispute.ActStep || m.Go != 0 || m.Chain != dispute.CodeStepFailed {
				t.Fatalf("flagged %v; want the step, accepted by Go, StepFailed on chain", m)
			}
			t.Logf("flagged: %v", m)
		})
	}
}
