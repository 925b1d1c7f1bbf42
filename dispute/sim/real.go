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
// image) with nv, the node program of nv.Profile in fpvm, as phase 3. The
// VM depth is the least that holds the model's registered step bound under
// that profile (Model.VMDepth, requirement DISPUTE-VMDEPTH), plus one when
// that makes MaxDepth odd: with MaxDepth even the proposer posts the
// max-depth claim, so only the challenger's step can counter a wrong root.
// The proposer ("proposer") defends lie's wrong root with a Corrupt view,
// or posts the true root when lie is nil; the challenger (Honest) is the
// honest Solver, which also resolves. set must hold at least image+2 test
// images. Errors: the game type's (NewWorld), a lie at a node the model
// does not have, a lying trace longer than phase 3 holds, the views', and a
// trace the challenger could not compute (Solver.Err).
func PlayReal(set *trace.MNISTSet, model string, image int, nv *trace.NodeVM, lie *RealLie) (RealGame, error) {
	const block = 1
	r := set.Model(model)
	if r == nil {
		return RealGame{}, fmt.Errorf("unknown model %q", model)
	}
	wc := trace.WorldConfig{ModelsDir: set.Dir, Model: model, Split1: 1, VMDepth: r.VMDepth(nv.Profile), Images: []int{image + 1, image},
		VM: nv.Factory(), Prestate: nv.Program.Hash(), Profile: nv.Profile}
	w, err := set.NewWorld(wc)
	if err == nil && w.Cfg.MaxDepth%2 != 0 {
		wc.VMDepth++
		w, err = set.NewWorld(wc)
	}
	if err != nil {
		return RealGame{}, err
	}
	rg := RealGame{World: w, VMDepth: wc.VMDepth}
	var view trace.View = w.Truth
	if lie != nil {
		if lie.Node >= w.Nodes {
			return rg, fmt.Errorf("node %d: the model has %d nodes", lie.Node, w.Nodes)
		}
		vt, err := w.Truth.VM(block, lie.Node, lie.Leaf)
		if err != nil {
			return rg, err
		}
		rg.NodeSteps, rg.From = vt.Steps(), lie.From
		if rg.NodeSteps > 1<<wc.VMDepth {
			return rg, fmt.Errorf("the lying trace has %d steps, more than 2^%d", rg.NodeSteps, wc.VMDepth)
		}
		if lie.Middle {
			rg.From = rg.NodeSteps / 2
		}
		if view, err = trace.NewCorrupt(w.Truth, block, lie.Node, lie.Leaf, rg.From); err != nil {
			return rg, err
		}
	}
	challenger := &Solver{Party: Honest, View: w.Truth, Resolve: true}
	h := &StepRecorder{Agent: challenger}
	g, err := dispute.NewGame(w.Cfg, view.Output(block), "proposer", 0)
	if err != nil {
		return rg, err
	}
	rg.Game, rg.Result = Play(g, []Agent{&Solver{Party: "proposer", View: view}, h}, DefaultPlay)
	rg.Steps = h.Steps
	if challenger.Err != nil {
		return rg, fmt.Errorf("the challenger's view failed: %v", challenger.Err)
	}
	return rg, nil
}
