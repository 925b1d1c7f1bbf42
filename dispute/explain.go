package dispute

// StepCheck is what a VM step against a max-depth claim computes, for
// display: the disputed transition, the agreed prestate and the poststate
// claim, the verifier's poststate and whether the step counters the claim.
type StepCheck struct {
	Claim      int    // the max-depth claim stepped against
	Attack     bool   // an attack (the claim is the poststate) or a defense
	PreSteps   uint64 // the prestate is the node program's state after PreSteps steps
	Pre        Hash   // the agreed prestate claim (AbsolutePrestate at PreSteps 0)
	PostClaim  int    // the index of the poststate claim
	Post       Hash   // its value
	Computed   Hash   // the verifier's poststate (zero if it failed)
	VerifyErr  error  // the verifier's error, if any
	Counters   bool   // the step counters Claim (Game.Step accepts it)
	PostAgrees bool   // Computed == Post
}

// CheckStep runs the verifier of a step against claim parent as Game.Step
// would, without changing the game, and returns what it computed
// (requirement DISPUTE-STEP). Errors: CodeBadIndex, CodeDepth when parent is
// not a max-depth claim, CodeStepPrestate when stateData does not hash to the
// prestate. A verifier failure is reported in StepCheck.VerifyErr.
func (g Game) CheckStep(parent int, attack bool, stateData, proof []byte) (StepCheck, error) {
	if parent < 0 || parent >= len(g.claims) {
		return StepCheck{}, errorf(CodeBadIndex, "no claim %d", parent)
	}
	if d := g.claims[parent].Position.Depth(); d != g.cfg.MaxDepth {
		return StepCheck{}, errorf(CodeDepth, "claim %d is at depth %d, a step needs %d", parent, d, g.cfg.MaxDepth)
	}
	pre, post, index, err := g.transition(parent, attack, g.cfg.MaxDepth, g.cfg.AbsolutePrestate)
	if err != nil {
		return StepCheck{}, err
	}
	if h := Keccak(stateData); !equalIgnoringStatus(h, pre) {
		return StepCheck{}, errorf(CodeStepPrestate, "state data hashes to %s, prestate %s", h, pre)
	}
	sc := StepCheck{Claim: parent, Attack: attack, PreSteps: index, Pre: pre, PostClaim: post, Post: g.claims[post].Value}
	ctx := g.claims[parent].Context
	sc.Computed, sc.VerifyErr = g.cfg.verifier()(stateData, proof, ctx.LocalContext, g.stepData(ctx))
	if sc.VerifyErr == nil {
		sc.PostAgrees = sc.Computed == sc.Post
		postAgree := (g.claims[parent].Position.Depth()-g.claims[post].Position.Depth())%2 == 0
		sc.Counters = postAgree != sc.PostAgrees
	}
	return sc, nil
}
