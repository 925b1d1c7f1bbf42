package dispute

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"

	"github.com/opcity-spec/opcity/opml"
)

// Corrupt is the view of a party that believes node Node of block Block
// outputs Leaf (its true output is something else): its graph states from
// that node on, its output roots from that block on, and its VM traces of
// that node for the true and the false claim differ from the truth. Its VM
// trace lies from trace index Diverge on (clamped to the last index), with
// the final status it believes; it has no witness for a lying state, so
// any step from one fails (a poisoned prestate).
type Corrupt struct {
	Truth       *Truth
	Block, Node uint64
	Leaf        Hash
	Diverge     uint64

	graph   *GraphTrace
	outputs []Hash
}

// NewCorrupt returns the corrupted view.
func NewCorrupt(t *Truth, block, node uint64, leaf Hash, diverge uint64) (*Corrupt, error) {
	c := &Corrupt{Truth: t, Block: block, Node: node, Leaf: leaf, Diverge: diverge}
	tg, err := t.Graph(block)
	if err != nil {
		return nil, err
	}
	if node >= uint64(len(tg.States)) {
		return nil, fmt.Errorf("dispute: no node %d", node)
	}
	g := *tg
	first := uint64(g.Model.Model.FirstNodeTensor())
	g.Commitments = append([]Hash(nil), tg.Commitments...)
	g.Commitments[first+node] = leaf
	g.States = append([]Hash(nil), tg.States...)
	for k := node; k < uint64(len(g.States)); k++ {
		g.States[k] = opml.ComputeGraphRoot(g.Commitments[:first+k+1], len(g.Model.Model.Tensors))
	}
	c.graph = g.freeze()
	prev := t.cfg.Anchor
	for b := range t.jobs {
		final := t.outputs[b]
		if uint64(b) >= block {
			gt, _ := c.Graph(uint64(b))
			final = OutputRoot(prev, t.jobs[b], gt.Final())
		}
		c.outputs = append(c.outputs, final)
		prev = final
	}
	return c, nil
}

// Output returns the corrupted output root after block i.
func (c *Corrupt) Output(i uint64) Hash { return c.outputs[i] }

// Graph returns the corrupted graph trace of block b.
func (c *Corrupt) Graph(b uint64) (*GraphTrace, error) {
	if b == c.Block {
		return c.graph, nil
	}
	return c.Truth.Graph(b)
}

// VM returns the truth's trace, except for the corrupted node under the
// true or the false claim, where it returns a lying trace.
func (c *Corrupt) VM(b, k uint64, out Hash) (VMTrace, error) {
	t, err := c.Truth.VM(b, k, out)
	if err != nil || b != c.Block || k != c.Node {
		return t, err
	}
	tg, _ := c.Truth.Graph(b)
	trueLeaf := tg.Commitments[uint64(tg.Model.Model.FirstNodeTensor())+k]
	if out != c.Leaf && out != trueLeaf {
		return t, nil
	}
	status := byte(1)
	if out == c.Leaf {
		status = 0
	}
	return &lie{VMTrace: t, from: min(c.Diverge, t.Steps()-1), status: status, salt: out}, nil
}

// lie is a VM trace that departs from the truth at trace index from.
type lie struct {
	VMTrace
	from   uint64
	status byte
	salt   Hash
}

func (l *lie) Hash(j uint64) (Hash, error) {
	if j < l.from {
		return l.VMTrace.Hash(j)
	}
	last := l.Steps() - 1
	j = min(j, last)
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], j)
	h := keccak([]byte("lie"), l.salt[:], b[:])
	h[0] = 3
	if j == last {
		h[0] = l.status
	}
	return h, nil
}

func (l *lie) StepData(pre int64) ([]byte, []byte, []byte, error) {
	if pre < int64(l.from) {
		return l.VMTrace.StepData(pre)
	}
	h, _ := l.Hash(uint64(pre))
	return h[:], nil, nil, nil // no witness: the step will be rejected
}

// LastSecond delays an agent's moves and steps until the clock of the
// claim they answer has less than Margin seconds left.
type LastSecond struct {
	Agent
	Margin uint64
}

