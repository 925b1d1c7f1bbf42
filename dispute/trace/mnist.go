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
	"mlp.opml": {43395327, 1645032, 2200878, 1563498},
	"cnn.opml": {17982378, 10241259, 7899729, 3723682, 73862817, 1590386, 1914813, 1563497},
	"vit.opml": {8604931, 2327722, 2807535, 2666441, 6045775, 2327274, 2641617, 6045785, 2327274, 2641617, 6045806, 2327274, 2641617, 3422839, 2487085, 3419801, 2641617, 2327372, 6045797, 2807581, 2666573, 10113386, 3275236, 9655964, 2807564, 2666705, 6045848, 2327274, 2641617, 6045813, 2327274, 2641617, 6045799, 2327274, 2641617, 3422749, 2487112, 3419692, 2641617, 2327372, 6045791, 2807570, 2666756, 10113311, 3275158, 9655991, 2807570, 2351929, 1816604, 1943222, 1563498},
}

// OPcitySteps are the tensor node program's (opml/nodevm/nodetensor) VM
// steps per node under the OPcity profile on MNIST test image 0, from its
// initial state to the exit with the right claim: measured with NodeVM
// (TestDISPUTE_PROFILE_Steps checks them), they equal docs/opml.md §7.5's
// steps from the absolute prestate plus its prestate steps (1,492,938). The
// synthetic VM uses them as trace lengths under spec.ProfileOPcity.
var OPcitySteps = map[string][]uint64{
	"mlp.opml": {4185475, 1566187, 1642754, 1561604},
	"cnn.opml": {13554612, 2004494, 2674147, 1608753, 6039904, 1563619, 1621248, 1561603},
	"vit.opml": {6577875, 1579889, 1677272, 1740421, 3436984, 1579441, 1893991, 3436994, 1579441, 1893991, 3437014, 1579441, 1893991, 2210984, 1739460, 2207946, 1893991, 1579539, 3437006, 1677318, 1740553, 5262629, 1756948, 5083508, 1677301, 1740685, 3437056, 1579441, 1893991, 3437021, 1579441, 1893991, 3437008, 1579441, 1893991, 2210894, 1739487, 2207837, 1893991, 1579539, 3437000, 1677307, 1740736, 5262554, 1756870, 5083535, 1677307, 1658434, 1609508, 1630251, 1561604},
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
