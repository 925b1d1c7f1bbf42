package dispute

import (
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/fpvm"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
	"pgregory.net/rapid"
)

var (
	tensorProgOnce sync.Once
	tensorProgInit state.State
	tensorProgErr  error
)

// buildTensorNodeProgram builds the tensor node program once per test binary.
func buildTensorNodeProgram(t testing.TB) state.State {
	t.Helper()
	tensorProgOnce.Do(func() {
		dir, err := os.MkdirTemp("", "opcity-dispute")
		if err != nil {
			tensorProgErr = err
			return
		}
		defer os.RemoveAll(dir)
		tensorProgInit, tensorProgErr = nodevm.Build("..", nodevm.TensorNodeProgram, dir)
	})
	if tensorProgErr != nil {
		t.Fatal(tensorProgErr)
	}
	return tensorProgInit
}

// opcityWorld is a chain of 2 blocks of model on test images 0 and 1 with
// the tensor node program in fpvm under the OPcity profile as phase 3.
func opcityWorld(t testing.TB, model string, vmDepth int) *World {
	t.Helper()
	set, err := LoadMNIST(modelsDir, 4)
	if err != nil {
		t.Fatal(err)
	}
	prog := buildTensorNodeProgram(t)
	vm := &NodeVM{Program: prog, Profile: spec.ProfileOPcity, Every: 1 << 17, Max: 1 << 32}
	w, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: model, Split1: 1, VMDepth: vmDepth, Images: []int{0, 1},
		VM: vm.Factory(), Prestate: prog.Hash(), Profile: spec.ProfileOPcity})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestDISPUTE_PROFILE_Steps: OPcitySteps are the tensor node program's
// trace lengths in the game's NodeVM under the OPcity profile (block 0 =
// test image 0, the right claim) for every node of both bundled models.
func TestDISPUTE_PROFILE_Steps(t *testing.T) {
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		w := opcityWorld(t, name, 27)
		g, err := w.Truth.Graph(0)
		if err != nil {
			t.Fatal(err)
		}
		for k := range w.Nodes {
			vt, err := w.Truth.VM(0, k, g.Commitments[uint64(g.Model.Model.FirstNodeTensor())+k])
			if err != nil {
				t.Fatal(err)
			}
			if vt.Steps() != OPcitySteps[name][k] {
				t.Fatalf("%s node %d: %d steps, OPcitySteps %d", name, k, vt.Steps(), OPcitySteps[name][k])
			}
		}
	}
}

// stepRecorder keeps an agent's steps.
type stepRecorder struct {
	Agent
	steps []Action
}

