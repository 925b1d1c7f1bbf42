package sim_test

import (
	"flag"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/disputetest"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/spec"
	"pgregory.net/rapid"
)

// exhaustiveFull selects the long search of `make check-dispute`.
var exhaustiveFull = flag.Bool("dispute.exhaustive", false, "run the full exhaustive search (make check-dispute, about 10 minutes on 2 cores)")

// TestDISPUTE_EXHAUSTIVE: every sequence of adversary actions up to the
// bound, on every small geometry, every lie position and both roots, with
// the honest solver answering; every reachable state satisfies CheckState.
// The CI run explores a few tens of thousands of states; `make
// check-dispute` (-dispute.exhaustive) the full set.
func TestDISPUTE_EXHAUSTIVE(t *testing.T) {
	cases := disputetest.ExploreCases(*exhaustiveFull)
	start := time.Now()
	var mu sync.Mutex
	total, transitions := 0, 0
	var reached [4]int
	tsteps := 0
	worlds := map[disputetest.TinyGeometry]*trace.World{}
	for _, c := range cases {
		if worlds[c.Geo] == nil {
			worlds[c.Geo] = disputetest.TinyWorld(t, c.Geo)
		}
	}
	work := make(chan disputetest.ExploreCase)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				res, err := c.Explorer(t, worlds[c.Geo]).Explore(sim.ExploreOptions{HonestRoot: c.HonestRoot, Depth: c.Depth, MaxStates: c.MaxStates})
				mu.Lock()
				switch {
				case err != nil:
					t.Errorf("%v: %v", c, err)
				case res.Violation != nil:
					t.Errorf("%v: VIOLATION after %d states: %v", c, res.States, res.Violation)
				}
				total += res.States
				transitions += res.Transitions
				for i := range reached {
					reached[i] += res.Reached[i]
				}
				tsteps += res.TransitionSteps
				t.Logf("%v: %d states (deepest claim in phase 1/2/3: %d/%d/%d; after a VM step %d, a transition step %d), %d transitions, truncated %v",
					c, res.States, res.Reached[1], res.Reached[2], res.Reached[3], res.Reached[0], res.TransitionSteps, res.Transitions, res.Truncated)
				mu.Unlock()
			}
		}()
	}
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()
	fmt.Printf("exhaustive checker: %d searches, %d distinct game states (deepest claim in phase 1/2/3: %d/%d/%d; after a VM step %d, a transition step %d), %d transitions, %.0f s, no invariant broken: %v\n",
		len(cases), total, reached[1], reached[2], reached[3], reached[0], tsteps, transitions, time.Since(start).Seconds(), !t.Failed())
}

var (
	rapidWorldsOnce sync.Once
	rapidWorlds     []*trace.World
	rapidNames      []string
)

// stateMachineWorlds are the games of the state-machine property: a
// larger tiny geometry and both bundled MNIST models under both profiles
// (synthetic VM, the real phase-1 and phase-2 traces).
func stateMachineWorlds(t testing.TB) ([]*trace.World, []string) {
	rapidWorldsOnce.Do(func() {
		g := disputetest.TinyGeometry{Blocks: 2, Nodes: 4, VMDepth: 4, Steps: 16}
		rapidWorlds, rapidNames = append(rapidWorlds, disputetest.TinyWorld(t, g)), append(rapidNames, g.String())
		set, err := trace.LoadMNIST(disputetest.ModelsDir, 8)
		if err != nil {
			t.Fatal(err)
		}
		for _, model := range []string{"mlp.opml", "cnn.opml"} {
			for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
				w, err := set.NewWorld(trace.WorldConfig{ModelsDir: disputetest.ModelsDir, Model: model, Split1: 2, VMDepth: set.Model(model).VMDepth(p), Images: []int{0, 1, 2, 3}, Profile: p})
				if err != nil {
					t.Fatal(err)
				}
				rapidWorlds, rapidNames = append(rapidWorlds, w), append(rapidNames, fmt.Sprintf("%s %v", model, p))
			}
		}
	})
	return rapidWorlds, rapidNames
}

