package evm

import (
	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec"
)

// InputOf returns the step input of a parsed witness file: its state, proof,
// local context and preimages (format.ParseWitness's oracle); a witness of
// the OPcity profile runs through MIPS64OPcity with its tensor, if it has
// one, uploaded to TensorOracle first.
func InputOf(w format.Witness) Input {
	in := Input{State: w.State, Proof: w.Proof, LocalContext: w.LocalContext, Preimages: map[[32]byte][]byte{}}
	for k, v := range w.Oracle {
		in.Preimages[k] = v
	}
	in.OPcity = w.Profile == spec.ProfileOPcity
	if w.HasTensor {
		in.Tensors = [][]byte{w.Tensor}
	}
	return in
}
