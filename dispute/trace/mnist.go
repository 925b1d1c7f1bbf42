package trace

import (
	"fmt"
	"math/bits"
	"path/filepath"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
)

// MeasuredSteps are the node program's VM steps per node on MNIST test
// image 0, up to the claim read (docs/opml.md §7.4); the synthetic VM uses
// them as trace lengths.
var MeasuredSteps = map[string][]uint64{
	"mlp.opml": {43397581, 1647287, 2203133, 1565753},
	"cnn.opml": {17984791, 10243515, 7901985, 3725934, 73864915, 1592641, 1917068, 1565752},
	"vit.opml": {8607186, 2329974, 2809834, 2667837, 6135741, 2329526, 2643010, 6135751, 2329526, 2643010, 6135771, 2329526, 2643010, 3506720, 2488478, 3503682, 2643010, 2329624, 6135763, 2809880, 2667969, 10321159, 3276632, 9746869, 2809863, 2668101, 6135813, 2329526, 2643010, 6135778, 2329526, 2643010, 6135765, 2329526, 2643010, 3506630, 2488505, 3503573, 2643010, 2329624, 6135757, 2809869, 2668152, 10321084, 3276554, 9746896, 2809869, 2358830, 1818000, 1945965, 1565753},
}

// OPcitySteps are the tensor node program's (opml/nodevm/nodetensor) VM
// steps per node under the OPcity profile on MNIST test image 0, from its
// initial state to the exit with the right claim: measured with NodeVM
// (TestDISPUTE_PROFILE_Steps checks them), they equal docs/opml.md §7.5's
// steps from the absolute prestate plus its prestate steps (1,494,322). The
// synthetic VM uses them as trace lengths under spec.ProfileOPcity.
var OPcitySteps = map[string][]uint64{
	"mlp.opml": {4187692, 1568436, 1644971, 1563853},
	"cnn.opml": {13556829, 2006743, 2676396, 1611002, 6042121, 1565868, 1628457, 1563852},
	"vit.opml": {6579934, 1582138, 1679527, 1741823, 3525365, 1581690, 1895381, 3525375, 1581690, 1895381, 3525395, 1581690, 1895381, 2296345, 1740850, 2293307, 1895381, 1581788, 3525387, 1679573, 1741955, 5437220, 1758338, 5174611, 1679556, 1742087, 3525437, 1581690, 1895381, 3525402, 1581690, 1895381, 3525389, 1581690, 1895381, 2296255, 1740877, 2293198, 1895381, 1581788, 3525381, 1679562, 1742138, 5437145, 1758260, 5174638, 1679562, 1665385, 1610910, 1633044, 1563853},
}

// StepsIn returns the per-node trace lengths of a bundled model under
// profile p: MeasuredSteps (base) or OPcitySteps.
func StepsIn(p spec.Profile, model string) []uint64 {
	if p == spec.ProfileOPcity {
		return OPcitySteps[model]
	}
	return MeasuredSteps[model]
}

// BundledStepBound is the step bound registered for a bundled model
// (Model.StepBound): the power of two at or above 5/4 of the longest
// measured node trace. The node programs' loops run over the tensors'
// shapes, so their step counts move with the data only through the
// branches of saturation, ReLU and ArgMax; the margin covers those and the
// steps after the claim read that MeasuredSteps leaves out.
// TestDISPUTE_VMDEPTH_Bundled checks the real node programs against it.
func BundledStepBound(steps []uint64) uint64 {
	var longest uint64
	for _, n := range steps {
		longest = max(longest, n)
	}
	b := uint64(1)
	for b < longest+longest/4 {
		b <<= 1
	}
	return b
}

// WorldConfig describes a chain of MNIST inference jobs.
type WorldConfig struct {
	ModelsDir string // models/mnist
	Model     string // "mlp.opml", "cnn.opml" or "vit.opml"
	Split1    int    // 2^Split1 blocks
	VMDepth   int    // phase-3 depth (2^VMDepth trace indices)
	Images    []int  // test image per block (len 2^Split1)
	// VM is the phase-3 trace factory with its absolute prestate and
	// verifier; nil selects the synthetic VM with StepsIn(Profile, Model).
	VM       VMFactory
	Prestate dispute.Hash
	Verifier dispute.StepVerifier
	// Profile is the game's VM profile (Config.Profile); a real VM must
	// run the matching node program.
	Profile spec.Profile
}