// TestDISPUTE_EXHAUSTIVE_StateMachine: the checker's action set as a rapid
// state machine on games too large to enumerate: a drawn world, lie and
// root, then up to 60 drawn adversary actions (half of them on the newest claim), each answered by the honest
// solver; after every action no honest claim is countered, and every
// fifth state and the last satisfy CheckState (the game played out by the
// honest party alone ends as the truth requires, bonds returned and
// conserved, within MaxDuration).
func TestDISPUTE_EXHAUSTIVE_StateMachine(t *testing.T) {
	worlds, names := stateMachineWorlds(t)
	var phases [4]int // games whose deepest claim reached phase 1, 2, 3; index 0: games with a VM step
	defer func() {
		t.Logf("games reaching phase 1/2/3: %d/%d/%d; with a VM step: %d", phases[1], phases[2], phases[3], phases[0])
	}()
	rapid.Check(t, func(rt *rapid.T) {
		wi := rapid.IntRange(0, len(worlds)-1).Draw(rt, "world")
		w := worlds[wi]
		b := rapid.Uint64Range(0, w.Blocks-1).Draw(rt, "lie block")
		k := rapid.Uint64Range(0, w.Nodes-1).Draw(rt, "lie node")
		n := w.Steps(b, k)
		lie, err := trace.NewCorrupt(w.Truth, b, k, dispute.Hash{0xbd, 31: byte(k + 1)}, rapid.Uint64Range(0, n-1).Draw(rt, "diverge"))
		if err != nil {
			rt.Fatal(err)
		}
		x := sim.NewExplorer(w, lie)
		honestRoot := rapid.Bool().Draw(rt, "honest root")
		g, err := x.Start(honestRoot)
		if err != nil {
			rt.Fatal(err)
		}
		var now uint64
		var path []string
		steps := rapid.IntRange(1, 60).Draw(rt, "actions")
		for i := 0; i < steps; i++ {
			acts := x.Actions(g, now)
			if len(acts) == 0 {
				break
			}
			// Half the draws act on the newest claim, so games go deep.
			if rapid.IntRange(0, 1).Draw(rt, "deepen") == 1 {
				var newest []sim.AdvAction
				for _, a := range acts {
					if a.Claim == g.Len()-1 {
						newest = append(newest, a)
					}
				}
				if len(newest) > 0 {
					acts = newest
				}
			}
			a := acts[rapid.IntRange(0, len(acts)-1).Draw(rt, "action")]
			next, t2, ok, err := x.Play(g, now, a)
			path = append(path, a.Desc)
			if err != nil {
				rt.Fatalf("%s: %v; actions: %v", names[wi], err, path)
			}
			if !ok {
				continue
			}
			g, now = next, t2
			if err := sim.HonestUncountered(g); err != nil {
				rt.Fatalf("%s: %v; actions: %v", names[wi], err, path)
			}
			if i%5 == 4 {
				if err := x.CheckState(g, now); err != nil {
					rt.Fatalf("%s: %v; actions: %v", names[wi], err, path)
				}
			}
		}
		if err := x.CheckState(g, now); err != nil {
			rt.Fatalf("%s: %v; actions: %v", names[wi], err, path)
		}
		deepest, stepped := 0, false
		for _, c := range g.Claims() {
			deepest = max(deepest, w.Cfg.Phase(c.Position.Depth()))
			stepped = stepped || c.CounteredBy != "" && c.Position.Depth() == w.Cfg.MaxDepth
		}
		phases[deepest]++
		if stepped {
			phases[0]++
		}
	})
}

// countingHook checks the grammar of an ExploreHook's calls and counts them.
type countingHook struct {
	started                        bool
	visits, first, edges, accepted int
	leaves, honestActs, applied    int
	open                           []bool // per visit on the path: edges may follow
}

func (h *countingHook) Start(root dispute.Game, honest []dispute.Action) error {
	if h.started || root.Len() != 1 {
		return fmt.Errorf("Start called twice or on a game of %d claims", root.Len())
	}
	h.started, h.honestActs = true, len(honest)
	return nil
}

func (h *countingHook) Visit(g dispute.Game, now uint64, first, expand bool) error {
	h.visits++
	if first {
		h.first++
	}
	h.open = append(h.open, expand)
	return nil
}

func (h *countingHook) Edge(e Edge) error {
	if len(h.open) == 0 || !h.open[len(h.open)-1] {
		return fmt.Errorf("an edge (%s) at a state that is not expanded", e.Action.Desc)
	}
	h.edges++
	if e.Accepted {
		h.accepted++
		h.applied += len(e.Action.Acts)
		h.honestActs += len(e.Honest)
		if e.At != e.Now+e.Action.Wait || e.Applied != len(e.Action.Acts) {
			return fmt.Errorf("edge %s: at %d, now %d, wait %d, applied %d", e.Action.Desc, e.At, e.Now, e.Action.Wait, e.Applied)
		}
	} else if e.Err == nil || e.Applied >= len(e.Action.Acts) {
		return fmt.Errorf("a rejected edge (%s) without its rejection", e.Action.Desc)
	}
	return nil
}

func (h *countingHook) Leave() error {
	if len(h.open) < 2 {
		return fmt.Errorf("Leave with %d visits open", len(h.open))
	}
	h.open = h.open[:len(h.open)-1]
	h.leaves++
	return nil
}

// Edge is sim.Edge in this external test package.
type Edge = sim.Edge

// TestDISPUTE_EXHAUSTIVE_Hook: a search with an ExploreHook explores what
// the search without one does (the same states, transitions and coverage),
// and the hook's calls follow ExploreHook's grammar: one Start, a Visit per
// accepted edge plus the start's, a first Visit per distinct state, a Leave
// per accepted edge, edges only at expanded states.
func TestDISPUTE_EXHAUSTIVE_Hook(t *testing.T) {
	c := disputetest.ExploreCases(false)[0]
	w := disputetest.TinyWorld(t, c.Geo)
	for _, honestRoot := range []bool{false, true} {
		o := sim.ExploreOptions{HonestRoot: honestRoot, Depth: 3}
		plain, err := c.Explorer(t, w).Explore(o)
		if err != nil || plain.Violation != nil {
			t.Fatal(err, plain.Violation)
		}
		h := &countingHook{}
		o.Hook = h
		hooked, err := c.Explorer(t, w).Explore(o)
		if err != nil {
			t.Fatal(err)
		}
		if hooked != plain {
			t.Fatalf("honest root %v: with the hook %+v, without %+v", honestRoot, hooked, plain)
		}
		if !h.started || h.first != plain.States || h.accepted != plain.Transitions || h.visits != plain.Transitions+1 ||
			h.leaves != plain.Transitions || len(h.open) != 1 || h.edges <= h.accepted {
			t.Fatalf("honest root %v: hook saw %+v; search %+v", honestRoot, *h, plain)
		}
		t.Logf("honest root %v: %d states, %d edges tried (%d accepted, %d adversary and %d honest actions)", honestRoot, plain.States, h.edges, h.accepted, h.applied, h.honestActs)
	}
}
