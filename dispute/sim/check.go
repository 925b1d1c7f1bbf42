package sim

import (
	"encoding/binary"
	"fmt"
	"reflect"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// CheckActionSequence plays the actions that data decodes to on a game over
// w's chain whose root is the proposer's (wrong, at node 0 of the last block
// when lie is true; the truth otherwise) and checks, after every action,
// requirement DISPUTE-ILLEGAL: a rejected action returns an *Error whose
// Code is one of the defined codes and leaves the game unchanged (deeply,
// and claim by claim). Once the bytes run out it lets every clock expire,
// resolves every claim bottom-up, each exactly once (a second ResolveClaim
// is CodeResolved), resolves the game and checks that the credits sum to the
// bonds posted (DISPUTE-BOND). It returns the first violation, nil if none;
// it must never panic (requirement DISPUTE-FUZZ).
//
// Byte layout, repeated until data runs out (a missing byte reads as 0):
//
//	offset  meaning
//	0       op: low 3 bits choose the action, the rest are flags
//	1       claim index (mod Len()+2, minus 1: −1 and Len() are out of range)
//	2       bond selector / step direction
//	3       value selector
//	4       seconds to advance before the action, in units of 1,800 s
//
// Actions: 0 the honest solver's turn, 1 the lying solver's turn, 2 a move
// with the chosen parent, direction, bond and value, 3 a step with the
// chosen state data, 4 a transition step, 5 resolve a claim, 6 resolve the
// game, 7 advance the clock by up to 255 hours.
func CheckActionSequence(w *trace.World, data []byte) error {
	lie, err := trace.NewCorrupt(w.Truth, w.Blocks-1, 0, dispute.Hash{0xbd, 31: 1}, 7)
	if err != nil {
		return err
	}
	g, err := dispute.NewGame(w.Cfg, lie.Output(w.Blocks-1), "liar", 0)
	if err != nil {
		return err
	}
	ck := &seqCheck{w: w, g: g, data: data,
		honest: &Solver{Party: Honest, View: w.Truth, Resolve: true}, liar: &Solver{Party: "liar", View: lie}}
	for len(ck.data) > 0 {
		if err := ck.next(); err != nil {
			return err
		}
	}
	return ck.finish()
}

// seqCheck is the state of one CheckActionSequence run.
type seqCheck struct {
	w            *trace.World
	g            dispute.Game
	now          uint64
	data         []byte
	honest, liar *Solver
}

func (ck *seqCheck) byte() byte {
	if len(ck.data) == 0 {
		return 0
	}
	b := ck.data[0]
	ck.data = ck.data[1:]
	return b
}

// next decodes and applies one action.
func (ck *seqCheck) next() error {
	op, idx, sel, val, dt := ck.byte(), ck.byte(), ck.byte(), ck.byte(), ck.byte()
	ck.now += uint64(dt) * 1800
	i := int(idx)%(ck.g.Len()+2) - 1
	switch op & 7 {
	case 0, 1:
		s := ck.honest
		if op&7 == 1 {
			s = ck.liar
		}
		for _, a := range s.Act(ck.g, ck.now) {
			if err := ck.apply(a); err != nil {
				return err
			}
		}
		return nil
	case 2:
		return ck.apply(dispute.Action{Kind: dispute.ActMove, Party: "fuzz", Move: ck.move(i, op, sel, val)})
	case 3:
		return ck.apply(dispute.Action{Kind: dispute.ActStep, Party: "fuzz", Claim: i, Attack: sel&1 == 0, StateData: ck.stateData(i, val)})
	case 4:
		return ck.apply(dispute.Action{Kind: dispute.ActStepTransition, Party: "fuzz", Claim: i, Attack: sel&1 == 0})
	case 5:
		return ck.apply(dispute.Action{Kind: dispute.ActResolveClaim, Party: "fuzz", Claim: i})
	case 6:
		return ck.apply(dispute.Action{Kind: dispute.ActResolve, Party: "fuzz"})
	}
	ck.now += uint64(sel) * 3600
	return nil
}

// move builds a move against claim i: flags of op choose the direction and
// whether Disputed is the parent's value; sel the bond (exact, off by one,
// the parent's depth's, or arbitrary); val the value (arbitrary, the
// parent's, or the parent's with one bit flipped) and whether the parent's
// opening is reused.
func (ck *seqCheck) move(i int, op, sel, val byte) dispute.Move {
	m := dispute.Move{Parent: i, Attack: op&8 == 0, Value: dispute.Hash{val, 31: sel}}
	depth := 0
	if i >= 0 && i < ck.g.Len() {
		c := ck.g.Claim(i)
		depth = c.Position.Depth()
		if op&16 == 0 {
			m.Disputed = c.Value
		}
		switch val % 3 {
		case 1:
			m.Value = c.Value
		case 2:
			m.Value = c.Value
			m.Value[31] ^= 1
		}
		if val&8 != 0 && c.Opening != nil {
			m.Opening = &dispute.Opening{Leaf: c.Opening.Leaf, Siblings: c.Opening.Siblings}
		}
	}
	bondAt := func(d int) uint64 {
		if d < 0 || d > ck.g.Config().MaxDepth {
			return uint64(d)
		}
		return ck.g.Config().Bond(d)
	}
	switch sel % 4 {
	case 0:
		m.Bond = bondAt(depth + 1)
	case 1:
		m.Bond = bondAt(depth+1) - 1
	case 2:
		m.Bond = bondAt(depth)
	default:
		m.Bond = binary.BigEndian.Uint64([]byte{sel, val, 0, 0, 0, 0, 0, 0})
	}
	return m
}

// stateData returns the state data of a step against claim i: the
// honest trace's (when val is even and i is a phase-3 claim), else junk.
func (ck *seqCheck) stateData(i int, val byte) []byte {
	junk := []byte{val, 1, 2, 3}
	if val&1 != 0 || i < 0 || i >= ck.g.Len() || ck.g.Config().Phase(ck.g.Claim(i).Position.Depth()) != 3 {
		return junk
	}
	ctx := ck.g.Claim(i).Context
	t, err := ck.w.Truth.VM(ctx.Block, ctx.Node, ctx.Output)
	if err != nil {
		return junk
	}
	j := ck.g.Claim(i).Position.TraceIndex(ck.g.Config().MaxDepth) & (1<<uint(ck.g.Config().MaxDepth-ck.g.Config().Split2-1) - 1)
	sd, _, _, err := t.StepData(int64(j) - 1)
	if err != nil {
		return junk
	}
	return sd
}

// apply applies a and checks the rejection contract.
func (ck *seqCheck) apply(a dispute.Action) error {
	before := fingerprint(ck.g)
	next, err := dispute.Apply(ck.g, ck.now, a)
	if err == nil {
		ck.g = next
		return nil
	}
	if c := dispute.CodeOf(err); c < dispute.CodeGameOver || c > dispute.CodeBadConfig {
		return fmt.Errorf("%v of claim %d at %d s: untyped or undefined error %v", a.Kind, a.Claim, ck.now, err)
	}
	if !reflect.DeepEqual(next, ck.g) || fingerprint(ck.g) != before || fingerprint(next) != before {
		return fmt.Errorf("%v of claim %d at %d s: rejected (%v) but the game changed", a.Kind, a.Claim, ck.now, err)
	}
	return nil
}

// finish resolves every claim once, bottom-up, and checks conservation.
func (ck *seqCheck) finish() error {
	g := ck.g
	late := ck.now + 4*g.Config().MaxClock + 365*86400
	for rs := g.Resolvable(late); len(rs) > 0 && g.Status() == dispute.InProgress; rs = g.Resolvable(late) {
		next, err := g.ResolveClaim(late, rs[0])
		if err != nil {
			return fmt.Errorf("claim %d is resolvable but ResolveClaim fails: %v", rs[0], err)
		}
		if _, err := next.ResolveClaim(late, rs[0]); dispute.CodeOf(err) != dispute.CodeResolved {
			return fmt.Errorf("claim %d resolved twice (%v)", rs[0], err)
		}
		g = next
	}
	if g.Status() == dispute.InProgress {
		var err error
		if g, err = g.Resolve(); err != nil {
			return fmt.Errorf("every claim resolved but Resolve fails: %v", err)
		}
	}
	for i, c := range g.Claims() {
		if !c.Resolved {
			return fmt.Errorf("claim %d never resolved", i)
		}
	}
	var paid uint64
	for a := range g.Credits() {
		paid += g.Credit(a)
	}
	if paid != g.Posted() {
		return fmt.Errorf("credits %d gwei, bonds posted %d gwei", paid, g.Posted())
	}
	return nil
}

// fingerprint is a claim-by-claim digest of a game, to catch a rejected
// action that mutated shared state in place.
func fingerprint(g dispute.Game) string {
	s := fmt.Sprintf("%v %d %d|", g.Status(), g.Posted(), len(g.PreimageKeys()))
	for _, c := range g.Claims() {
		s += fmt.Sprintf("%d %d %x %d %s %v %s %v %v %d", c.Parent, c.Position, c.Value, c.Bond, c.Claimant, c.Clock, c.CounteredBy, c.Resolved, c.Context, len(c.Children))
		if c.Opening != nil {
			s += fmt.Sprintf(" %x %d", c.Opening.Leaf, len(c.Opening.Siblings))
		}
		s += "|"
	}
	return s
}
