package evm

import "github.com/opcity-spec/opcity/format"

// InputOf returns the step input of a parsed witness file: its state, proof,
// local context and preimages (format.ParseWitness's oracle).
func InputOf(w format.Witness) Input {
	in := Input{State: w.State, Proof: w.Proof, LocalContext: w.LocalContext, Preimages: map[[32]byte][]byte{}}
	for k, v := range w.Oracle {
		in.Preimages[k] = v
	}
	return in
}