func (r *stepRecorder) Act(g Game, now uint64) []Action {
	acts := r.Agent.Act(g, now)
	for _, a := range acts {
		if a.Kind == ActStep {
			r.steps = append(r.steps, a)
		}
	}
	return acts
}

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
		w := opcityWorld(t, "mlp.opml", vmDepth)
		var leaf Hash
		leaf[0], leaf[31] = 0x77, 1
		n := OPcitySteps["mlp.opml"][k]
		v, err := NewCorrupt(w.Truth, 1, k, leaf, n/2)
		if err != nil {
			t.Fatal(err)
		}
		adv := &Solver{Party: "adversary", View: v}
		h := &stepRecorder{Agent: honest(w)}
		g, err := NewGame(w.Cfg, v.Output(1), "adversary", 0)
		if err != nil {
			t.Fatal(err)
		}
		g, r := Play(g, []Agent{adv, h}, DefaultPlay)
		if err := h.Agent.(*Solver).Err; err != nil {
			t.Fatal(err)
		}
		t.Logf("node %d: status %s, %d claims, resolved after %.2f d, gas %v", k, r.Status, r.Claims, float64(r.Resolved)/86400, r.Gas)
		if r.Status != ChallengerWins || !r.HonestStepped || !r.HonestIntact() || !r.Conserved {
			t.Fatalf("node %d: want the honest challenger to win by a step with no honest claim countered and every honest bond returned: %s; %+v", k, r.HonestAccount(), r)
		}
		var checked bool
		for _, a := range h.steps {
			if g.Claim(a.Claim).CounteredBy != Honest {
				continue
			}
			ctx := g.Claim(a.Claim).Context
			gr, _ := w.Truth.Graph(ctx.Block)
			_, ops, err := gr.descriptorOf(int(ctx.Node))
			if err != nil {
				t.Fatal(err)
			}
			d := spec.Data{Preimages: stepOracle{g, ctx}, Tensors: spec.NewTensors(ops...)}
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
	w := opcityWorld(t, "mlp.opml", 24)
	g, err := NewGame(w.Cfg, w.Truth.Output(1), "proposer", 0)
	if err != nil {
		t.Fatal(err)
	}
	_, r := Play(g, []Agent{&Solver{Party: "proposer", View: w.Truth}, honest(w)}, DefaultPlay)
	if r.Status != DefenderWins || !r.HonestIntact() {
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
	w := opcityWorld(t, "mlp.opml", 24)
	g, err := NewGame(w.Cfg, w.Truth.Output(1), "proposer", 0)
	if err != nil {
		t.Fatal(err)
	}
	gr, _ := w.Truth.Graph(1)
	in := gr.Tensors[w.Cfg.Models[w.Jobs[1].Model].Model.Consts]
	c0 := w.Cfg.Models[w.Jobs[1].Model].Model.Tensors[0].Data
	st := &stepTensors{g: g, block: 1}
	want := spec.NewTensors(in, c0)
	k0 := spec.RegionLog2Size(len(in))
	rootIn := want.Add(in)
	if _, ok := st.Tensor(rootIn, k0); ok {
		t.Fatal("served a tensor that was never uploaded")
	}
	g = g.UploadTensor(in)
	st = &stepTensors{g: g, block: 1}
	rootC := want.Add(c0)
	for _, c := range []struct {
		root [32]byte
		k    uint
	}{{rootIn, k0}, {rootC, spec.RegionLog2Size(len(c0))}, {rootIn, k0 + 1}, {rootIn, k0 - 1}} {
		a, okA := st.Tensor(c.root, c.k)
		b, okB := want.Tensor(c.root, c.k)
		if okA != okB || string(a) != string(b) {
			t.Fatalf("lookup (%x, %d): game %v, spec.NewTensors %v", c.root[:4], c.k, okA, okB)
		}
	}
}

// TestDISPUTE_PROFILE_Scenarios: under the OPcity profile (synthetic VM
// with OPcitySteps) every scenario of the library is decided correctly
// with no honest claim countered, every honest bond returned and bonds
// conserved.
func TestDISPUTE_PROFILE_Scenarios(t *testing.T) {
	w := opcitySynthetic(t)
	rep, err := Simulate(SimOptions{Games: 2 * len(Scenarios()), Seed: 1, Scenarios: Scenarios(), Worlds: []*World{w}, Play: DefaultPlay})
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Aggregate
	if a.Correct != a.Games || a.HonestCountered != 0 || a.HonestReturned != a.HonestBonds || a.NotConserved != 0 {
		t.Fatalf("opcity scenarios:\n%s", a)
	}
}

func opcitySynthetic(t testing.TB) *World {
	set, err := LoadMNIST(modelsDir, 16)
	if err != nil {
		t.Fatal(err)
	}
	w, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: "mlp.opml", Split1: 2, VMDepth: 27, Images: []int{0, 1, 2, 3}, Profile: spec.ProfileOPcity})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestDISPUTE_PROFILE_HonestProperty: TestDISPUTE_HONEST_Property's
// property under the OPcity profile (synthetic VM).
func TestDISPUTE_PROFILE_HonestProperty(t *testing.T) {
	w := opcitySynthetic(t)
	scen := Scenarios()
	rapid.Check(t, func(rt *rapid.T) {
		s := scen[rapid.IntRange(0, len(scen)-1).Draw(rt, "scenario")]
		seed := rapid.Uint64().Draw(rt, "seed")
		r, err := PlayScenario(w, s, seed, DefaultPlay)
		if err != nil {
			rt.Fatal(err)
		}
		if !r.Correct() || r.HonestCountered != 0 || r.HonestReturned != r.HonestBonds || !r.Conserved {
			rt.Fatalf("%s seed %016x: status %s (root correct %v), %s, conserved %v", s.Name, seed, r.Status, r.RootCorrect, r.HonestAccount(), r.Conserved)
		}
	})
}

// gameRecorder keeps the game an agent saw when it stepped.
type gameRecorder struct {
	Agent
	steps []Action
	games []Game
	times []uint64
}

