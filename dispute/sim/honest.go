package sim

import (
	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// Solver is op-challenger's honest algorithm over a View
// (requirement DISPUTE-HONEST). With the true view it is the honest
// challenger and defender; with a corrupted view it is the natural
// adversary that defends its lie with the same rules. It counters a claim
// iff the claim is the root and it disagrees, or its parent is one of its
// own (honest) claims, or the parent has its planned counter and the claim
// is at a trace index at or left of that counter (freeloaders); it never
// counters its own claims, attacks what it disagrees with, defends what it
// agrees with (never a root), and steps at the maximum depth. Each action
// is checked against the game before it is returned, so it never submits
// an illegal move.
type Solver struct {
	Party dispute.Address
	View  trace.View
	// Resolve makes the solver also resolve every resolvable claim.
	Resolve bool
	// Err records the last view error (a trace the view cannot compute),
	// Dropped the last planned action the game would reject.
	Err, Dropped error

	values map[valueKey]dispute.Hash
}

// Name returns the solver's party.
func (s *Solver) Name() dispute.Address { return s.Party }

// solve is the state of one pass over the claims.
type solve struct {
	s       *Solver
	g       dispute.Game
	now     uint64
	honest  map[int]bool
	planned map[int]dispute.Position
	out     []dispute.Action
}

// Act returns the solver's actions at time now.
func (s *Solver) Act(g dispute.Game, now uint64) []dispute.Action {
	if g.Status() != dispute.InProgress {
		return nil
	}
	st := &solve{s: s, g: g, now: now, honest: map[int]bool{}, planned: map[int]dispute.Position{}}
	st.run()
	if s.Resolve {
		st.resolve()
	}
	return st.out
}

// Honest returns the claims s considers its own (honest) in g.
func (s *Solver) Honest(g dispute.Game) map[int]bool {
	st := &solve{s: s, g: g, now: 0, honest: map[int]bool{}, planned: map[int]dispute.Position{}}
	st.run()
	return st.honest
}

func (st *solve) run() {
	g := st.g
	if v, err := st.value(0); err == nil && v == g.Claim(0).Value {
		st.honest[0] = true
	}
	for i := range g.Len() {
		if st.honest[i] || !st.shouldCounter(i) {
			continue
		}
		if err := st.counter(i); err != nil {
			st.s.Err = err
		}
	}
}

func (st *solve) shouldCounter(i int) bool {
	c := st.g.Claim(i)
	if i == 0 {
		return true
	}
	if st.honest[c.Parent] {
		return true
	}
	resp, ok := st.planned[c.Parent]
	max := st.g.Config().MaxDepth
	return ok && c.Position.TraceIndex(max) <= resp.TraceIndex(max)
}

// counter plans the response to claim i.
func (st *solve) counter(i int) error {
	g, c := st.g, st.g.Claim(i)
	want, err := st.value(i)
	if err != nil {
		return err
	}
	agree := want == c.Value
	d := c.Position.Depth()
	if d == g.Config().MaxDepth {
		return st.step(i, !agree)
	}
	if agree && g.Config().IsRoot(d) {
		return nil
	}
	attack := !agree
	if d == g.Config().Split2 {
		_, ok, err := g.NextContext(i, attack)
		if err != nil {
			return err
		}
		if !ok {
			st.try(dispute.Action{Kind: dispute.ActStepTransition, Party: st.s.Party, Claim: i, Attack: attack})
			return nil
		}
	}
	pos := c.Position.Move(attack)
	st.planned[i] = pos
	for _, ch := range c.Children {
		if g.Claim(ch).Position != pos {
			continue
		}
		v, err := st.nextValue(i, attack)
		if err != nil {
			return err
		}
		if g.Claim(ch).Value == v {
			st.honest[ch] = true
			return nil
		}
	}
	m, uploads, err := st.response(i, attack)
	if err != nil {
		return err
	}
	for _, u := range uploads {
		st.upload(u)
	}
	if st.try(dispute.Action{Kind: dispute.ActMove, Party: st.s.Party, Move: m}) {
		st.honest[st.g.Len()-1] = true
	}
	return nil
}

// step plans a step against the max-depth claim i.
func (st *solve) step(i int, attack bool) error {
	c := st.g.Claim(i)
	if c.CounteredBy != "" {
		return nil
	}
	vm, err := st.vm(c.Context)
	if err != nil {
		return err
	}
	j := int64(st.index(c.Position))
	pre := j
	if attack {
		pre = j - 1
	}
	data, proof, img, err := vm.StepData(pre)
	if err != nil {
		return err
	}
	if img != nil && !st.g.HasPreimage(img) {
		st.try(dispute.Action{Kind: dispute.ActUploadPreimage, Party: st.s.Party, Data: img})
	}
	st.try(dispute.Action{Kind: dispute.ActStep, Party: st.s.Party, Claim: i, Attack: attack, StateData: data, Proof: proof})
	return nil
}

// upload plans a tensor upload unless the game already holds it.
func (st *solve) upload(data []byte) {
	if !st.g.HasTensor(data) {
		st.try(dispute.Action{Kind: dispute.ActUploadTensor, Party: st.s.Party, Data: data})
	}
}

// try applies a to the solver's copy of the game and keeps it if legal.
func (st *solve) try(a dispute.Action) bool {
	next, err := dispute.Apply(st.g, st.now, a)
	if err != nil {
		st.s.Dropped = err
		return false
	}
	st.g = next
	st.out = append(st.out, a)
	return true
}

// index returns the trace index of p within its phase.
func (st *solve) index(p dispute.Position) uint64 {
	return st.g.Config().PhaseIndex(p)
}

// value returns the view's value at claim i.
func (st *solve) value(i int) (dispute.Hash, error) {
	c := st.g.Claim(i)
	return st.valueAt(c.Position, c.Context)
}

func (st *solve) valueAt(p dispute.Position, ctx dispute.Context) (dispute.Hash, error) {
	key := valueKey{p, ctx}
	if v, ok := st.s.values[key]; ok {
		return v, nil
	}
	v, err := st.computeValue(p, ctx)
	if err == nil {
		if st.s.values == nil {
			st.s.values = map[valueKey]dispute.Hash{}
		}
		st.s.values[key] = v
	}
	return v, err
}

// valueKey names a view's value: a position in a phase context. A View is
// immutable, so the solver memoizes values across turns.
type valueKey struct {
	p   dispute.Position
	ctx dispute.Context
}

func (st *solve) computeValue(p dispute.Position, ctx dispute.Context) (dispute.Hash, error) {
	switch st.g.Config().Phase(p.Depth()) {
	case 1:
		return st.s.View.Output(p.TraceIndex(st.g.Config().Split1)), nil
	case 2:
		gt, err := st.s.View.Graph(ctx.Block)
		if err != nil {
			return dispute.Hash{}, err
		}
		return gt.State(st.index(p)), nil
	}
	vm, err := st.vm(ctx)
	if err != nil {
		return dispute.Hash{}, err
	}
	return vm.Hash(st.index(p))
}

func (st *solve) vm(ctx dispute.Context) (trace.VMTrace, error) {
	return st.s.View.VM(ctx.Block, ctx.Node, ctx.Output)
}

// nextContext returns the context of a move against claim i.
func (st *solve) nextContext(i int, attack bool) (dispute.Context, error) {
	g, c := st.g, st.g.Claim(i)
	if d := c.Position.Depth() + 1; d == g.Config().Split1+1 || d == g.Config().Split2+1 {
		next, _, err := g.NextContext(i, attack)
		return next, err
	}
	return c.Context, nil
}

// nextValue returns the view's value for a move against claim i.
func (st *solve) nextValue(i int, attack bool) (dispute.Hash, error) {
	ctx, err := st.nextContext(i, attack)
	if err != nil {
		return dispute.Hash{}, err
	}
	return st.valueAt(st.g.Claim(i).Position.Move(attack), ctx)
}

// response builds the move countering claim i, with the uploads it needs.
func (st *solve) response(i int, attack bool) (dispute.Move, [][]byte, error) {
	g, c := st.g, st.g.Claim(i)
	pos := c.Position.Move(attack)
	m := dispute.Move{Parent: i, Disputed: c.Value, Attack: attack, Bond: g.Config().Bond(pos.Depth())}
	d := pos.Depth()
	ctx, err := st.nextContext(i, attack)
	if err != nil {
		return m, nil, err
	}
	if m.Value, err = st.valueAt(pos, ctx); err != nil {
		return m, nil, err
	}
	var uploads [][]byte
	switch g.Config().Phase(d) {
	case 2:
		gt, err := st.s.View.Graph(ctx.Block)
		if err != nil {
			return m, nil, err
		}
		o := gt.Opening(st.index(pos))
		m.Opening = &o
	case 3:
		if d == g.Config().Split2+1 {
			gt, err := st.s.View.Graph(ctx.Block)
			if err != nil {
				return m, nil, err
			}
			m.Operands, uploads = gt.Operands(ctx.Node)
		}
	}
	return m, uploads, nil
}

// resolve plans the resolution of every resolvable claim, bottom-up, and
// of the game.
func (st *solve) resolve() {
	for {
		rs := st.g.Resolvable(st.now)
		if len(rs) == 0 {
			break
		}
		for _, i := range rs {
			st.try(dispute.Action{Kind: dispute.ActResolveClaim, Party: st.s.Party, Claim: i})
		}
	}
	if st.g.Claim(0).Resolved {
		st.try(dispute.Action{Kind: dispute.ActResolve, Party: st.s.Party})
	}
}
