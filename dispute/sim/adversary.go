package sim

import (
	"encoding/binary"
	"math/rand/v2"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// LastSecond delays an agent's moves and steps until the clock of the
// claim they answer has less than Margin seconds left.
type LastSecond struct {
	Agent
	Margin uint64
}

// Act filters the inner agent's actions.
func (l LastSecond) Act(g dispute.Game, now uint64) []dispute.Action {
	var out []dispute.Action
	for _, a := range l.Agent.Act(g, now) {
		target := a.Claim
		if a.Kind == dispute.ActMove {
			target = a.Move.Parent
		}
		switch a.Kind {
		case dispute.ActMove, dispute.ActStep, dispute.ActStepTransition:
			if g.ChallengerDuration(target, now)+l.Margin < g.Config().MaxClock {
				continue
			}
		}
		out = append(out, a)
	}
	return out
}

// Offline silences an agent between From and Until (seconds).
type Offline struct {
	Agent
	From, Until uint64
}

// Act returns nothing while offline.
func (o Offline) Act(g dispute.Game, now uint64) []dispute.Action {
	if now >= o.From && now < o.Until {
		return nil
	}
	return o.Agent.Act(g, now)
}

// Freeloader posts the correct value in the wrong direction: for every
// claim of another party it agrees with, an attack carrying the truth at
// the attack position, and for every claim it disagrees with, a defense
// carrying the truth (both placed to mislead the leftmost-bond rule).
type Freeloader struct {
	Party dispute.Address
	View  trace.View
	Max   int // claims to post at most
	done  int
}

// Name returns the freeloader's party.
func (f *Freeloader) Name() dispute.Address { return f.Party }

// Act posts the misdirected true claims, at most Max in all.
func (f *Freeloader) Act(g dispute.Game, now uint64) []dispute.Action {
	st := &solve{s: &Solver{Party: f.Party, View: f.View}, g: g, now: now}
	for i := range g.Len() {
		c := g.Claim(i)
		if f.done >= f.Max || c.Claimant == f.Party || c.Position.Depth() >= g.Config().Split1 {
			continue
		}
		want, err := st.value(i)
		if err != nil {
			continue
		}
		attack := want == c.Value
		if !attack && g.Config().IsRoot(c.Position.Depth()) {
			continue
		}
		m, _, err := st.response(i, attack)
		if err == nil && st.try(dispute.Action{Kind: dispute.ActMove, Party: f.Party, Move: m}) {
			f.done++
		}
	}
	return st.out
}

// RightDefender wraps an adversarial solver: after every honest attack on
// one of its claims it also defends that claim with garbage, to the right
// of the honest counter (a claim nobody needs to counter, which must never
// win the parent's bond).
type RightDefender struct {
	*Solver
	Rand *rand.Rand
}

// Act returns the solver's actions and the garbage defenses.
func (r RightDefender) Act(g dispute.Game, now uint64) []dispute.Action {
	out := r.Solver.Act(g, now)
	st := &solve{s: r.Solver, g: g, now: now}
	for _, a := range out {
		st.try(a)
	}
	for i, c := range st.g.Claims() {
		if c.Claimant != r.Party || st.g.Config().IsRoot(c.Position.Depth()) || c.Position.Depth() >= g.Config().Split1 {
			continue
		}
		attacked, defended := false, false
		for _, ch := range c.Children {
			p := st.g.Claim(ch).Position
			attacked = attacked || (p == c.Position.Move(true) && st.g.Claim(ch).Claimant != r.Party)
			defended = defended || p == c.Position.Move(false)
		}
		if attacked && !defended {
			var v dispute.Hash
			binary.BigEndian.PutUint64(v[24:], r.Rand.Uint64())
			pos := c.Position.Move(false)
			st.try(dispute.Action{Kind: dispute.ActMove, Party: r.Party, Move: dispute.Move{Parent: i, Disputed: c.Value, Value: v, Bond: g.Config().Bond(pos.Depth())}})
		}
	}
	return st.out
}

// SelfBait wraps an adversarial proposer: it attacks its own root at once
// with the true value (the counter the honest party would post), so that
// its own claim, not the honest party's, counters the root.
type SelfBait struct {
	*Solver
	Truth trace.View
	done  bool
}

// Act counters the root once with the truth, then plays the solver.
func (s *SelfBait) Act(g dispute.Game, now uint64) []dispute.Action {
	if !s.done {
		s.done = true
		st := &solve{s: &Solver{Party: s.Party, View: s.Truth}, g: g, now: now}
		if m, _, err := st.response(0, true); err == nil {
			st.try(dispute.Action{Kind: dispute.ActMove, Party: s.Party, Move: m})
			return st.out
		}
	}
	return s.Solver.Act(g, now)
}

// Illegal submits one of every kind of illegal action each time it acts:
// a wrong bond, a defense of the root, a duplicate claim, a move past the
// maximum depth, a step on a non-leaf, a step with a wrong prestate, an
// unbound phase root, and moves on resolved claims. All must be rejected.
type Illegal struct {
	Party dispute.Address
	Rand  *rand.Rand
}

// Name returns the party.
func (il *Illegal) Name() dispute.Address { return il.Party }

// Act returns this turn's illegal actions.
func (il *Illegal) Act(g dispute.Game, now uint64) []dispute.Action {
	var out []dispute.Action
	n := g.Len()
	i := il.Rand.IntN(n)
	c := g.Claim(i)
	d := c.Position.Move(true).Depth()
	var v dispute.Hash
	binary.BigEndian.PutUint64(v[:8], il.Rand.Uint64())
	out = append(out,
		dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: i, Disputed: c.Value, Attack: true, Value: v, Bond: g.Config().Bond(d) + 1}},
		dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: 0, Disputed: g.Claim(0).Value, Value: v, Bond: g.Config().Bond(1)}},
		dispute.Action{Kind: dispute.ActStep, Party: il.Party, Claim: i, Attack: true, StateData: v[:]},
		dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: i, Disputed: v, Attack: true, Value: v, Bond: g.Config().Bond(d)}},
	)
	if len(c.Children) > 0 {
		ch := g.Claim(c.Children[0])
		out = append(out, dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: i, Disputed: c.Value, Attack: ch.Position == c.Position.Move(true), Value: ch.Value, Bond: ch.Bond, Opening: ch.Opening}})
	}
	for j := range g.Len() {
		cl := g.Claim(j)
		switch {
		case cl.Position.Depth() == g.Config().MaxDepth:
			out = append(out, dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: j, Disputed: cl.Value, Attack: true, Value: v, Bond: g.Config().Bond(g.Config().MaxDepth + 1)}})
		case cl.Resolved:
			out = append(out, dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: j, Disputed: cl.Value, Attack: true, Value: v, Bond: g.Config().Bond(cl.Position.Depth() + 1)}})
		case cl.Position.Depth() == g.Config().Split1:
			out = append(out, dispute.Action{Kind: dispute.ActMove, Party: il.Party, Move: dispute.Move{Parent: j, Disputed: cl.Value, Attack: true, Value: v, Bond: g.Config().Bond(g.Config().Split1 + 1),
				Opening: &dispute.Opening{Leaf: v}}})
		}
	}
	return out
}

