package dispute

import (
	"flag"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/spec"
	"pgregory.net/rapid"
)

// exhaustiveFull selects the long search of `make check-dispute`.
var exhaustiveFull = flag.Bool("dispute.exhaustive", false, "run the full exhaustive search (make check-dispute, about 10 minutes on 2 cores)")

// tinyModel returns a model of n nodes (2, 3 or 4) over a 1×4 int8 input:
// FC 4→3, then ReLU, FC 3→3 and ArgMax as n allows (ArgMax last).
func tinyModel(t testing.TB, n int) opml.Model {
	t.Helper()
	b := &opml.Builder{}
	q := opml.Quant{Scale: opml.Fixed{Mult: 1 << 30, Shift: 6}}
	w1 := b.Int8Const([]int{3, 4}, opml.Quant{}, []int8{1, -2, 3, -4, 5, 6, -7, 8, 127, -128, 0, 1})
	b1 := b.Int32Const([]int{3}, opml.Fixed{}, []int32{108, -208, 0})
	var w2, b2 int
	if n >= 4 {
		w2 = b.Int8Const([]int{3, 3}, opml.Quant{}, []int8{2, -1, 0, 1, 3, -2, -5, 4, 1})
		b2 = b.Int32Const([]int{3}, opml.Fixed{}, []int32{7, 0, -9})
	}
	x := b.Input(opml.Int8, []int{1, 4}, q)
	y := b.FC(x, w1, b1, opml.Fixed{Mult: 1 << 30, Shift: 3}, opml.Quant{})
	if n >= 3 {
		y = b.ReLU(y)
	}
	if n >= 4 {
		y = b.FC(y, w2, b2, opml.Fixed{Mult: 1 << 30, Shift: 2}, opml.Quant{})
	}
	m, err := b.Build(b.ArgMax(y))
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Nodes) != n {
		t.Fatalf("tiny model has %d nodes, want %d", len(m.Nodes), n)
	}
	return m
}

// tinyGeometry is one small game type of the exhaustive checker.
type tinyGeometry struct {
	Blocks  int    // log2 of the number of blocks (Split1)
	Nodes   int    // model nodes (2..4), padded to a power of two
	VMDepth int    // phase-3 depth: 2^VMDepth trace indices
	Steps   uint64 // synthetic VM steps per node (<= 2^VMDepth)
}

func (tg tinyGeometry) String() string {
	return fmt.Sprintf("%d blocks, %d nodes, %d VM steps in 2^%d", 1<<tg.Blocks, tg.Nodes, tg.Steps, tg.VMDepth)
}

// tinyWorld builds a chain of 2^Blocks jobs of the tiny model with the
// synthetic VM.
func tinyWorld(t testing.TB, tg tinyGeometry) *World {
	t.Helper()
	r := RegisterModel(tinyModel(t, tg.Nodes))
	r.StepBound = [2]uint64{tg.Steps, tg.Steps}
	slots := 0
	for 1<<slots < tg.Nodes {
		slots++
	}
	cfg := &Config{Split1: tg.Blocks, Split2: tg.Blocks + 1 + slots, Models: map[Hash]*Model{r.Hash: r}, Anchor: Hash{7}}
	cfg.MaxDepth = cfg.Split2 + 1 + tg.VMDepth
	DefaultClocks(cfg)
	y := &Synthetic{Steps: func(*Model, uint64) uint64 { return tg.Steps }}
	cfg.AbsolutePrestate, cfg.Verifier = SyntheticPrestate(), y.Verifier()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	pool := [][]int8{{10, -20, 30, 40}, {-3, 7, 90, -1}, {0, 0, 0, 0}, {127, -128, 5, 9}}
	var inputs [][][]byte
	var models []Hash
	for b := 0; b < 1<<tg.Blocks; b++ {
		inputs = append(inputs, [][]byte{opml.Int8Bytes(pool[b%len(pool)])})
		models = append(models, r.Hash)
	}
	tr, jobs, err := NewTruth(cfg, inputs, models, y.Factory())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Inbox = NewInbox(jobs)
	return &World{Cfg: cfg, Truth: tr, Jobs: jobs, Blocks: uint64(len(jobs)), Nodes: uint64(tg.Nodes),
		Steps: func(_, _ uint64) uint64 { return tg.Steps }}
}

// exploreCase is one search: a geometry, the adversary's lie (a wrong
// output at node Node of block Block, its VM trace lying from step
// Diverge), who proposes the root, and the bound.
type exploreCase struct {
	Geo        tinyGeometry
	Block      uint64
	Node       uint64
	Diverge    uint64
	HonestRoot bool
	Depth      int
	MaxStates  int
}

func (c exploreCase) String() string {
	root := "wrong root"
	if c.HonestRoot {
		root = "honest root"
	}
	return fmt.Sprintf("%v; lie at block %d node %d from step %d; %s; %d actions", c.Geo, c.Block, c.Node, c.Diverge, root, c.Depth)
}

func (c exploreCase) explorer(t testing.TB, w *World) *Explorer {
	t.Helper()
	lie, err := NewCorrupt(w.Truth, c.Block, c.Node, Hash{0xbd, 31: byte(c.Node + 1)}, c.Diverge)
	if err != nil {
		t.Fatal(err)
	}
	return NewExplorer(w, lie)
}