// MNISTSet caches decoded models and test images.
type MNISTSet struct {
	Dir    string
	Pixels [][]byte
	models map[string]*dispute.Model
}

// LoadMNIST reads n test images and the bundled models from dir.
func LoadMNIST(dir string, n int) (*MNISTSet, error) {
	px, _, err := mnist.TestSet(dir, n)
	if err != nil {
		return nil, err
	}
	s := &MNISTSet{Dir: dir, Pixels: px, models: map[string]*dispute.Model{}}
	for name := range MeasuredSteps {
		raw, err := limits.ReadFile(filepath.Join(dir, name), limits.Model)
		if err != nil {
			return nil, err
		}
		m, err := opml.Decode(raw)
		if err != nil {
			return nil, err
		}
		if s.models[name], err = registerBundled(name, m); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// registerBundled returns the registry entry of the bundled model name,
// with BundledStepBound of its measured steps under each profile as its
// step bound. It refuses a model with a node whose estimated VM steps
// exceed nodevm.MaxSteps, the longest trace phase 3 runs
// (nodevm.ValidateSteps, requirement OPML-NODE-WORK-BOUND): the game could
// not hold that node's trace (opml/chunk splits such nodes). Errors: the
// *nodevm.StepBoundError, prefixed with the name.
func registerBundled(name string, m opml.Model) (*dispute.Model, error) {
	if err := nodevm.ValidateSteps(m, nodevm.MaxSteps); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r := dispute.RegisterModel(m)
	for _, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		r.StepBound[p] = BundledStepBound(StepsIn(p, name))
	}
	return r, nil
}

// Model returns the registry entry of a bundled model ("mlp.opml",
// "cnn.opml", "vit.opml"), nil if there is none.
func (s *MNISTSet) Model(name string) *dispute.Model { return s.models[name] }

// NewWorld builds the game type and the truth of a chain of jobs running
// model on the chosen test images.
func (s *MNISTSet) NewWorld(wc WorldConfig) (*World, error) {
	r := s.models[wc.Model]
	if r == nil {
		return nil, fmt.Errorf("dispute: unknown model %q", wc.Model)
	}
	nodes := uint64(len(r.Model.Nodes))
	d2 := bits.Len64(nodes - 1) // the least depth whose 2^d2 leaves hold every node
	cfg := &dispute.Config{Split1: wc.Split1, Split2: wc.Split1 + 1 + d2, Models: map[dispute.Hash]*dispute.Model{r.Hash: r}, Profile: wc.Profile}
	cfg.MaxDepth = cfg.Split2 + 1 + wc.VMDepth
	dispute.DefaultClocks(cfg)
	cfg.Anchor = dispute.Keccak([]byte("opcity anchor"))
	steps := StepsIn(wc.Profile, wc.Model)
	vm := wc.VM
	if vm == nil {
		y := &Synthetic{Steps: func(_ *dispute.Model, k uint64) uint64 { return steps[k] }}
		vm, cfg.AbsolutePrestate, cfg.Verifier = y.Factory(), SyntheticPrestate(), y.Verifier()
	} else {
		cfg.AbsolutePrestate, cfg.Verifier = wc.Prestate, wc.Verifier
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var inputs [][][]byte
	var models []dispute.Hash
	for _, i := range wc.Images {
		inputs = append(inputs, [][]byte{mnist.Input(s.Pixels[i%len(s.Pixels)])})
		models = append(models, r.Hash)
	}
	t, jobs, err := NewTruth(cfg, inputs, models, vm)
	if err != nil {
		return nil, err
	}
	cfg.Inbox = dispute.NewInbox(jobs)
	return &World{Cfg: cfg, Truth: t, Jobs: jobs, Blocks: uint64(len(jobs)), Nodes: nodes,
		Steps: func(_, k uint64) uint64 { return steps[k] }}, nil
}