// Flood posts garbage attacks against random phase-1 claims of other
// parties whose clocks run, PerAct per turn, until its Budget (gwei of
// bonds) is spent.
type Flood struct {
	Party  dispute.Address
	Budget uint64
	PerAct int
	Rand   *rand.Rand
	spent  uint64
}

// Name returns the party.
func (f *Flood) Name() dispute.Address { return f.Party }

// Act returns this turn's garbage attacks.
func (f *Flood) Act(g dispute.Game, now uint64) []dispute.Action {
	st := &solve{s: &Solver{Party: f.Party}, g: g, now: now}
	var targets []int
	for i := range g.Len() {
		c := g.Claim(i)
		if c.Claimant != f.Party && c.Position.Depth() < g.Config().Split1 && g.ChallengerDuration(i, now) < g.Config().MaxClock {
			targets = append(targets, i)
		}
	}
	for n := 0; n < f.PerAct && len(targets) > 0; n++ {
		i := targets[f.Rand.IntN(len(targets))]
		c := st.g.Claim(i)
		b := g.Config().Bond(c.Position.Depth() + 1)
		if f.spent+b > f.Budget {
			break
		}
		var v dispute.Hash
		binary.BigEndian.PutUint64(v[:8], f.Rand.Uint64())
		if st.try(dispute.Action{Kind: dispute.ActMove, Party: f.Party, Move: dispute.Move{Parent: i, Disputed: c.Value, Attack: true, Value: v, Bond: b}}) {
			f.spent += b
		}
	}
	return st.out
}

