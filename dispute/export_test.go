package dispute

import (
	"maps"

	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/transition"
)

// What the tests of package dispute_test reach inside the rules. None of it
// is part of the package's API.

// SetLegacyTransitionRule switches c to the old, unsound transition step
// (a well-formed node transition counted as proven correct), for the
// regression tests that show the break it allowed.
func SetLegacyTransitionRule(c *Config, on bool) { c.legacyTransitionRule = on }

// BondCurve returns a configuration holding only the bond table of the
// given curve (bondTable), for the bond-curve test.
func BondCurve(fee, base, high uint64, maxDepth int) *Config {
	return &Config{bonds: bondTable(fee, base, high, maxDepth)}
}

// WithoutTensors returns g holding no uploaded tensor.
func WithoutTensors(g Game) Game {
	g.tensors = map[TensorKey][]byte{}
	return g
}

// WithTensorBytes returns g with every uploaded tensor's bytes replaced by
// f of them, under the same key (what UploadTensor never does).
func WithTensorBytes(g Game, f func([]byte) []byte) Game {
	ts := maps.Clone(g.tensors)
	for k, b := range ts {
		ts[k] = f(b)
	}
	g.tensors = ts
	return g
}

// WithoutPreimages returns g holding no keccak256 preimage.
func WithoutPreimages(g Game) Game {
	g.store = map[[32]byte][]byte{}
	return g
}

// StepPreimages returns the preimage oracle of a step's D in the phase-3
// context ctx (stepOracle).
func StepPreimages(g Game, ctx Context) transition.PreimageOracle { return stepOracle{g, ctx} }

// StepTensors returns the tensor store of a step's D under the OPcity
// profile for block's model (stepTensors).
func StepTensors(g Game, block uint64) spec.TensorStore { return &stepTensors{g: g, block: block} }
