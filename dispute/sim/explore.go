package sim

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/trace"
)

// The exhaustive checker (requirement DISPUTE-EXHAUSTIVE, docs/dispute.md
// §14.1): from a game's start, every sequence of legal adversary actions up
// to a bound, the honest solver answering after each one, with every
// reachable state checked against the soundness invariants (CheckState).
// States are deduplicated by a digest of the whole game and the time, so
// the bound counts adversary actions, not sequences.

// Adversary is the address of the checker's adversary.
const Adversary dispute.Address = "adversary"

// AdvAction is one adversary transaction, or a wait: Wait seconds pass,
// then Acts are applied in order (an upload and the move that needs it
// travel together) and must all be accepted.
type AdvAction struct {
	Desc  string
	Claim int // the claim it acts on; −1 for waits, uploads and resolving the game
	Wait  uint64
	Acts  []dispute.Action
}

// Explorer enumerates an adversary's actions and checks states of games
// over World. Lie is the adversary's belief, the source of its wrong
// values beside the truth and junk; the honest party is a Solver over the
// truth that also resolves.
type Explorer struct {
	World *trace.World
	Lie   trace.View

	honest, truth, lie *Solver
}

// NewExplorer returns an explorer of w's games against an adversary that
// believes lie.
func NewExplorer(w *trace.World, lie trace.View) *Explorer {
	return &Explorer{World: w, Lie: lie,
		honest: &Solver{Party: Honest, View: w.Truth, Resolve: true},
		truth:  &Solver{Party: Adversary, View: w.Truth},
		lie:    &Solver{Party: Adversary, View: lie}}
}

// Start returns the game at time 0: the truth's root proposed by the
// honest party, or the lie's root proposed by the adversary; the honest
// party has answered it.
func (x *Explorer) Start(honestRoot bool) (dispute.Game, error) {
	_, g, _, err := x.start(honestRoot)
	return g, err
}

// start is Start that also returns the game before the honest answer and
// that answer.
func (x *Explorer) start(honestRoot bool) (root, g dispute.Game, honest []dispute.Action, err error) {
	last := x.World.Blocks - 1
	value, prop := x.Lie.Output(last), Adversary
	if honestRoot {
		value, prop = x.World.Truth.Output(last), Honest
	}
	root, err = dispute.NewGame(x.World.Cfg, value, prop, 0)
	if err != nil {
		return root, root, nil, err
	}
	g, honest, err = x.respond(root, 0)
	return root, g, honest, err
}

// RootCorrect reports whether g's root claim is the truth.
func (x *Explorer) RootCorrect(g dispute.Game) bool {
	return g.Claim(0).Value == x.World.Truth.Output(x.World.Blocks-1)
}

// Respond applies the honest solver's actions at time now. An honest
// action the game rejects, or a trace the solver cannot compute, is a
// violation: the honest party must always be able to answer.
func (x *Explorer) Respond(g dispute.Game, now uint64) (dispute.Game, error) {
	g, _, err := x.respond(g, now)
	return g, err
}

// respond is Respond that also returns the honest actions it applied.
func (x *Explorer) respond(g dispute.Game, now uint64) (dispute.Game, []dispute.Action, error) {
	x.honest.Err, x.honest.Dropped = nil, nil
	acts := x.honest.Act(g, now)
	if x.honest.Err != nil {
		return g, nil, fmt.Errorf("the honest solver cannot answer at %d s: %v", now, x.honest.Err)
	}
	for i, a := range acts {
		next, err := dispute.Apply(g, now, a)
		if err != nil {
			return g, acts[:i], fmt.Errorf("the honest %v of claim %d is rejected at %d s: %v", a.Kind, a.Claim, now, err)
		}
		g = next
	}
	return g, acts, nil
}

// Play applies a (waiting first) and the honest answer. It returns the
// new game and time; ok is false when the game rejects one of a's
// actions (the state is then unchanged), err a violation in the answer.
func (x *Explorer) Play(g dispute.Game, now uint64, a AdvAction) (dispute.Game, uint64, bool, error) {
	e, err := x.play(g, now, a)
	if !e.Accepted {
		return g, now, false, err
	}
	return e.To, e.At, true, err
}