// Act filters the inner agent's actions.
func (l LastSecond) Act(g Game, now uint64) []Action {
	var out []Action
	for _, a := range l.Agent.Act(g, now) {
		target := a.Claim
		if a.Kind == ActMove {
			target = a.Move.Parent
		}
		switch a.Kind {
		case ActMove, ActStep, ActStepTransition:
			if g.ChallengerDuration(target, now)+l.Margin < g.cfg.MaxClock {
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
func (o Offline) Act(g Game, now uint64) []Action {
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
	Party Address
	View  View
	Max   int // claims to post at most
	done  int
}

// Name returns the freeloader's party.
func (f *Freeloader) Name() Address { return f.Party }

// Act posts the misdirected true claims, at most Max in all.
func (f *Freeloader) Act(g Game, now uint64) []Action {
	st := &solve{s: &Solver{Party: f.Party, View: f.View}, g: g, now: now}
	for i, c := range g.claims {
		if f.done >= f.Max || c.Claimant == f.Party || c.Position.Depth() >= g.cfg.Split1 {
			continue
		}
		want, err := st.value(i)
		if err != nil {
			continue
		}
		attack := want == c.Value
		if !attack && g.isRoot(c.Position.Depth()) {
			continue
		}
		m, _, err := st.response(i, attack)
		if err == nil && st.try(Action{Kind: ActMove, Party: f.Party, Move: m}) {
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
func (r RightDefender) Act(g Game, now uint64) []Action {
	out := r.Solver.Act(g, now)
	st := &solve{s: r.Solver, g: g, now: now}
	for _, a := range out {
		st.try(a)
	}
	for i, c := range st.g.claims {
		if c.Claimant != r.Party || st.g.isRoot(c.Position.Depth()) || c.Position.Depth() >= g.cfg.Split1 {
			continue
		}
		attacked, defended := false, false
		for _, ch := range c.Children {
			p := st.g.claims[ch].Position
			attacked = attacked || (p == c.Position.Move(true) && st.g.claims[ch].Claimant != r.Party)
			defended = defended || p == c.Position.Move(false)
		}
		if attacked && !defended {
			var v Hash
			binary.BigEndian.PutUint64(v[24:], r.Rand.Uint64())
			pos := c.Position.Move(false)
			st.try(Action{Kind: ActMove, Party: r.Party, Move: Move{Parent: i, Disputed: c.Value, Value: v, Bond: g.cfg.Bond(pos.Depth())}})
		}
	}
	return st.out
}

// SelfBait wraps an adversarial proposer: it attacks its own root at once
// with the true value (the counter the honest party would post), so that
// its own claim, not the honest party's, counters the root.
type SelfBait struct {
	*Solver
	Truth View
	done  bool
}

// Act counters the root once with the truth, then plays the solver.
func (s *SelfBait) Act(g Game, now uint64) []Action {
	if !s.done {
		s.done = true
		st := &solve{s: &Solver{Party: s.Party, View: s.Truth}, g: g, now: now}
		if m, _, err := st.response(0, true); err == nil {
			st.try(Action{Kind: ActMove, Party: s.Party, Move: m})
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
	Party Address
	Rand  *rand.Rand
}

// Name returns the party.
func (il *Illegal) Name() Address { return il.Party }

// Act returns this turn's illegal actions.
func (il *Illegal) Act(g Game, now uint64) []Action {
	var out []Action
	n := g.Len()
	i := il.Rand.IntN(n)
	c := g.claims[i]
	d := c.Position.Move(true).Depth()
	var v Hash
	binary.BigEndian.PutUint64(v[:8], il.Rand.Uint64())
	out = append(out,
		Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: i, Disputed: c.Value, Attack: true, Value: v, Bond: g.cfg.Bond(d) + 1}},
		Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: 0, Disputed: g.claims[0].Value, Value: v, Bond: g.cfg.Bond(1)}},
		Action{Kind: ActStep, Party: il.Party, Claim: i, Attack: true, StateData: v[:]},
		Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: i, Disputed: v, Attack: true, Value: v, Bond: g.cfg.Bond(d)}},
	)
	if len(c.Children) > 0 {
		ch := g.claims[c.Children[0]]
		out = append(out, Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: i, Disputed: c.Value, Attack: ch.Position == c.Position.Move(true), Value: ch.Value, Bond: ch.Bond, Opening: ch.Opening}})
	}
	for j, cl := range g.claims {
		switch {
		case cl.Position.Depth() == g.cfg.MaxDepth:
			out = append(out, Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: j, Disputed: cl.Value, Attack: true, Value: v, Bond: g.cfg.Bond(g.cfg.MaxDepth + 1)}})
		case cl.Resolved:
			out = append(out, Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: j, Disputed: cl.Value, Attack: true, Value: v, Bond: g.cfg.Bond(cl.Position.Depth() + 1)}})
		case cl.Position.Depth() == g.cfg.Split1:
			out = append(out, Action{Kind: ActMove, Party: il.Party, Move: Move{Parent: j, Disputed: cl.Value, Attack: true, Value: v, Bond: g.cfg.Bond(g.cfg.Split1 + 1),
				Opening: &Opening{Leaf: v}}})
		}
	}
	return out
}