// Reckless wraps an adversarial solver: besides its own checked actions it
// submits, unchecked, a step against every max-depth claim of another party
// from its own trace, whose lying states have no witness (a poisoned
// prestate): the game must reject each with CodeStepPrestate or
// CodeValidStep.
type Reckless struct {
	*Solver
}

// Act returns the solver's actions and the unchecked steps.
func (r Reckless) Act(g dispute.Game, now uint64) []dispute.Action {
	out := r.Solver.Act(g, now)
	st := &solve{s: r.Solver, g: g, now: now}
	for i := range g.Len() {
		c := g.Claim(i)
		if c.Position.Depth() != g.Config().MaxDepth || c.Claimant == r.Party || c.CounteredBy != "" {
			continue
		}
		vm, err := st.vm(c.Context)
		if err != nil {
			continue
		}
		data, proof, _, err := vm.StepData(int64(st.index(c.Position)) - 1)
		if err == nil {
			out = append(out, dispute.Action{Kind: dispute.ActStep, Party: r.Party, Claim: i, Attack: true, StateData: data, Proof: proof})
		}
	}
	return out
}

// Exhaustive makes every move type at every claim, as op-challenger's
// exhaustive actor: against each claim (its own included) an attack and a
// defense carrying the truth and carrying the lie of its Corrupt view, and
// every step it can make, until it has posted Budget claims.
type Exhaustive struct {
	Party  dispute.Address
	Truth  trace.View
	Lie    trace.View
	Budget int
	posted int
}

// Name returns the party.
func (x *Exhaustive) Name() dispute.Address { return x.Party }

// Act returns every legal move it has not made yet, within the budget.
func (x *Exhaustive) Act(g dispute.Game, now uint64) []dispute.Action {
	var out []dispute.Action
	for _, view := range []trace.View{x.Lie, x.Truth} {
		st := &solve{s: &Solver{Party: x.Party, View: view}, g: g, now: now}
		for i := range g.Len() {
			c := g.Claim(i)
			if c.Position.Depth() == g.Config().MaxDepth {
				for _, attack := range []bool{true, false} {
					st.step(i, attack)
				}
				continue
			}
			for _, attack := range []bool{true, false} {
				if x.posted >= x.Budget {
					break
				}
				m, uploads, err := st.response(i, attack)
				if err != nil {
					continue
				}
				for _, u := range uploads {
					st.upload(u)
				}
				if st.try(dispute.Action{Kind: dispute.ActMove, Party: x.Party, Move: m}) {
					x.posted++
				}
			}
		}
		out = append(out, st.out...)
		g = st.g
	}
	return out
}

// TransitionStepper wraps an adversarial solver: after the solver's turn
// it tries a transition step, attack and defense, against every phase-2
// leaf of another party that no step has countered yet. Every such step
// that the rules accept against a true leaf is a soundness break (the one
// the old rule allowed: a well-formed lie as poststate counted as proven).
type TransitionStepper struct {
	*Solver
}

// Act returns the solver's actions and the transition steps.
func (ts TransitionStepper) Act(g dispute.Game, now uint64) []dispute.Action {
	st := &solve{s: ts.Solver, g: g, now: now}
	for _, a := range ts.Solver.Act(g, now) {
		st.try(a)
	}
	for i, c := range st.g.Claims() {
		if c.Position.Depth() != g.Config().Split2 || c.Claimant == ts.Party || c.CounteredBy != "" || c.Resolved {
			continue
		}
		for _, attack := range []bool{true, false} {
			st.try(dispute.Action{Kind: dispute.ActStepTransition, Party: ts.Party, Claim: i, Attack: attack})
		}
	}
	return st.out
}
