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
	for _, p := range rep.Phases {
		fmt.Fprintf(w, "   phase %d (%s): %d claims; narrowed to %s\n", p.Phase, p.Name, p.Claims, p.Disputed)
	}
	si := rep.SteppedInstruction
	if si == nil {
		return fmt.Errorf("the game ended without a VM step (winner %s)", rep.Winner)
	}
	fmt.Fprintf(w, "   the %s stepped instruction %d (pc %s, %s): spec.VerifyStep %s, post-state %s, the claim %s: it counters the lie: %v\n",
		si.Stepper, si.PreSteps+1, si.PC, si.Mnemonic, si.VerifyStep, si.Computed, si.PostClaim, si.Counters)
	fmt.Fprintf(w, "   %s wins, as the truth requires (%s), after %.2f days and %d claims; honest claims %d, countered %d; honest bonds %d gwei, returned %d gwei\n",
		rep.Winner, rep.Expected, float64(rep.ResolvedS)/86400, rep.Claims, rep.HonestClaims, rep.HonestCountered, rep.HonestBonds, rep.HonestReturned)
	if !rep.Sound() || si.VerifyStep != "ok" || !si.Counters || rep.Winner != "challenger" {
		return fmt.Errorf("the lie was not defeated soundly: %+v", rep)
	}
	return nil
}
