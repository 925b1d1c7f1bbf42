package sim

import (
	"github.com/opcity-spec/opcity/dispute"
)

// Agent is a party of the game: at each simulated instant it returns the
// actions it submits, in order, given the game.
type Agent interface {
	Name() dispute.Address
	Act(g dispute.Game, now uint64) []dispute.Action
}

// StepRecorder passes an agent's actions through unchanged and keeps the
// VM steps (ActStep) among them, in the order the agent returned them,
// whether or not the game accepted them.
type StepRecorder struct {
	Agent
	Steps []dispute.Action
}

// Act returns the inner agent's actions and records its steps.
func (r *StepRecorder) Act(g dispute.Game, now uint64) []dispute.Action {
	acts := r.Agent.Act(g, now)
	for _, a := range acts {
		if a.Kind == dispute.ActStep {
			r.Steps = append(r.Steps, a)
		}
	}
	return acts
}
