package dispute_test

import (
	"slices"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
)

// TestDISPUTE_PROFILE_RealVM: under the OPcity profile, a proposer whose
// output root is wrong at an MLP node (ArgMax, node 3, and FC 784→128,
// node 0) and who defends it with a tensor node program trace that lies
// from its middle step loses to the honest challenger, who bisects the
// three phases and counters the proposer's max-depth claim with a step
// that spec.VerifyStepIn(ProfileOPcity, …) executes over D's preimages and
// a tensor store of the node's operands; the honest party loses no bond.
// With no lie, the proposer wins.
func TestDISPUTE_PROFILE_RealVM(t *testing.T) {
	for _, k := range []uint64{3, 0} {
		vmDepth := 23 // 2^23 holds the MLP's registered OPcity bound (node 0's 4.18M steps and the margin)
		if (1+1+2+1+vmDepth)%2 != 0 {
			vmDepth++
		}
		w := disputetest.OPcityWorld(t, "mlp.opml", vmDepth)
		var leaf dispute.Hash
		leaf[0], leaf[31] = 0x77, 1
		n := trace.OPcitySteps["mlp.opml"][k]
		v, err := trace.NewCorrupt(w.Truth, 1, k, leaf, n/2)
		if err != nil {
			t.Fatal(err)
		}
		adv := &sim.Solver{Party: "adversary", View: v}
		h := &sim.StepRecorder{Agent: disputetest.Honest(w)}
		g, err := dispute.NewGame(w.Cfg, v.Output(1), "adversary", 0)
		if err != nil {
			t.Fatal(err)
		}
		g, r := sim.Play(g, []sim.Agent{adv, h}, sim.DefaultPlay)
		if err := h.Agent.(*sim.Solver).Err; err != nil {
			t.Fatal(err)
		}
		t.Logf("node %d: status %s, %d claims, resolved after %.2f d, gas %v", k, r.Status, r.Claims, float64(r.Resolved)/86400, r.Gas)
		if r.Status != dispute.ChallengerWins || !r.HonestStepped || !r.HonestIntact() || !r.Conserved {
			t.Fatalf("node %d: want the honest challenger to win by a step with no honest claim countered and every honest bond returned: %s; %+v", k, r.HonestAccount(), r)
		}
		var checked bool
		for _, a := range h.Steps {
			if g.Claim(a.Claim).CounteredBy != sim.Honest {
				continue
			}
			ctx := g.Claim(a.Claim).Context
			gr, _ := w.Truth.Graph(ctx.Block)
			_, ops, err := gr.Descriptor(int(ctx.Node))
			if err != nil {
				t.Fatal(err)
			}
			d := spec.Data{Preimages: dispute.StepPreimages(g, ctx), Tensors: spec.NewTensors(ops...)}
			got, err := spec.VerifyStepIn(spec.ProfileOPcity, a.StateData, a.Proof, ctx.LocalContext, d)
			if err != nil {
				t.Fatalf("node %d: spec.VerifyStepIn(opcity): %v", k, err)
			}
			sc, err := g.CheckStep(a.Claim, a.Attack, a.StateData, a.Proof)
			if err != nil || sc.VerifyErr != nil || !sc.Counters || sc.Computed != got {
				t.Fatalf("node %d: CheckStep %+v, %v; spec.VerifyStepIn %s", k, sc, err, got)
			}
			t.Logf("node %d: stepped from the state after %d steps, poststate %s", k, sc.PreSteps, got)
			checked = true
		}
		if !checked {
			t.Fatalf("node %d: no honest step countered a claim", k)
		}
	}
	w := disputetest.OPcityWorld(t, "mlp.opml", 24)
	g, err := dispute.NewGame(w.Cfg, w.Truth.Output(1), "proposer", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, r := sim.Play(g, []sim.Agent{&sim.Solver{Party: "proposer", View: w.Truth}, disputetest.Honest(w)}, sim.DefaultPlay)
	if r.Status != dispute.DefenderWins || !r.HonestIntact() {
		t.Fatalf("no lie: %s; %+v", r.HonestAccount(), r)
	}
}

// TestDISPUTE_PROFILE_MissingTensor: under the OPcity profile the game's
// step D (stepTensors) holds no tensor that was never uploaded (so a step
// binding it fails in the verifier, CodeStepFailed, as one missing a
// preimage), and serves uploaded tensors and the model's constants exactly
// as spec.NewTensors does: by (root, log2size), at every size from the
// minimal one up, not below it.
func TestDISPUTE_PROFILE_MissingTensor(t *testing.T) {
	w := disputetest.OPcityWorld(t, "mlp.opml", 24)
	g, err := dispute.NewGame(w.Cfg, w.Truth.Output(1), "proposer", 0)
	if err != nil {
		t.Fatal(err)
	}
	gr, _ := w.Truth.Graph(1)
	in := gr.Tensors[w.Cfg.Models[w.Jobs[1].Model].Model.Consts]
	c0 := w.Cfg.Models[w.Jobs[1].Model].Model.Tensors[0].Data
	st := dispute.StepTensors(g, 1)
	want := spec.NewTensors(in, c0)
	k0 := memory.RegionLog2Size(len(in))
	rootIn := want.Add(in)
	if _, ok := st.Tensor(rootIn, k0); ok {
		t.Fatal("served a tensor that was never uploaded")
	}
	g = g.UploadTensor(in)
	st = dispute.StepTensors(g, 1)
	rootC := want.Add(c0)
	for _, c := range []struct {
		root [32]byte
		k    uint
	}{{rootIn, k0}, {rootC, memory.RegionLog2Size(len(c0))}, {rootIn, k0 + 1}, {rootIn, k0 - 1}} {
		a, okA := st.Tensor(c.root, c.k)
		b, okB := want.Tensor(c.root, c.k)
		if okA != okB || string(a) != string(b) {
			t.Fatalf("lookup (%x, %d): game %v, spec.NewTensors %v", c.root[:4], c.k, okA, okB)
		}
	}
}

// gameRecorder keeps the game an agent saw when it stepped.
type gameRecorder struct {
	sim.Agent
	steps []dispute.Action
	games []dispute.Game
	times []uint64
}

func (r *gameRecorder) Act(g dispute.Game, now uint64) []dispute.Action {
	acts := r.Agent.Act(g, now)
	for _, a := range acts {
		if a.Kind == dispute.ActStep {
			r.steps, r.games, r.times = append(r.steps, a), append(r.games, g), append(r.times, now)
		}
	}
	return acts
}

// TestDISPUTE_PROFILE_TensorStep: under the OPcity profile a game whose
// lie starts at the instruction of ArgMax's first tensor_map ends in the
// honest challenger's step on that tensor_map, which Game.Step executes
// with the uploaded operand in D's tensor store; the same step in a game
// that does not hold the operand fails with CodeStepFailed.
func TestDISPUTE_PROFILE_TensorStep(t *testing.T) {
	const k = 3
	w := disputetest.OPcityWorld(t, "mlp.opml", 23) // MaxDepth 28, even: the adversary posts the max-depth claim
	gr, err := w.Truth.Graph(1)
	if err != nil {
		t.Fatal(err)
	}
	desc, ops, err := gr.Descriptor(k)
	if err != nil {
		t.Fatal(err)
	}
	var leaf dispute.Hash
	leaf[0], leaf[31] = 0x77, 1
	data := spec.Data{Preimages: nodevm.WithClaim(nodevm.NodeData(desc, ops), leaf), Tensors: spec.NewTensors(ops...)}
	pre := &nodevm.Machine{State: disputetest.TensorNodeProgram(t), Profile: spec.ProfileOPcity}
	if err := pre.RunToOracle(1 << 32); err != nil {
		t.Fatal(err)
	}
	vm, err := fpvm.FromStateIn(spec.ProfileOPcity, disputetest.TensorNodeProgram(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := vm.Run(data, pre.Steps); err != nil {
		t.Fatal(err)
	}
	s := pre.Steps
	for ; ; s++ {
		wit, err := vm.StepWitness(data)
		if err != nil || vm.Exited {
			t.Fatalf("no tensor_map before step %d: %v", s, err)
		}
		if wit.HasTensor {
			break
		}
	}
	before, now, a := honestStepAgainstLie(t, w, k, leaf, s)
	if _, err := before.Step(now, sim.Honest, a.Claim, a.Attack, a.StateData, a.Proof); err != nil {
		t.Fatalf("the tensor_map step: %v", err)
	}
	missing := dispute.WithoutTensors(before)
	if _, err := missing.Step(now, sim.Honest, a.Claim, a.Attack, a.StateData, a.Proof); dispute.CodeOf(err) != dispute.CodeStepFailed {
		t.Fatalf("the tensor_map step without the operand: %v, want %s", err, dispute.CodeStepFailed)
	}
	// A malformed tensor (docs/errors.md fault 4): D holds other bytes
	// under the operand's key — which UploadTensor never does, as it keys
	// bytes by their own root — so the verifier rejects them (the spec's
	// CodeBadTensor) and the step fails as with a missing tensor.
	malformed := dispute.WithTensorBytes(before, func(b []byte) []byte {
		bad := slices.Clone(b)
		bad[0] ^= 1
		return bad
	})
	if _, err := malformed.Step(now, sim.Honest, a.Claim, a.Attack, a.StateData, a.Proof); dispute.CodeOf(err) != dispute.CodeStepFailed {
		t.Fatalf("the tensor_map step with a malformed operand: %v, want %s", err, dispute.CodeStepFailed)
	}
	t.Logf("tensor_map after %d steps: stepped; without the operand, or with it malformed: CodeStepFailed", s)
}

// honestStepAgainstLie plays node k of block 1 against an adversary whose
// VM trace lies from step s (with leaf as its claimed output), checks that
// the honest challenger wins without losing a bond, and returns the game
// just before the honest step that countered a claim, the time of that
// step and the step itself, which must start from the state after s steps
// and counter its claim.
func honestStepAgainstLie(t *testing.T, w *trace.World, k uint64, leaf dispute.Hash, s uint64) (dispute.Game, uint64, dispute.Action) {
	t.Helper()
	v, err := trace.NewCorrupt(w.Truth, 1, k, leaf, s)
	if err != nil {
		t.Fatal(err)
	}
	h := &gameRecorder{Agent: disputetest.Honest(w)}
	g, err := dispute.NewGame(w.Cfg, v.Output(1), "adversary", 0)
	if err != nil {
		t.Fatal(err)
	}
	g, r := sim.Play(g, []sim.Agent{&sim.Solver{Party: "adversary", View: v}, h}, sim.DefaultPlay)
	if r.Status != dispute.ChallengerWins || !r.HonestStepped || !r.HonestIntact() {
		t.Fatalf("%s; %+v", r.HonestAccount(), r)
	}
	for i, a := range h.steps {
		if g.Claim(a.Claim).CounteredBy != sim.Honest {
			continue
		}
		before := h.games[i]
		sc, err := before.CheckStep(a.Claim, a.Attack, a.StateData, a.Proof)
		if err != nil || sc.PreSteps != s || !sc.Counters {
			t.Fatalf("step from %d steps (want the one after %d): %+v %v", sc.PreSteps, s, sc, err)
		}
		return before, h.times[i], a
	}
	t.Fatal("no honest step countered a claim")
	return dispute.Game{}, 0, dispute.Action{}
}

// TestDISPUTE_PROFILE_PreimageStep is docs/errors.md's fault 7 (and 2) at
// the game level under the base profile: the adversary's VM trace for MLP
// node 3 lies from the node program's first step that reads the preimage
// oracle; the honest challenger's step executes that read, with the
// preimage the game holds, and counters the lie. Without the game's
// uploaded keccak256 preimages, the same step cannot be executed
// (CodeStepFailed): the party that needs the preimage and does not upload it
// loses by its clock.
func TestDISPUTE_PROFILE_PreimageStep(t *testing.T) {
	const k = 3
	w := disputetest.RealWorld(t, 27) // MaxDepth 32, even: the adversary posts the max-depth claim
	gr, err := w.Truth.Graph(1)
	if err != nil {
		t.Fatal(err)
	}
	desc, ops, err := gr.Descriptor(k)
	if err != nil {
		t.Fatal(err)
	}
	var leaf dispute.Hash
	leaf[0], leaf[31] = 0x66, 1
	data := spec.Data{Preimages: nodevm.WithClaim(nodevm.NodeData(desc, ops), leaf)}
	vm, err := fpvm.FromState(disputetest.NodeProgram(t))
	if err != nil {
		t.Fatal(err)
	}
	var s uint64
	for ; ; s++ {
		wit, err := vm.StepWitness(data)
		if err != nil || vm.Exited {
			t.Fatalf("no oracle read before step %d: %v", s, err)
		}
		if wit.HasPreimage && wit.PreimageKey[0] == 2 { // a keccak256 preimage, not a local key
			break
		}
	}
	before, now, act := honestStepAgainstLie(t, w, k, leaf, s)
	missing := dispute.WithoutPreimages(before)
	if _, err := missing.Step(now, sim.Honest, act.Claim, act.Attack, act.StateData, act.Proof); dispute.CodeOf(err) != dispute.CodeStepFailed {
		t.Fatalf("the oracle read without the preimages: %v, want %s", err, dispute.CodeStepFailed)
	}
	t.Logf("keccak256 oracle read after %d steps: stepped; without the game's preimages: CodeStepFailed", s)
}