// play is Play returning the whole edge: how many of a's actions were
// accepted, the rejection, and the honest answer.
func (x *Explorer) play(g dispute.Game, now uint64, a AdvAction) (Edge, error) {
	e := Edge{From: g, Now: now, Action: a, At: now + a.Wait, To: g}
	cur := g
	for _, act := range a.Acts {
		next, err := dispute.Apply(cur, e.At, act)
		if err != nil {
			e.Err = err
			return e, nil
		}
		cur = next
		e.Applied++
	}
	e.Accepted = true
	next, honest, err := x.respond(cur, e.At)
	e.To, e.Honest = next, honest
	return e, err
}

// Edge is one adversary action the search tried at a state, as the Go
// rules played it.
type Edge struct {
	From   dispute.Game // the state it was tried at
	Now    uint64       // the time of From
	Action AdvAction
	// At is Now + Action.Wait: the time of each of Action.Acts and of the
	// honest answer.
	At uint64
	// Applied counts the acts of Action.Acts the game accepted; when
	// Accepted is false, Action.Acts[Applied] is the one it rejected with
	// Err (the state stays From: the accepted ones are dropped too).
	Applied  int
	Err      error
	Accepted bool
	// Honest is the honest solver's answer at At, applied in order after
	// Action.Acts (accepted edges only); To is the state after it (From
	// when the edge is rejected).
	Honest []dispute.Action
	To     dispute.Game
}

// Actions returns every adversary action the checker tries at (g, now):
// against every unresolved claim, an attack and a defense carrying the
// truth's value, the lie's and junk (for phase-2 claims a well-formed and a
// malformed junk opening; for a phase-3 root junk of each VM status), with
// the uploads each needs; both steps from the truth's and the lie's state
// data at every uncountered max-depth claim; both transition steps at every
// uncountered phase-2 leaf; the upload of every operand tensor of the
// truth's graphs not yet held; the resolution of every resolvable claim and
// of the game; and two waits, to one second before and to the moment the
// next challenger clock runs out.
func (x *Explorer) Actions(g dispute.Game, now uint64) []AdvAction {
	if g.Status() != dispute.InProgress {
		return nil
	}
	var out []AdvAction
	cfg := g.Config()
	for i := range g.Len() {
		c := g.Claim(i)
		if c.Resolved {
			continue
		}
		d := c.Position.Depth()
		if d < cfg.MaxDepth {
			for _, attack := range []bool{true, false} {
				if !attack && g.Config().IsRoot(d) {
					continue
				}
				out = append(out, x.moves(g, now, i, attack)...)
			}
		}
		if c.CounteredBy != "" {
			continue
		}
		if d == cfg.MaxDepth {
			for _, attack := range []bool{true, false} {
				out = append(out, x.steps(g, i, attack)...)
			}
		}
		if d == cfg.Split2 {
			for _, attack := range []bool{true, false} {
				out = append(out, AdvAction{Desc: fmt.Sprintf("transition-step %s claim %d", dir(attack), i), Claim: i,
					Acts: []dispute.Action{{Kind: dispute.ActStepTransition, Party: Adversary, Claim: i, Attack: attack}}})
			}
		}
	}
	out = append(out, x.uploads(g)...)
	for _, i := range g.Resolvable(now) {
		out = append(out, AdvAction{Desc: fmt.Sprintf("resolve claim %d", i), Claim: i, Acts: []dispute.Action{{Kind: dispute.ActResolveClaim, Party: Adversary, Claim: i}}})
	}
	if g.Claim(0).Resolved {
		out = append(out, AdvAction{Desc: "resolve the game", Claim: -1, Acts: []dispute.Action{{Kind: dispute.ActResolve, Party: Adversary}}})
	}
	if t, ok := nextExpiry(g, now); ok {
		if t-now > 1 {
			out = append(out, AdvAction{Desc: fmt.Sprintf("wait %d s (a clock's last second)", t-now-1), Claim: -1, Wait: t - now - 1})
		}
		out = append(out, AdvAction{Desc: fmt.Sprintf("wait %d s (a clock runs out)", t-now), Claim: -1, Wait: t - now})
	}
	return out
}

func dir(attack bool) string {
	if attack {
		return "attack"
	}
	return "defend"
}

