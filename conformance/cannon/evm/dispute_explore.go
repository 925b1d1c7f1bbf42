package evm

import (
	"fmt"
	"maps"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/state"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// The exhaustive checker against the contract (requirement
// EVM-DISPUTE-EXHAUSTIVE, docs/dispute.md §16): ReplayExplore drives a
// DisputeChain along every edge of sim.Explorer's depth-first search, as
// the search's ExploreHook, and requires the contract to accept or reject
// every action as the Go rules do, the same states at every state the
// search reaches, and, at the states where the search stops, the same
// honest completion, resolution and payout.

// chainState is a DisputeChain between transactions: its StateDB and the
// Go-side bookkeeping of the parties it has funded.
type chainState struct {
	db      *state.StateDB
	parties map[dispute.Address]common.Address
	names   map[common.Address]dispute.Address
}

// snapshot returns the chain's state for a later restore. It finalises the
// StateDB (ending the transaction, as a block does) and copies it: geth's
// journal, and so Snapshot/RevertToSnapshot, lives within one transaction
// (Finalise clears it, "reverting across transactions is not allowed", and
// each call's Prepare replaces the access list a cross-call revert would
// delete slots from), so StateDB.Copy is the snapshot that is correct
// across calls.
func (c *DisputeChain) snapshot() chainState {
	c.db.Finalise(true)
	return chainState{db: c.db.Copy(), parties: maps.Clone(c.parties), names: maps.Clone(c.names)}
}

// restore returns the chain to s, which stays usable for further restores.
func (c *DisputeChain) restore(s chainState) {
	c.db, c.parties, c.names = s.db.Copy(), maps.Clone(s.parties), maps.Clone(s.names)
}

// ExploreReplayOptions tune ReplayExplore.
type ExploreReplayOptions struct {
	// CompleteAll replays the honest completion at every distinct state;
	// otherwise only at the states the search does not expand (its leaves:
	// no adversary action left, or the state seen again with fewer left).
	CompleteAll bool
	// Mutate, when set, may change an action before the contract sees it
	// (the Go rules see the original): a planted fault the replay must
	// flag.
	Mutate func(a dispute.Action) dispute.Action
	// TweakType, when set, changes the game type before it is registered:
	// a planted fault on the contract's side.
	TweakType func(t *abiGameType)
}

// ExploreReplay counts what ReplayExplore replayed.
type ExploreReplay struct {
	Search      sim.ExploreResult // the search's own result
	Visits      int               // states reached (Visit calls), each compared in full
	Edges       int               // adversary actions tried, accepted or not
	Accepted    int               // of which the Go rules accepted
	Actions     int               // actions sent to the contract: the adversary's, the honest answers, the completions
	Rejected    map[dispute.Code]int
	Completions int // honest completions replayed to resolution and paid out
	Restores    int // chain states restored on backtracking
}

// ExploreMismatch is a difference between the Go rules and the contract
// during ReplayExplore: where it was seen, the adversary's actions from the
// start, and the action and both answers or the first field that differs.
type ExploreMismatch struct {
	Where      string   // "start", "edge", "honest answer", "state", "completion", "payout"
	Path       []string // the adversary's actions (sim.AdvAction.Desc) leading to it
	Action     dispute.Action
	Now        uint64
	Go, Chain  dispute.Code
	Reason     string
	StateError error // set when the states differ
}

func (m *ExploreMismatch) Error() string {
	path := "at the start"
	if len(m.Path) > 0 {
		path = "after " + strings.Join(m.Path, "; ")
	}
	if m.StateError != nil {
		return fmt.Sprintf("%s, %s: %v", path, m.Where, m.StateError)
	}
	return fmt.Sprintf("%s, %s: %s by %s on claim %d/%d at t=%d: Go %v (%d), contract %v (%d) %s", path, m.Where,
		m.Action.Kind, m.Action.Party, m.Action.Claim, m.Action.Move.Parent, m.Now, m.Go, m.Go, m.Chain, m.Chain, m.Reason)
}

// ReplayExplore runs x's exhaustive search with o and replays it against
// the contract on h (SyntheticStepper as the VM): the game created as the
// search's start; at every edge the adversary's actions (up to the one the
// Go rules reject) and the honest answer, each required to get the Go
// rules' Code; the chain's state copied before a state's first edge and
// restored after a rejected edge and on backtracking; the full state
// compared (Compare) at every state the search reaches; and at its leaves
// (every distinct state with ro.CompleteAll) sim.Explorer.CompleteTrace's
// honest completion replayed, the resolved game compared and every credit
// paid out through the vault. The error is an *ExploreMismatch for a
// difference; other errors are failures to build or send calls, or of the
// search.
func ReplayExplore(h *Harness, x *sim.Explorer, o sim.ExploreOptions, ro ExploreReplayOptions) (ExploreReplay, error) {
	hk := &exploreHook{h: h, x: x, ro: ro, r: ExploreReplay{Rejected: map[dispute.Code]int{}}}
	o.Hook = hk
	res, err := x.Explore(o)
	hk.r.Search = res
	if err == nil && res.Violation != nil {
		err = fmt.Errorf("the search broke an invariant: %v", res.Violation)
	}
	return hk.r, err
}

// exploreHook is the sim.ExploreHook of ReplayExplore.
type exploreHook struct {
	h  *Harness
	x  *sim.Explorer
	ro ExploreReplayOptions
	r  ExploreReplay

	c      *DisputeChain
	frames []frame  // one per open Visit, the start's first
	path   []string // the adversary's actions of the accepted edges on the path
	where  string   // what is being replayed, for mismatches
}

// frame is one open visit: whether edges follow, and the chain's state at
// it (taken before its first edge).
type frame struct {
	expand bool
	snap   *chainState
}

func (k *exploreHook) top() *frame { return &k.frames[len(k.frames)-1] }

// saved returns the current visit's chain state, taking it the first time.
func (k *exploreHook) saved() chainState {
	f := k.top()
	if f.snap == nil {
		s := k.c.snapshot()
		f.snap = &s
	}
	return *f.snap
}

func (k *exploreHook) restore() {
	k.c.restore(k.saved())
	k.r.Restores++
}

func (k *exploreHook) Start(root dispute.Game, honest []dispute.Action) error {
	c0 := root.Claim(0)
	c, err := newDisputeChain(k.h, root.Config(), common.Address{}, c0.Value, c0.Claimant, c0.Clock.Timestamp, k.ro.TweakType)
	if err != nil {
		return err
	}
	k.c, k.where = c, "start"
	cur := root
	for _, a := range honest {
		if cur, err = k.applyAccepted(cur, 0, a); err != nil {
			return err
		}
	}
	return nil
}

// apply sends a to the Go rules and to the contract, requires the same
// Code, and returns the Go rules' new game (g when rejected) and rejection.
func (k *exploreHook) apply(g dispute.Game, now uint64, a dispute.Action) (dispute.Game, error, error) {
	next, goErr := dispute.Apply(g, now, a)
	sent := a
	if k.ro.Mutate != nil {
		sent = k.ro.Mutate(a)
	}
	k.r.Actions++
	out, err := k.c.ApplyAction(g, now, sent)
	if err != nil {
		return g, nil, fmt.Errorf("%s: %v", k.where, err)
	}
	if code := dispute.CodeOf(goErr); code != out.Code {
		return g, nil, &ExploreMismatch{Where: k.where, Path: k.pathTo(), Action: a, Now: now, Go: code, Chain: out.Code, Reason: out.Reason}
	}
	if goErr != nil {
		k.r.Rejected[dispute.CodeOf(goErr)]++
		return g, goErr, nil
	}
	return next, nil, nil
}

// applyAccepted is apply for an action the Go rules must accept (an honest
// one: the search has already played it).
func (k *exploreHook) applyAccepted(g dispute.Game, now uint64, a dispute.Action) (dispute.Game, error) {
	next, goErr, err := k.apply(g, now, a)
	if err == nil && goErr != nil {
		err = fmt.Errorf("%s: the Go rules reject on replay the %s they accepted in the search: %v", k.where, a.Kind, goErr)
	}
	return next, err
}

// pathTo returns a copy of the path, for a mismatch.
func (k *exploreHook) pathTo() []string { return append([]string(nil), k.path...) }

func (k *exploreHook) Visit(g dispute.Game, now uint64, first, expand bool) error {
	k.frames = append(k.frames, frame{expand: expand})
	k.r.Visits++
	k.where = "state"
	if err := k.c.Compare(g); err != nil {
		return &ExploreMismatch{Where: k.where, Path: k.pathTo(), Now: now, StateError: err}
	}
	if !first || expand && !k.ro.CompleteAll {
		return nil
	}
	if expand {
		k.saved() // the completion changes the chain; the edges start from here
		defer k.restore()
	}
	// A leaf's completion needs no restore: the next call is the Leave
	// that restores its parent's state.
	return k.complete(g, now)
}

// complete replays the honest completion from (g, now), compares the
// resolved game and pays every credit out.
func (k *exploreHook) complete(g dispute.Game, now uint64) error {
	k.where = "completion"
	end, _, acts, err := k.x.CompleteTrace(g, now)
	if err != nil {
		return fmt.Errorf("the honest completion fails in Go after %s: %v", strings.Join(k.path, "; "), err)
	}
	resolvedAt := now // a game already resolved was resolved by now
	cur := g
	for _, ta := range acts {
		if cur, err = k.applyAccepted(cur, ta.Now, ta.Action); err != nil {
			return err
		}
		if ta.Action.Kind == dispute.ActResolve {
			resolvedAt = ta.Now
		}
	}
	if err := k.c.Compare(end); err != nil {
		return &ExploreMismatch{Where: k.where, Path: k.pathTo(), Now: resolvedAt, StateError: err}
	}
	k.where = "payout"
	paid, err := k.c.payOut(end.Credits(), resolvedAt)
	if err != nil {
		return &ExploreMismatch{Where: k.where, Path: k.pathTo(), Now: resolvedAt, StateError: err}
	}
	for a, v := range end.Credits() {
		want := new(big.Int).Mul(new(big.Int).SetUint64(v), big.NewInt(GweiWei))
		if paid[a] == nil || paid[a].Cmp(want) != 0 {
			return &ExploreMismatch{Where: k.where, Path: k.pathTo(), Now: resolvedAt,
				StateError: fmt.Errorf("paid %q %v wei, its Go credit is %v wei", a, paid[a], want)}
		}
	}
	k.r.Completions++
	return nil
}

func (k *exploreHook) Edge(e sim.Edge) error {
	k.r.Edges++
	k.saved()
	k.where = "edge " + e.Action.Desc
	n := e.Applied
	if !e.Accepted {
		n++ // the one the Go rules reject
	}
	cur := e.From
	for _, a := range e.Action.Acts[:n] {
		next, goErr, err := k.apply(cur, e.At, a)
		if err != nil {
			return err
		}
		if goErr != nil && e.Accepted {
			return fmt.Errorf("%s: the Go rules reject on replay what they accepted in the search: %v", k.where, goErr)
		}
		cur = next
	}
	if !e.Accepted {
		// A rejected call leaves no trace on chain, but the acts before it
		// and a step's preparation (local data, SyntheticStepper's run) do.
		if e.Applied > 0 || e.Action.Acts[0].Kind == dispute.ActStep {
			k.restore()
		}
		return nil
	}
	k.r.Accepted++
	k.path = append(k.path, e.Action.Desc)
	k.where = "honest answer"
	var err error
	for _, a := range e.Honest {
		if cur, err = k.applyAccepted(cur, e.At, a); err != nil {
			return err
		}
	}
	if sim.StateKey(cur, e.At) != sim.StateKey(e.To, e.At) {
		return fmt.Errorf("after %s: the Go rules replayed reach another state than the search's", strings.Join(k.path, "; "))
	}
	return nil
}

func (k *exploreHook) Leave() error {
	k.frames = k.frames[:len(k.frames)-1]
	k.path = k.path[:len(k.path)-1]
	k.restore()
	return nil
}
