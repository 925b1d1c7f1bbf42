package demo

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/opcity-spec/opcity/dispute/play"
)

// game is part 3: a real three-phase game on a chain of two blocks in
// which the proposer's output is wrong at node o.LieNode of block 1 and its
// VM trace lies from the middle step; the honest challenger must win by a
// step that spec.VerifyStep executes, with no honest claim countered and
// every honest bond returned.
func game(w io.Writer, o Options, _ string) error {
	fmt.Fprintf(w, "3. Dispute: a proposer lies about node %d's output; outputs -> graph -> VM step\n", o.LieNode)
	rep, err := play.Play(play.RealOptions{Model: "mlp.opml", Data: filepath.Join(o.Root, "models", "mnist"), Root: o.Root, Image: o.Image,
		Lie: play.Lie{Kind: "node", Value: uint64(o.LieNode)}, Node: -1, Profile: "base"})
	if err != nil {
		return err
	}
	si := rep.SteppedInstruction
	if si == nil || len(rep.Phases) != 3 {
		return fmt.Errorf("the game ended without a VM step (winner %s, %d phases)", rep.Winner, len(rep.Phases))
	}
	for _, p := range rep.Phases[:2] {
		fmt.Fprintf(w, "   phase %d (%s): %d claims; narrowed to %s\n", p.Phase, p.Name, p.Claims, p.Disputed)
	}
	fmt.Fprintf(w, "   phase 3 (%s): %d claims; bisected the node's execution (%s steps in the lie's trace) to instruction %s\n",
		rep.Phases[2].Name, rep.Phases[2].Claims, commas(rep.NodeSteps), commas(si.PreSteps+1))
	dir := "defense"
	if si.Attack {
		dir = "attack"
	}
	fmt.Fprintf(w, "   the %s party's step (%s against claim #%d): instruction %s (pc %s, %s) from the state both sides agree on;\n",
		si.Stepper, dir, si.Claim, commas(si.PreSteps+1), si.PC, si.Mnemonic)
	fmt.Fprintf(w, "   spec.VerifyStep: %s, post-state %s; by the step rule it counters claim #%d: %v\n", si.VerifyStep, si.Computed, si.Claim, si.Counters)
	fmt.Fprintf(w, "   %s wins, as the truth requires, after %.2f days and %d claims; honest claims %d, countered %d; honest bonds %s gwei, returned %s gwei\n",
		rep.Winner, float64(rep.ResolvedS)/86400, rep.Claims, rep.HonestClaims, rep.HonestCountered, commas(rep.HonestBonds), commas(rep.HonestReturned))
	if !rep.Sound() || si.VerifyStep != "ok" || !si.Counters || rep.Winner != "challenger" {
		return fmt.Errorf("the lie was not defeated soundly: %+v", rep)
	}
	return nil
}
