package dispute

import (
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec"
)

// Step counters the VM claim at index parent (at MaxDepth) by executing one
// instruction (requirement DISPUTE-STEP), as OP's step: an attack takes the
// parent as poststate and, as prestate, the claim at the trace index before
// it (the absolute prestate, the node program's initial state, at index 0);
// a defense takes the parent as prestate and the claim at the next trace
// index as poststate. stateData must hash to the prestate (status byte
// ignored). The verifier runs with the phase-3 root's local context: local
// key 1 is the node descriptor's hash, local key 2 the claimed output
// commitment, keccak256 keys come from the uploaded preimages. The step
// counters the parent when the computed poststate's agreement with the
// poststate claim differs from the parent's agreement with it.
// Errors: CodeGameOver, CodeBadIndex, CodeDepth, CodeResolved,
// CodeDuplicateStep, CodeStepPrestate, CodeStepFailed
// (the verifier cannot execute the step, e.g. a preimage was never
// uploaded), CodeValidStep.
func (g Game) Step(now uint64, stepper Address, parent int, attack bool, stateData, proof []byte) (Game, error) {
	if err := g.checkStep(now, parent, g.cfg.MaxDepth); err != nil {
		return g, err
	}
	pre, post, _, err := g.transition(parent, attack, g.cfg.MaxDepth, g.cfg.AbsolutePrestate)
	if err != nil {
		return g, err
	}
	if h := Keccak(stateData); !equalIgnoringStatus(h, pre) {
		return g, errorf(CodeStepPrestate, "state data hashes to %s, prestate %s", h, pre)
	}
	ctx := g.claims[parent].Context
	got, err := g.cfg.verifier()(stateData, proof, ctx.LocalContext, g.stepData(ctx))
	if err != nil {
		return g, errorf(CodeStepFailed, "%v", err)
	}
	return g.counter(parent, post, got == g.claims[post].Value, stepper)
}

// StepTransition counters the phase-2 leaf claim at index parent by the
// one fact about a graph transition that its openings alone can prove
// (requirement DISPUTE-BIND): for a node, that the transition is malformed
// (the poststate claim's opening with its node's output leaf zeroed does
// not give the agreed prestate: not one leaf update); past the last node
// (padding), whether the poststate equals the prestate, which decides the
// transition exactly. A well-formed node transition is never decided here:
// whether its leaf is the node's output only the VM can say, so it goes to
// phase 3 (bindVMRoot). With OP's parity rule, the step counters the parent
// iff postAgree ≠ valid, valid being proven: a malformed node transition
// counters a parent on the poststate's team; a well-formed one counters
// nothing (CodeValidStep), whoever made the poststate.
// Errors: as Step, without the VM ones.
func (g Game) StepTransition(now uint64, stepper Address, parent int, attack bool) (Game, error) {
	if err := g.checkStep(now, parent, g.cfg.Split2); err != nil {
		return g, err
	}
	r := g.model(g.claims[parent].Context.Block)
	pre, post, k, err := g.transition(parent, attack, g.cfg.Split2, g.initial[g.claims[parent].Context.Block])
	if err != nil {
		return g, err
	}
	wellFormed := r.isUpdate(k, pre, g.claims[post])
	if k < uint64(len(r.Model.Nodes)) && wellFormed && !g.cfg.legacyTransitionRule {
		return g, errorf(CodeValidStep, "node %d: the transition is one leaf update; only a VM subgame can decide it", k)
	}
	return g.counter(parent, post, wellFormed, stepper)
}

// checkStep holds the rules shared by both steps. As OP's step, it does
// not look at the clock: a step made after the parent's clock ran out is
// accepted while the parent is unresolved (resolution, not the clock, ends
// a claim's subgame).
func (g Game) checkStep(now uint64, parent, depth int) error {
	switch {
	case g.status != InProgress:
		return errorf(CodeGameOver, "the game is %s", g.status)
	case parent < 0 || parent >= len(g.claims):
		return errorf(CodeBadIndex, "no claim %d", parent)
	case g.claims[parent].Position.Depth() != depth:
		return errorf(CodeDepth, "claim %d is at depth %d, the step needs %d", parent, g.claims[parent].Position.Depth(), depth)
	case g.claims[parent].Resolved:
		return errorf(CodeResolved, "claim %d is resolved", parent)
	case g.claims[parent].CounteredBy != "":
		return errorf(CodeDuplicateStep, "claim %d is already countered", parent)
	}
	return nil
}

// counter applies OP's step parity: with postAgree whether the parent and
// the poststate claim are on the same team, the step succeeds iff
// postAgree != valid.
func (g Game) counter(parent, post int, valid bool, stepper Address) (Game, error) {
	postAgree := (g.claims[parent].Position.Depth()-g.claims[post].Position.Depth())%2 == 0
	if postAgree == valid {
		return g, errorf(CodeValidStep, "the step does not counter claim %d", parent)
	}
	g = g.update(parent, func(c *Claim) { c.CounteredBy = stepper })
	return g, nil
}

func equalIgnoringStatus(a, b Hash) bool {
	a[0], b[0] = 0, 0
	return a == b
}

// stepOracle serves a step's preimages: the two local keys of the
// phase-3 context and the uploaded keccak256 preimages.
type stepOracle struct {
	g   Game
	ctx Context
}

func (o stepOracle) Preimage(k [32]byte) ([]byte, bool) {
	switch k {
	case localKey(guest.LocalDescriptor):
		return o.ctx.DescriptorHash[:], true
	case localKey(guest.LocalClaim):
		return o.ctx.Output[:], true
	}
	return o.g.Preimage(k)
}

// verifier returns the configured step verifier, spec.VerifyStepIn under
// the game's profile when none is set.
func (c *Config) verifier() StepVerifier {
	if c.Verifier != nil {
		return c.Verifier
	}
	p := c.Profile
	return func(stateData, proof []byte, localContext [32]byte, d spec.Data) (Hash, error) {
		return spec.VerifyStepIn(p, stateData, proof, localContext, d)
	}
}

// stepData is D of a step in the phase-3 context ctx: the step's preimages
// and, under the OPcity profile, the tensors the game holds.
func (g Game) stepData(ctx Context) spec.Data {
	d := spec.Data{Preimages: stepOracle{g, ctx}}
	if g.cfg.Profile == spec.ProfileOPcity {
		d.Tensors = &stepTensors{g: g, block: ctx.Block}
	}
	return d
}

// stepTensors serves a step's tensors under the OPcity profile: exactly
// the lookups of spec.NewTensors over the uploaded tensors, then over the
// constants of the block's registered model (the uploaded store is built
// on the first lookup). A tensor that is in neither is missing from D, and
// the step fails (CodeStepFailed), as for a missing preimage.
type stepTensors struct {
	g        Game
	block    uint64
	uploaded *spec.Tensors
}

func (t *stepTensors) Tensor(root [32]byte, log2size uint) ([]byte, bool) {
	if t.uploaded == nil {
		var ts [][]byte
		for _, data := range t.g.tensors {
			ts = append(ts, data)
		}
		t.uploaded = spec.NewTensors(ts...)
	}
	if data, ok := t.uploaded.Tensor(root, log2size); ok {
		return data, true
	}
	if r := t.g.model(t.block); r != nil {
		return r.ConstTensors().Tensor(root, log2size)
	}
	return nil, false
}