// moves returns the moves against claim i in one direction.
func (x *Explorer) moves(g dispute.Game, now uint64, i int, attack bool) []AdvAction {
	var out []AdvAction
	var base *dispute.Move
	var baseUploads [][]byte
	add := func(what string, m dispute.Move, uploads [][]byte) {
		a := AdvAction{Desc: fmt.Sprintf("%s claim %d with %s", dir(attack), i, what), Claim: i}
		for _, u := range uploads {
			if !g.HasTensor(u) {
				a.Acts = append(a.Acts, dispute.Action{Kind: dispute.ActUploadTensor, Party: Adversary, Data: u})
			}
		}
		a.Acts = append(a.Acts, dispute.Action{Kind: dispute.ActMove, Party: Adversary, Move: m})
		out = append(out, a)
	}
	for _, s := range []*Solver{x.truth, x.lie} {
		st := &solve{s: s, g: g, now: now}
		m, uploads, err := st.response(i, attack)
		if err != nil {
			continue
		}
		if s == x.truth {
			base, baseUploads = &m, uploads
			add("the truth", m, uploads)
		} else if base == nil || m.Value != base.Value {
			add("the lie", m, uploads)
		}
	}
	if base == nil {
		return out
	}
	pos := g.Claim(i).Position.Move(attack)
	junk := dispute.Keccak([]byte("opcity junk"), binary.BigEndian.AppendUint64(nil, uint64(pos)))
	switch d := pos.Depth(); {
	case g.Config().Phase(d) == 1:
		m := *base
		m.Value = junk
		add("junk", m, nil)
	case g.Config().Phase(d) == 2:
		st := &solve{s: x.truth, g: g, now: now}
		ctx, _ := st.nextContext(i, attack)
		idx := g.Config().Models[g.Jobs()[ctx.Block].Model].Entry(g.Config().NodeOf(pos))
		wf := *base
		wf.Opening = &dispute.Opening{Leaf: junk, Siblings: base.Opening.Siblings}
		wf.Value = wf.Opening.Root(idx)
		add("a junk leaf (well formed)", wf, nil)
		mal := *base
		sib := slices.Clone(base.Opening.Siblings)
		if len(sib) > 0 {
			sib[0][31] ^= 1
			mal.Opening = &dispute.Opening{Leaf: base.Opening.Leaf, Siblings: sib}
			mal.Value = mal.Opening.Root(idx)
			add("a junk opening (malformed)", mal, nil)
		}
	case d == g.Config().Split2+1:
		for _, status := range []byte{0, 1} {
			m := *base
			m.Value = junk
			m.Value[0] = status
			add(fmt.Sprintf("junk of status %d", status), m, baseUploads)
		}
	default:
		m := *base
		m.Value = junk
		m.Value[0] = 3
		add("junk", m, nil)
	}
	return out
}

// steps returns the VM steps against max-depth claim i in one direction,
// from the truth's and the lie's state data.
func (x *Explorer) steps(g dispute.Game, i int, attack bool) []AdvAction {
	var out []AdvAction
	var seen [][]byte
	for _, s := range []*Solver{x.truth, x.lie} {
		st := &solve{s: s, g: g}
		vm, err := st.vm(g.Claim(i).Context)
		if err != nil {
			continue
		}
		pre := int64(st.index(g.Claim(i).Position))
		if attack {
			pre--
		}
		data, proof, img, err := vm.StepData(pre)
		if err != nil || slices.ContainsFunc(seen, func(b []byte) bool { return string(b) == string(data) }) {
			continue
		}
		seen = append(seen, data)
		a := AdvAction{Desc: fmt.Sprintf("step %s claim %d from the %s", dir(attack), i, map[bool]string{true: "truth", false: "lie"}[s == x.truth]), Claim: i}
		if img != nil {
			a.Acts = append(a.Acts, dispute.Action{Kind: dispute.ActUploadPreimage, Party: Adversary, Data: img})
		}
		a.Acts = append(a.Acts, dispute.Action{Kind: dispute.ActStep, Party: Adversary, Claim: i, Attack: attack, StateData: data, Proof: proof})
		out = append(out, a)
	}
	return out
}