// Flood posts garbage attacks against random phase-1 claims of other
// parties whose clocks run, PerAct per turn, until its Budget (gwei of
// bonds) is spent.
type Flood struct {
	Party  Address
	Budget uint64
	PerAct int
	Rand   *rand.Rand
	spent  uint64
}

// Name returns the party.
func (f *Flood) Name() Address { return f.Party }

// Act returns this turn's garbage attacks.
func (f *Flood) Act(g Game, now uint64) []Action {
	st := &solve{s: &Solver{Party: f.Party}, g: g, now: now}
	var targets []int
	for i, c := range g.claims {
		if c.Claimant != f.Party && c.Position.Depth() < g.cfg.Split1 && g.ChallengerDuration(i, now) < g.cfg.MaxClock {
			targets = append(targets, i)
		}
	}
	for n := 0; n < f.PerAct && len(targets) > 0; n++ {
		i := targets[f.Rand.IntN(len(targets))]
		c := st.g.claims[i]
		b := g.cfg.Bond(c.Position.Depth() + 1)
		if f.spent+b > f.Budget {
			break
		}
		var v Hash
		binary.BigEndian.PutUint64(v[:8], f.Rand.Uint64())
		if st.try(Action{Kind: ActMove, Party: f.Party, Move: Move{Parent: i, Disputed: c.Value, Attack: true, Value: v, Bond: b}}) {
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
func (r Reckless) Act(g Game, now uint64) []Action {
	out := r.Solver.Act(g, now)
	st := &solve{s: r.Solver, g: g, now: now}
	for i, c := range g.claims {
		if c.Position.Depth() != g.cfg.MaxDepth || c.Claimant == r.Party || c.CounteredBy != "" {
			continue
		}
		vm, err := st.vm(c.Context)
		if err != nil {
			continue
		}
		data, proof, _, err := vm.StepData(int64(st.index(c.Position)) - 1)
		if err == nil {
			out = append(out, Action{Kind: ActStep, Party: r.Party, Claim: i, Attack: true, StateData: data, Proof: proof})
		}
	}
	return out
}

// Exhaustive makes every move type at every claim, as op-challenger's
// exhaustive actor: against each claim (its own included) an attack and a
// defense carrying the truth and carrying the lie of its Corrupt view, and
// every step it can make, until it has posted Budget claims.
type Exhaustive struct {
	Party  Address
	Truth  View
	Lie    View
	Budget int
	posted int
}

// Name returns the party.
func (x *Exhaustive) Name() Address { return x.Party }

// Act returns every legal move it has not made yet, within the budget.
func (x *Exhaustive) Act(g Game, now uint64) []Action {
	var out []Action
	for _, view := range []View{x.Lie, x.Truth} {
		st := &solve{s: &Solver{Party: x.Party, View: view}, g: g, now: now}
		for i, c := range g.claims {
			if c.Position.Depth() == g.cfg.MaxDepth {
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
				if st.try(Action{Kind: ActMove, Party: x.Party, Move: m}) {
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
func (ts TransitionStepper) Act(g Game, now uint64) []Action {
	st := &solve{s: ts.Solver, g: g, now: now}
	for _, a := range ts.Solver.Act(g, now) {
		st.try(a)
	}
	for i, c := range st.g.claims {
		if c.Position.Depth() != g.cfg.Split2 || c.Claimant == ts.Party || c.CounteredBy != "" || c.Resolved {
			continue
		}
		for _, attack := range []bool{true, false} {
			st.try(Action{Kind: ActStepTransition, Party: ts.Party, Claim: i, Attack: attack})
		}
	}
	return st.out
}