func (r *gameRecorder) Act(g Game, now uint64) []Action {
	acts := r.Agent.Act(g, now)
	for _, a := range acts {
		if a.Kind == ActStep {
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
	w := opcityWorld(t, "mlp.opml", 23) // MaxDepth 28, even: the adversary posts the max-depth claim
	gr, err := w.Truth.Graph(1)
	if err != nil {
		t.Fatal(err)
	}
	desc, ops, err := gr.descriptorOf(k)
	if err != nil {
		t.Fatal(err)
	}
	var leaf Hash
	leaf[0], leaf[31] = 0x77, 1
	data := spec.Data{Preimages: nodevm.WithClaim(nodevm.NodeData(desc, ops), leaf), Tensors: spec.NewTensors(ops...)}
	pre := &nodevm.Machine{State: buildTensorNodeProgram(t), Profile: spec.ProfileOPcity}
	if err := pre.RunToOracle(1 << 32); err != nil {
		t.Fatal(err)
	}
	vm, err := fpvm.FromStateIn(spec.ProfileOPcity, buildTensorNodeProgram(t))
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
	if _, err := before.Step(now, Honest, a.Claim, a.Attack, a.StateData, a.Proof); err != nil {
		t.Fatalf("the tensor_map step: %v", err)
	}
	missing := before
	missing.tensors = map[tensorKey][]byte{}
	if _, err := missing.Step(now, Honest, a.Claim, a.Attack, a.StateData, a.Proof); CodeOf(err) != CodeStepFailed {
		t.Fatalf("the tensor_map step without the operand: %v, want %s", err, CodeStepFailed)
	}
	// A malformed tensor (docs/errors.md fault 4): D holds other bytes
	// under the operand's key — which UploadTensor never does, as it keys
	// bytes by their own root — so the verifier rejects them (the spec's
	// CodeBadTensor) and the step fails as with a missing tensor.
	malformed := before
	malformed.tensors = map[tensorKey][]byte{}
	for key, b := range before.tensors {
		bad := slices.Clone(b)
		bad[0] ^= 1
		malformed.tensors[key] = bad
	}
	if _, err := malformed.Step(now, Honest, a.Claim, a.Attack, a.StateData, a.Proof); CodeOf(err) != CodeStepFailed {
		t.Fatalf("the tensor_map step with a malformed operand: %v, want %s", err, CodeStepFailed)
	}
	t.Logf("tensor_map after %d steps: stepped; without the operand, or with it malformed: CodeStepFailed", s)
}

// honestStepAgainstLie plays node k of block 1 against an adversary whose
// VM trace lies from step s (with leaf as its claimed output), checks that
// the honest challenger wins without losing a bond, and returns the game
// just before the honest step that countered a claim, the time of that
// step and the step itself, which must start from the state after s steps
// and counter its claim.
func honestStepAgainstLie(t *testing.T, w *World, k uint64, leaf Hash, s uint64) (Game, uint64, Action) {
	t.Helper()
	v, err := NewCorrupt(w.Truth, 1, k, leaf, s)
	if err != nil {
		t.Fatal(err)
	}
	h := &gameRecorder{Agent: honest(w)}
	g, err := NewGame(w.Cfg, v.Output(1), "adversary", 0)
	if err != nil {
		t.Fatal(err)
	}
	g, r := Play(g, []Agent{&Solver{Party: "adversary", View: v}, h}, DefaultPlay)
	if r.Status != ChallengerWins || !r.HonestStepped || !r.HonestIntact() {
		t.Fatalf("%s; %+v", r.HonestAccount(), r)
	}
	for i, a := range h.steps {
		if g.Claim(a.Claim).CounteredBy != Honest {
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
	return Game{}, 0, Action{}
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
	w := realWorld(t, 27) // MaxDepth 32, even: the adversary posts the max-depth claim
	gr, err := w.Truth.Graph(1)
	if err != nil {
		t.Fatal(err)
	}
	desc, ops, err := gr.descriptorOf(k)
	if err != nil {
		t.Fatal(err)
	}
	var leaf Hash
	leaf[0], leaf[31] = 0x66, 1
	data := spec.Data{Preimages: nodevm.WithClaim(nodevm.NodeData(desc, ops), leaf)}
	vm, err := fpvm.FromState(buildNodeProgram(t))
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
	missing := before
	missing.store = map[[32]byte][]byte{}
	if _, err := missing.Step(now, Honest, act.Claim, act.Attack, act.StateData, act.Proof); CodeOf(err) != CodeStepFailed {
		t.Fatalf("the oracle read without the preimages: %v, want %s", err, CodeStepFailed)
	}
	t.Logf("keccak256 oracle read after %d steps: stepped; without the game's preimages: CodeStepFailed", s)
}