// uploads returns the upload of each operand tensor of the truth's graphs
// that the game does not hold yet.
func (x *Explorer) uploads(g dispute.Game) []AdvAction {
	var out []AdvAction
	for b := uint64(0); b < x.World.Blocks; b++ {
		gt, err := x.World.Truth.Graph(b)
		if err != nil {
			continue
		}
		for k := range gt.Model.Model.Nodes {
			_, data := gt.Operands(uint64(k))
			for _, u := range data {
				if !g.HasTensor(u) {
					out = append(out, AdvAction{Desc: fmt.Sprintf("upload an operand of node %d of block %d", k, b), Claim: -1,
						Acts: []dispute.Action{{Kind: dispute.ActUploadTensor, Party: Adversary, Data: u}}})
				}
			}
		}
	}
	return out
}

// nextExpiry returns the earliest time after now at which the challenger
// clock of an unresolved claim runs out.
func nextExpiry(g dispute.Game, now uint64) (uint64, bool) {
	var best uint64
	found := false
	for i := range g.Len() {
		c := g.Claim(i)
		if c.Resolved {
			continue
		}
		if d := g.ChallengerDuration(i, now); d < g.Config().MaxClock {
			t := now + g.Config().MaxClock - d
			if !found || t < best {
				best, found = t, true
			}
		}
	}
	return best, found
}

// CheckState checks the soundness invariants at a reachable state (g, now):
// no honest claim is countered; and if the adversary stops here and the
// honest party lets the clocks run and resolves, every claim resolves by
// the root's time plus Config.MaxDuration, the game ends as the truth
// requires, no honest claim was countered and each honest bond returns to
// it, and the credits sum to the bonds posted. It returns the first
// violation.
func (x *Explorer) CheckState(g dispute.Game, now uint64) error {
	if err := honestUncountered(g); err != nil {
		return err
	}
	end, t, err := x.Complete(g, now)
	if err != nil {
		return err
	}
	if limit := g.Claim(0).Clock.Timestamp + g.Config().MaxDuration(); t > limit {
		return fmt.Errorf("resolution at %d s, after the bound %d s", t, limit)
	}
	want := dispute.DefenderWins
	if !x.RootCorrect(g) {
		want = dispute.ChallengerWins
	}
	if end.Status() != want {
		return fmt.Errorf("the game ends %s, the truth requires %s", end.Status(), want)
	}
	if err := honestUncountered(end); err != nil {
		return fmt.Errorf("at resolution: %v", err)
	}
	var honestBonds, posted, paid uint64
	for _, c := range end.Claims() {
		if !c.Resolved {
			return fmt.Errorf("a claim at %d is unresolved at the end", c.Position)
		}
		posted += c.Bond
		if c.Claimant == Honest {
			honestBonds += c.Bond
		}
	}
	for _, v := range end.Credits() {
		paid += v
	}
	if posted != end.Posted() || paid != posted {
		return fmt.Errorf("credits %d gwei, bonds posted %d gwei (claims hold %d)", paid, end.Posted(), posted)
	}
	if end.Credits()[Honest] < honestBonds {
		return fmt.Errorf("honest credit %d gwei below its own bonds %d gwei", end.Credits()[Honest], honestBonds)
	}
	return nil
}

// honestUncountered returns an error naming the first countered honest claim.
func honestUncountered(g dispute.Game) error {
	for i := range g.Len() {
		c := g.Claim(i)
		if c.Claimant == Honest && c.CounteredBy != "" {
			return fmt.Errorf("honest claim %d (position %d, depth %d) is countered by %s", i, c.Position, c.Position.Depth(), c.CounteredBy)
		}
	}
	return nil
}

// Complete plays the game on from (g, now) with the honest party alone,
// waking at every clock expiry, until it is resolved. It returns the final
// game and the time of its resolution; an error if the honest party cannot
// finish it.
func (x *Explorer) Complete(g dispute.Game, now uint64) (dispute.Game, uint64, error) {
	return x.complete(g, now, nil)
}

// TimedAction is an action and the time it is applied at.
type TimedAction struct {
	Now    uint64
	Action dispute.Action
}

// CompleteTrace is Complete that also returns the honest actions it
// applied, in order, with their times (the actions applied before an error
// included).
func (x *Explorer) CompleteTrace(g dispute.Game, now uint64) (dispute.Game, uint64, []TimedAction, error) {
	var acts []TimedAction
	end, t, err := x.complete(g, now, &acts)
	return end, t, acts, err
}