// exploreCases returns the searches of the CI run (full false) or of
// make check-dispute (full true): every geometry, every lie position and
// both roots.
//
// The CI run: the four small geometries, lies at block 0 node 0 and at
// every node of the last block, both roots, 4 adversary actions. The full
// run adds a geometry with 16-step VM traces and goes 5 actions deep on
// all of them (every lie position of the smallest geometry), and 6 deep on
// the smallest geometry with a lie in its last node.
func exploreCases(full bool) []exploreCase {
	geos := []tinyGeometry{{1, 2, 2, 4}, {1, 3, 2, 3}, {2, 2, 2, 4}, {1, 4, 3, 6}}
	depth := 4
	if full {
		geos = append(geos, tinyGeometry{1, 2, 4, 16})
		depth = 5
	}
	var out []exploreCase
	if full { // the longest search first
		out = append(out, exploreCase{Geo: geos[0], Block: 1, Node: 1, Diverge: 2, HonestRoot: false, Depth: 6})
	}
	for gi, g := range geos {
		for b := uint64(0); b < 1<<g.Blocks; b++ {
			for k := uint64(0); k < uint64(g.Nodes); k++ {
				if !(full && gi == 0) && b != 1<<g.Blocks-1 && k != 0 {
					continue
				}
				for _, honestRoot := range []bool{false, true} {
					out = append(out, exploreCase{Geo: g, Block: b, Node: k, Diverge: g.Steps / 2, HonestRoot: honestRoot, Depth: depth})
				}
			}
		}
	}
	return out
}

// TestDISPUTE_EXHAUSTIVE: every sequence of adversary actions up to the
// bound, on every small geometry, every lie position and both roots, with
// the honest solver answering; every reachable state satisfies CheckState.
// The CI run explores a few tens of thousands of states; `make
// check-dispute` (-dispute.exhaustive) the full set.
func TestDISPUTE_EXHAUSTIVE(t *testing.T) {
	cases := exploreCases(*exhaustiveFull)
	start := time.Now()
	var mu sync.Mutex
	total, transitions := 0, 0
	var reached [4]int
	tsteps := 0
	worlds := map[tinyGeometry]*World{}
	for _, c := range cases {
		if worlds[c.Geo] == nil {
			worlds[c.Geo] = tinyWorld(t, c.Geo)
		}
	}
	work := make(chan exploreCase)
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				res, err := c.explorer(t, worlds[c.Geo]).Explore(ExploreOptions{HonestRoot: c.HonestRoot, Depth: c.Depth, MaxStates: c.MaxStates})
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

// TestDISPUTE_EXHAUSTIVE_FindsBreak1: on the old transition-step rule (a
// well-formed node transition counted as proven correct), the checker
// finds by itself that the honest party loses a claim: the same search
// that passes on today's rule.
func TestDISPUTE_EXHAUSTIVE_FindsBreak1(t *testing.T) {
	found := 0
	for _, c := range exploreCases(false) {
		if c.Geo != (tinyGeometry{1, 2, 2, 4}) {
			continue
		}
		w := tinyWorld(t, c.Geo)
		w.Cfg.legacyTransitionRule = true
		res, err := c.explorer(t, w).Explore(ExploreOptions{HonestRoot: c.HonestRoot, Depth: c.Depth})
		if err != nil {
			t.Fatal(err)
		}
		if res.Violation == nil {
			continue
		}
		found++
		msg := res.Violation.Error()
		t.Logf("%v: found after %d states: %s", c, res.States, msg)
		if !strings.Contains(msg, "transition-step") || !strings.Contains(msg, "countered") {
			t.Errorf("%v: the violation is not the transition-step break: %s", c, msg)
		}
	}
	if found == 0 {
		t.Fatal("the checker did not find the transition-step break on the old rule")
	}
}

var (
	rapidWorldsOnce sync.Once
	rapidWorlds     []*World
	rapidNames      []string
)

// stateMachineWorlds are the games of the state-machine property: a
// larger tiny geometry and both bundled MNIST models under both profiles
// (synthetic VM, the real phase-1 and phase-2 traces).
func stateMachineWorlds(t testing.TB) ([]*World, []string) {
	rapidWorldsOnce.Do(func() {
		g := tinyGeometry{2, 4, 4, 16}
		rapidWorlds, rapidNames = append(rapidWorlds, tinyWorld(t, g)), append(rapidNames, g.String())
		set, err := LoadMNIST(modelsDir, 8)
		if err != nil {
			t.Fatal(err)
		}
		for _, model := range []string{"mlp.opml", "cnn.opml"} {
			for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
				w, err := set.NewWorld(WorldConfig{ModelsDir: modelsDir, Model: model, Split1: 2, VMDepth: set.Model(model).VMDepth(p), Images: []int{0, 1, 2, 3}, Profile: p})
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
		lie, err := NewCorrupt(w.Truth, b, k, Hash{0xbd, 31: byte(k + 1)}, rapid.Uint64Range(0, n-1).Draw(rt, "diverge"))
		if err != nil {
			rt.Fatal(err)
		}
		x := NewExplorer(w, lie)
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
				var newest []AdvAction
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
			if err := honestUncountered(g); err != nil {
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
		for _, c := range g.claims {
			deepest = max(deepest, w.Cfg.Phase(c.Position.Depth()))
			stepped = stepped || c.CounteredBy != "" && c.Position.Depth() == w.Cfg.MaxDepth
		}
		phases[deepest]++
		if stepped {
			phases[0]++
		}
	})
}
