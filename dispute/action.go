package dispute

import "fmt"

// Kind is the kind of an Action.
type Kind int

const (
	ActMove Kind = iota
	ActStep
	ActStepTransition
	ActUploadPreimage
	ActUploadTensor
	ActResolveClaim
	ActResolve
)

// String returns the kind's name.
func (k Kind) String() string {
	if k < ActMove || k > ActResolve {
		return fmt.Sprintf("kind %d", int(k))
	}
	return [...]string{"move", "step", "step-transition", "upload-preimage", "upload-tensor", "resolve-claim", "resolve"}[k]
}

// Action is one transaction of a party.
type Action struct {
	Kind   Kind
	Party  Address
	Move   Move // ActMove
	Claim  int  // ActStep, ActStepTransition, ActResolveClaim
	Attack bool // ActStep, ActStepTransition
	// StateData and Proof for ActStep; Data for uploads.
	StateData, Proof, Data []byte
}

// Apply applies a to g at time now. Errors: those of the action.
func Apply(g Game, now uint64, a Action) (Game, error) {
	switch a.Kind {
	case ActMove:
		m := a.Move
		m.Claimant = a.Party
		return g.Move(now, m)
	case ActStep:
		return g.Step(now, a.Party, a.Claim, a.Attack, a.StateData, a.Proof)
	case ActStepTransition:
		return g.StepTransition(now, a.Party, a.Claim, a.Attack)
	case ActUploadPreimage:
		return g.UploadPreimage(a.Data), nil
	case ActUploadTensor:
		return g.UploadTensor(a.Data), nil
	case ActResolveClaim:
		return g.ResolveClaim(now, a.Claim)
	case ActResolve:
		return g.Resolve()
	}
	return g, errorf(CodeBadIndex, "unknown action kind %d", a.Kind)
}
