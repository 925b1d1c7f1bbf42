// Package disputetest holds the fixtures shared by the tests of dispute,
// dispute/trace, dispute/sim and the contract differential of
// conformance/cannon/evm: chains over the bundled MNIST models, the
// exhaustive checker's tiny games and searches, and the node programs built
// once per test binary. Only tests import it (as net/http/httptest, it is
// importable from other modules, which Go's internal rule forbids).
package disputetest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/state"
)

// ModelsDir is the bundled models and MNIST test set (models/mnist of the
// repository), found from the test's working directory.
var ModelsDir = filepath.Join(Root, "models", "mnist")

// Root is the repository root: the nearest directory at or above the
// working directory (a test runs in its package's directory) that holds
// the module's go.mod.
var Root = func() string {
	dir, err := os.Getwd()
	if err != nil {
		panic(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && strings.HasPrefix(string(b), "module github.com/opcity-spec/opcity\n") {
			return d
		}
		if filepath.Dir(d) == d {
			panic("disputetest: no go.mod of github.com/opcity-spec/opcity at or above " + dir)
		}
	}
}()

// MNISTWorld is a chain of 2^split1 blocks of a bundled model on test images
// seed, seed+1, … (mod 16) with the synthetic VM at depth 27.
func MNISTWorld(t testing.TB, model string, split1 int, seed int) *trace.World {
	t.Helper()
	set, err := trace.LoadMNIST(ModelsDir, 16)
	if err != nil {
		t.Fatal(err)
	}
	var imgs []int
	for i := 0; i < 1<<split1; i++ {
		imgs = append(imgs, (seed+i)%16)
	}
	w, err := set.NewWorld(trace.WorldConfig{ModelsDir: ModelsDir, Model: model, Split1: split1, VMDepth: 27, Images: imgs})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var (
	propOnce  sync.Once
	propWorld *trace.World
)

// SharedWorld is MNISTWorld(t, "mlp.opml", 2, 0), built once per test
// binary.
func SharedWorld(t testing.TB) *trace.World {
	propOnce.Do(func() { propWorld = MNISTWorld(t, "mlp.opml", 2, 0) })
	return propWorld
}

// TinyModel returns a model of n nodes (2, 3 or 4) over a 1×4 int8 input:
// FC 4→3, then ReLU, FC 3→3 and ArgMax as n allows (ArgMax last).
func TinyModel(t testing.TB, n int) opml.Model {
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

// TinyGeometry is one small game type of the exhaustive checker.
type TinyGeometry struct {
	Blocks  int    // log2 of the number of blocks (Split1)
	Nodes   int    // model nodes (2..4), padded to a power of two
	VMDepth int    // phase-3 depth: 2^VMDepth trace indices
	Steps   uint64 // synthetic VM steps per node (<= 2^VMDepth)
}

// String describes the geometry.
func (tg TinyGeometry) String() string {
	return fmt.Sprintf("%d blocks, %d nodes, %d VM steps in 2^%d", 1<<tg.Blocks, tg.Nodes, tg.Steps, tg.VMDepth)
}

// TinyWorld builds a chain of 2^Blocks jobs of the tiny model with the
// synthetic VM.
func TinyWorld(t testing.TB, tg TinyGeometry) *trace.World {
	t.Helper()
	r := dispute.RegisterModel(TinyModel(t, tg.Nodes))
	r.StepBound = [2]uint64{tg.Steps, tg.Steps}
	slots := 0
	for 1<<slots < tg.Nodes {
		slots++
	}
	cfg := &dispute.Config{Split1: tg.Blocks, Split2: tg.Blocks + 1 + slots, Models: map[dispute.Hash]*dispute.Model{r.Hash: r}, Anchor: dispute.Hash{7}}
	cfg.MaxDepth = cfg.Split2 + 1 + tg.VMDepth
	dispute.DefaultClocks(cfg)
	y := &trace.Synthetic{Steps: func(*dispute.Model, uint64) uint64 { return tg.Steps }}
	cfg.AbsolutePrestate, cfg.Verifier = trace.SyntheticPrestate(), y.Verifier()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	pool := [][]int8{{10, -20, 30, 40}, {-3, 7, 90, -1}, {0, 0, 0, 0}, {127, -128, 5, 9}}
	var inputs [][][]byte
	var models []dispute.Hash
	for b := 0; b < 1<<tg.Blocks; b++ {
		inputs = append(inputs, [][]byte{opml.Int8Bytes(pool[b%len(pool)])})
		models = append(models, r.Hash)
	}
	tr, jobs, err := trace.NewTruth(cfg, inputs, models, y.Factory())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Inbox = dispute.NewInbox(jobs)
	return &trace.World{Cfg: cfg, Truth: tr, Jobs: jobs, Blocks: uint64(len(jobs)), Nodes: uint64(tg.Nodes),
		Steps: func(_, _ uint64) uint64 { return tg.Steps }}
}

// ExploreCase is one search: a geometry, the adversary's lie (a wrong
// output at node Node of block Block, its VM trace lying from step
// Diverge), who proposes the root, and the bound.
type ExploreCase struct {
	Geo        TinyGeometry
	Block      uint64
	Node       uint64
	Diverge    uint64
	HonestRoot bool
	Depth      int
	MaxStates  int
}

// String describes the search.
func (c ExploreCase) String() string {
	root := "wrong root"
	if c.HonestRoot {
		root = "honest root"
	}
	return fmt.Sprintf("%v; lie at block %d node %d from step %d; %s; %d actions", c.Geo, c.Block, c.Node, c.Diverge, root, c.Depth)
}

// Options returns the search's options: its root and bound.
func (c ExploreCase) Options() sim.ExploreOptions {
	return sim.ExploreOptions{HonestRoot: c.HonestRoot, Depth: c.Depth, MaxStates: c.MaxStates}
}

// Explorer returns the explorer of w's games against c's lie.
func (c ExploreCase) Explorer(t testing.TB, w *trace.World) *sim.Explorer {
	t.Helper()
	lie, err := trace.NewCorrupt(w.Truth, c.Block, c.Node, dispute.Hash{0xbd, 31: byte(c.Node + 1)}, c.Diverge)
	if err != nil {
		t.Fatal(err)
	}
	return sim.NewExplorer(w, lie)
}

// ExploreCases returns the searches of the CI run (full false) or of
// make check-dispute (full true): every geometry, every lie position and
// both roots.
//
// The CI run: the four small geometries, lies at block 0 node 0 and at
// every node of the last block, both roots, 4 adversary actions. The full
// run adds a geometry with 16-step VM traces and goes 5 actions deep on
// all of them (every lie position of the smallest geometry), and 6 deep on
// the smallest geometry with a lie in its last node.
func ExploreCases(full bool) []ExploreCase {
	geos := []TinyGeometry{{1, 2, 2, 4}, {1, 3, 2, 3}, {2, 2, 2, 4}, {1, 4, 3, 6}}
	depth := 4
	if full {
		geos = append(geos, TinyGeometry{1, 2, 4, 16})
		depth = 5
	}
	var out []ExploreCase
	if full { // the longest search first
		out = append(out, ExploreCase{Geo: geos[0], Block: 1, Node: 1, Diverge: 2, HonestRoot: false, Depth: 6})
	}
	for gi, g := range geos {
		for b := uint64(0); b < 1<<g.Blocks; b++ {
			for k := uint64(0); k < uint64(g.Nodes); k++ {
				if !(full && gi == 0) && b != 1<<g.Blocks-1 && k != 0 {
					continue
				}
				for _, honestRoot := range []bool{false, true} {
					out = append(out, ExploreCase{Geo: g, Block: b, Node: k, Diverge: g.Steps / 2, HonestRoot: honestRoot, Depth: depth})
				}
			}
		}
	}
	return out
}

// builtProgram is a guest program built at most once per test binary.
type builtProgram struct {
	once sync.Once
	init state.State
	err  error
}

var nodeProgram, tensorNodeProgram builtProgram

// build returns the program at pkg, building it on the first call.
func (p *builtProgram) build(t testing.TB, pkg string) state.State {
	t.Helper()
	p.once.Do(func() {
		dir, err := os.MkdirTemp("", "opcity-dispute")
		if err != nil {
			p.err = err
			return
		}
		defer os.RemoveAll(dir)
		p.init, p.err = nodevm.Build(Root, pkg, dir)
	})
	if p.err != nil {
		t.Fatal(p.err)
	}
	return p.init
}

// NodeProgram builds the node program once per test binary.
func NodeProgram(t testing.TB) state.State { return nodeProgram.build(t, nodevm.NodeProgram) }

// RealWorld is the MLP chain of 2 blocks with the real node program as VM.
func RealWorld(t testing.TB, vmDepth int) *trace.World {
	set, err := trace.LoadMNIST(ModelsDir, 4)
	if err != nil {
		t.Fatal(err)
	}
	prog := NodeProgram(t)
	vm := &trace.NodeVM{Program: prog, Every: 1 << 17, Max: 1 << 32}
	w, err := set.NewWorld(trace.WorldConfig{ModelsDir: ModelsDir, Model: "mlp.opml", Split1: 1, VMDepth: vmDepth, Images: []int{0, 1},
		VM: vm.Factory(), Prestate: prog.Hash()})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TensorNodeProgram builds the tensor node program once per test binary.
func TensorNodeProgram(t testing.TB) state.State {
	return tensorNodeProgram.build(t, nodevm.TensorNodeProgram)
}

// OPcityWorld is a chain of 2 blocks of model on test images 0 and 1 with
// the tensor node program in fpvm under the OPcity profile as phase 3.
func OPcityWorld(t testing.TB, model string, vmDepth int) *trace.World {
	t.Helper()
	set, err := trace.LoadMNIST(ModelsDir, 4)
	if err != nil {
		t.Fatal(err)
	}
	prog := TensorNodeProgram(t)
	vm := &trace.NodeVM{Program: prog, Profile: spec.ProfileOPcity, Every: 1 << 17, Max: 1 << 32}
	w, err := set.NewWorld(trace.WorldConfig{ModelsDir: ModelsDir, Model: model, Split1: 1, VMDepth: vmDepth, Images: []int{0, 1},
		VM: vm.Factory(), Prestate: prog.Hash(), Profile: spec.ProfileOPcity})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// Honest is the honest party of the simulations: the Solver over w's truth
// that also resolves (as every scenario of the library plays it).
func Honest(w *trace.World) *sim.Solver {
	return &sim.Solver{Party: sim.Honest, View: w.Truth, Resolve: true}
}