func (x *Explorer) complete(g dispute.Game, now uint64, rec *[]TimedAction) (dispute.Game, uint64, error) {
	for g.Status() == dispute.InProgress {
		before := g.Len()
		resolved := countResolved(g)
		next, acts, err := x.respond(g, now)
		if rec != nil {
			for _, a := range acts {
				*rec = append(*rec, TimedAction{now, a})
			}
		}
		if err != nil {
			return g, now, err
		}
		g = next
		if g.Status() != dispute.InProgress {
			break
		}
		if g.Len() != before || countResolved(g) != resolved {
			continue
		}
		t, ok := nextExpiry(g, now)
		if !ok {
			return g, now, fmt.Errorf("the honest party cannot finish the game at %d s: every clock ran out, nothing resolves", now)
		}
		now = t
	}
	return g, now, nil
}

func countResolved(g dispute.Game) int {
	n := 0
	for i := range g.Len() {
		c := g.Claim(i)
		if c.Resolved {
			n++
		}
	}
	return n
}

// StateKey returns a digest of everything that decides a game's future:
// the time, the status, the claims (parent, position, value, bond,
// claimant, clock, counter, resolution), the credits and the held data.
func StateKey(g dispute.Game, now uint64) [32]byte {
	h := sha256.New()
	var b []byte
	b = binary.BigEndian.AppendUint64(b, now)
	b = append(b, byte(g.Status()))
	b = binary.BigEndian.AppendUint64(b, g.Posted())
	for i := range g.Len() {
		c := g.Claim(i)
		b = binary.BigEndian.AppendUint32(b, uint32(c.Parent+1))
		b = binary.BigEndian.AppendUint64(b, uint64(c.Position))
		b = append(b, c.Value[:]...)
		b = binary.BigEndian.AppendUint64(b, c.Bond)
		b = append(b, c.Claimant...)
		b = append(b, 0)
		b = binary.BigEndian.AppendUint64(b, c.Clock.Duration)
		b = binary.BigEndian.AppendUint64(b, c.Clock.Timestamp)
		b = append(b, c.CounteredBy...)
		b = append(b, 0)
		if c.Resolved {
			b = append(b, 1)
		} else {
			b = append(b, 0)
		}
	}
	h.Write(b)
	credits := g.Credits()
	parties := make([]string, 0, len(credits))
	for a := range credits {
		parties = append(parties, string(a))
	}
	slices.Sort(parties)
	for _, a := range parties {
		fmt.Fprintf(h, "%s=%d;", a, credits[dispute.Address(a)])
	}
	tensors, preimages := g.TensorKeys(), g.PreimageKeys()
	keys := make([]string, 0, len(tensors)+len(preimages))
	for _, k := range tensors {
		keys = append(keys, fmt.Sprintf("t%x%d", k.Commitment, k.Len))
	}
	for _, k := range preimages {
		keys = append(keys, fmt.Sprintf("p%x", k))
	}
	slices.Sort(keys)
	h.Write([]byte(strings.Join(keys, ",")))
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// ExploreOptions bound one exhaustive search.
type ExploreOptions struct {
	HonestRoot bool // the honest party proposes the root; else the adversary proposes its lie
	Depth      int  // adversary actions per sequence
	MaxStates  int  // stop after this many distinct states (0: no limit)
	// Hook, when set, is told every step of the search (ExploreHook); it
	// does not change what the search explores.
	Hook ExploreHook
}

// ExploreHook follows an exhaustive search step by step, in its depth-first
// order, so that another implementation of the rules can be driven along
// the same sequences (conformance/cannon/evm replays them against the
// contract). The calls come in this grammar:
//
//	search = Start visit
//	visit  = Visit { Edge [ visit Leave ] }
//
// Every Edge is followed by the visit of the state it leads to and a Leave
// exactly when it is accepted; the Edges after a Visit are tried at the
// state of that Visit. A method's error stops the search: Explore returns
// it, with the result so far (the grammar then ends early).
type ExploreHook interface {
	// Start is called once: root is the new game before the honest
	// party's first answer, honest that answer (applied at time 0).
	Start(root dispute.Game, honest []dispute.Action) error
	// Visit is called at every state the search reaches: first is true the
	// first time it is seen (CheckState has then passed on it), expand
	// when the search tries actions from it (Edges follow).
	Visit(g dispute.Game, now uint64, first, expand bool) error
	// Edge is called for every adversary action tried at the state of the
	// current visit, after the Go rules played it.
	Edge(e Edge) error
	// Leave is called when the search backtracks over an accepted Edge:
	// the current state is that Edge's From again.
	Leave() error
}

// ExploreResult is what a search saw.
type ExploreResult struct {
	States      int // distinct (game, time) states checked
	Transitions int // adversary actions the game accepted
	Deepest     int // the most adversary actions on a path
	Truncated   bool
	// Reached counts the states by the deepest phase of their claims
	// (index 1, 2, 3); index 0 counts the states in which a VM step has
	// countered a claim. Stepped counts those with a transition step.
	Reached         [4]int
	TransitionSteps int
	// Violation is the first broken invariant, with the adversary's
	// actions that reach it; nil if none.
	Violation error
}

// Explore searches every sequence of at most o.Depth adversary actions
// from the start (depth first, each distinct state checked once, a state
// re-expanded only when reached with more actions left), and stops at the
// first violation. Errors: the start cannot be built; the error of
// o.Hook.
func (x *Explorer) Explore(o ExploreOptions) (ExploreResult, error) {
	g0, g, honest, err := x.start(o.HonestRoot)
	if err != nil {
		return ExploreResult{}, err
	}
	e := &search{x: x, o: o, seen: map[[32]byte]int{}}
	if o.Hook != nil {
		if err := o.Hook.Start(g0, honest); err != nil {
			return e.res, err
		}
	}
	e.visit(g, 0, o.Depth, nil)
	return e.res, e.hookErr
}

type search struct {
	x       *Explorer
	o       ExploreOptions
	seen    map[[32]byte]int
	res     ExploreResult
	hookErr error
}

func (e *search) stopped() bool {
	return e.res.Violation != nil || e.res.Truncated || e.hookErr != nil
}

// hook records the error of a hook call; it reports whether the search
// goes on.
func (e *search) hook(err error) bool {
	if err != nil && e.hookErr == nil {
		e.hookErr = err
	}
	return e.hookErr == nil
}

func (e *search) visit(g dispute.Game, now uint64, left int, path []string) {
	if e.stopped() {
		return
	}
	key := StateKey(g, now)
	best, ok := e.seen[key]
	if ok && best >= left {
		if e.o.Hook != nil {
			e.hook(e.o.Hook.Visit(g, now, false, false))
		}
		return
	}
	e.seen[key] = left
	if !ok {
		if e.o.MaxStates > 0 && e.res.States >= e.o.MaxStates {
			e.res.Truncated = true
			return
		}
		e.res.States++
		e.res.Deepest = max(e.res.Deepest, len(path))
		e.count(g)
		if err := e.x.CheckState(g, now); err != nil {
			e.res.Violation = violation(path, err)
			return
		}
	}
	if e.o.Hook != nil && !e.hook(e.o.Hook.Visit(g, now, !ok, left > 0)) {
		return
	}
	if left == 0 {
		return
	}
	for _, a := range e.x.Actions(g, now) {
		ed, err := e.x.play(g, now, a)
		if err != nil {
			e.res.Violation = violation(append(path, a.Desc), err)
			return
		}
		if e.o.Hook != nil && !e.hook(e.o.Hook.Edge(ed)) {
			return
		}
		if !ed.Accepted {
			continue
		}
		e.res.Transitions++
		e.visit(ed.To, ed.At, left-1, append(slices.Clip(path), a.Desc))
		if e.stopped() {
			return
		}
		if e.o.Hook != nil && !e.hook(e.o.Hook.Leave()) {
			return
		}
	}
}

// count adds a new state to the coverage counters.
func (e *search) count(g dispute.Game) {
	deepest, vmStep, transition := 1, false, false
	for i := range g.Len() {
		c := g.Claim(i)
		d := c.Position.Depth()
		deepest = max(deepest, g.Config().Phase(d))
		if c.CounteredBy != "" && !c.Resolved {
			vmStep = vmStep || d == g.Config().MaxDepth
			transition = transition || d == g.Config().Split2
		}
	}
	e.res.Reached[deepest]++
	if vmStep {
		e.res.Reached[0]++
	}
	if transition {
		e.res.TransitionSteps++
	}
}

func violation(path []string, err error) error {
	if len(path) == 0 {
		return fmt.Errorf("at the start: %v", err)
	}
	return fmt.Errorf("%v; the adversary's actions: %s", err, strings.Join(path, "; "))
}
