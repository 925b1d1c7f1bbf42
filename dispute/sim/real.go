package sim

import (
	"fmt"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// RealLie is the proposer's fault in a real game (PlayReal): a wrong output
// commitment Leaf at node Node of block 1, defended in all three phases
// with a VM trace that lies from trace index From on, or from its middle
// step (half the steps of the node's trace under the false claim) when
// Middle is set.
type RealLie struct {
	Node   uint64
	Leaf   dispute.Hash
	From   uint64
	Middle bool
}

// RealGame is the game PlayReal played.
type RealGame struct {
	World   *trace.World // the chain and the game type
	VMDepth int          // the phase-3 depth used: MaxDepth − Split2 − 1
	Game    dispute.Game // the game at the end
	Result  Result
	// Steps are the honest challenger's VM steps, in the order it
	// submitted them (StepRecorder).
	Steps []dispute.Action
	// NodeSteps is the length of the lying node's trace under the false
	// claim, From the trace index the lie departs from; both 0 without a
	// lie.
	NodeSteps, From uint64
}

// PlayReal plays one real three-phase game on a chain of two blocks of the
// bundled model (block 0 runs test image image+1 of set, block 1 image
// image) with nv, the node program of nv.Profile in fpvm, as phase 3: the
// game StartReal builds, played by Play with DefaultPlay. The challenger's
// VM steps are kept in RealGame.Steps. Errors: StartReal's, and a trace
// the challenger could not compute (Solver.Err).
func PlayReal(set *trace.MNISTSet, model string, image int, nv *trace.NodeVM, lie *RealLie) (RealGame, error) {
	rg, g, agents, err := StartReal(set, model, image, nv, lie)
	if err != nil {
		return rg, err
	}
	rg.Game, rg.Result = Play(g, agents, DefaultPlay)
	return rg, rg.Finish(agents)
}

// StartReal builds the real game PlayReal plays, without playing it: the
// world (in rg), the game at time 0 holding the proposer's root, and the
// agents in turn order (the proposer, then the challenger wrapped in a
// StepRecorder). The VM depth is the least that holds the model's
// registered step bound under that profile (Model.VMDepth, requirement
// DISPUTE-VMDEPTH), plus one when that makes MaxDepth odd: with MaxDepth
// even the proposer posts the max-depth claim, so only the challenger's
// step can counter a wrong root. The proposer ("proposer") defends lie's
// wrong root with a Corrupt view, or posts the true root when lie is nil;
// the challenger (Honest) is the honest Solver, which also resolves. set
// must hold at least image+2 test images. Errors: the game type's
// (NewWorld), a lie at a node the model does not have, a lying trace
// longer than phase 3 holds, the views', and NewGame's.
func StartReal(set *trace.MNISTSet, model string, image int, nv *trace.NodeVM, lie *RealLie) (rg RealGame, g dispute.Game, agents []Agent, err error) {
	const block = 1
	r := set.Model(model)
	if r == nil {
		return RealGame{}, g, nil, fmt.Errorf("unknown model %q", model)
	}
	wc := trace.WorldConfig{ModelsDir: set.Dir, Model: model, Split1: 1, VMDepth: r.VMDepth(nv.Profile), Images: []int{image + 1, image},
		VM: nv.Factory(), Prestate: nv.Program.Hash(), Profile: nv.Profile}
	w, err := set.NewWorld(wc)
	if err == nil && w.Cfg.MaxDepth%2 != 0 {
		wc.VMDepth++
		w, err = set.NewWorld(wc)
	}
	if err != nil {
		return RealGame{}, g, nil, err
	}
	rg = RealGame{World: w, VMDepth: wc.VMDepth}
	var view trace.View = w.Truth
	if lie != nil {
		if view, err = rg.lie(block, lie); err != nil {
			return rg, g, nil, err
		}
	}
	g, err = dispute.NewGame(w.Cfg, view.Output(block), "proposer", 0)
	if err != nil {
		return rg, g, nil, err
	}
	challenger := &StepRecorder{Agent: &Solver{Party: Honest, View: w.Truth, Resolve: true}}
	return rg, g, []Agent{&Solver{Party: "proposer", View: view}, challenger}, nil
}

// lie returns the proposer's Corrupt view of lie at block and records the
// lying trace's length and departure in rg.
func (rg *RealGame) lie(block uint64, lie *RealLie) (trace.View, error) {
	w := rg.World
	if lie.Node >= w.Nodes {
		return nil, fmt.Errorf("node %d: the model has %d nodes", lie.Node, w.Nodes)
	}
	vt, err := w.Truth.VM(block, lie.Node, lie.Leaf)
	if err != nil {
		return nil, err
	}
	rg.NodeSteps, rg.From = vt.Steps(), lie.From
	if rg.NodeSteps > 1<<rg.VMDepth {
		return nil, fmt.Errorf("the lying trace has %d steps, more than 2^%d", rg.NodeSteps, rg.VMDepth)
	}
	if lie.Middle {
		rg.From = rg.NodeSteps / 2
	}
	return trace.NewCorrupt(w.Truth, block, lie.Node, lie.Leaf, rg.From)
}

// Finish records, after agents (StartReal's) have played, the
// challenger's VM steps in rg.Steps, and returns the challenger's view
// failure, if any (Solver.Err).
func (rg *RealGame) Finish(agents []Agent) error {
	rec := agents[len(agents)-1].(*StepRecorder)
	rg.Steps = rec.Steps
	if err := rec.Agent.(*Solver).Err; err != nil {
		return fmt.Errorf("the challenger's view failed: %v", err)
	}
	return nil
}
