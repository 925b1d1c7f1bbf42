package fuzz

import (
	"encoding/json"
	stderrors "errors"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/program"
)

// honestWitness returns the witness JSON of one step from a state built
// from seed bytes (see properties.StateFromBytes).
func honestWitness(seed []byte) []byte {
	pre, oracle := properties.StateFromBytes(seed)
	post, w, err := spec.StepWithWitness(pre, spec.Data{Preimages: oracle})
	if err != nil {
		return nil
	}
	b, _ := json.Marshal(format.EncodeWitness(pre.Step, w, post.Hash()))
	return b
}

// tensorMapWitness returns the witness JSON of properties.TensorProgram's
// tensor_map (the step from step 8) with a tensor of n bytes mapped at
// 2^k, as `opcity witness --profile opcity` writes it.
func tensorMapWitness(n int, k uint) []byte {
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(i*5 + 1)
	}
	root, _ := memory.ComputeRegionRoot(data, k)
	s, err := program.Load(properties.TensorProgram(root, k))
	if err != nil {
		panic(err)
	}
	d := spec.Data{Tensors: spec.NewTensors(data)}
	s, _, _ = spec.RunIn(spec.ProfileOPcity, s, d, 8)
	post, w, err := spec.StepWithWitnessIn(spec.ProfileOPcity, s, d)
	if err != nil {
		panic(err)
	}
	b, _ := json.Marshal(format.EncodeWitnessIn(spec.ProfileOPcity, s.Step, w, post.Hash()))
	return b
}

// FuzzParseWitness: `opcity verify` on hostile JSON never panics; it fails
// only with typed errors and an accepted file round-trips through its
// canonical form (INPUT-WITNESS-FIELDS, WIT-TENSOR); a file it parses is
// verified under its profile with its D to a hash or rejected with a typed
// error (VER-SOUND, ERR-DECODE).
func FuzzParseWitness(f *testing.F) {
	f.Add(honestWitness(word(0x00000000)))                   // an honest nop step
	f.Add(honestWitness(word(0x8C820000, 1, 2, 3)))          // an honest load: two proof slots
	f.Add([]byte(`{"state": "0x00", "proof": "0x"}`))        // a short state
	f.Add([]byte(`{"state": 5}`))                            // wrong JSON type
	f.Add([]byte(`{"preimage_key": "0x01", "state": "0x"}`)) // a short key
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"step": 0, "state": "0x", "state_hash": "0x", "proof": "0x", "note": 1}`))                       // an unknown field
	f.Add(tensorMapWitness(200, 8))                                                                                 // an honest tensor_map under the OPcity profile (WIT-TENSOR)
	f.Add(tensorMapWitness(0, 5))                                                                                   // the same with the empty tensor in one leaf
	f.Add([]byte(`{"step": 0, "profile": "opcity", "tensor_root": "0x00", "tensor_log2size": 31, "tensor": "0x"}`)) // tensor fields out of range
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := properties.CheckParseWitness(raw); err != nil { // typed errors, canonical round trip (INPUT-WITNESS-FIELDS, WIT-TENSOR)
			t.Fatal(err)
		}
		in, err := format.ParseWitness(raw)
		if err != nil {
			return
		}
		_, err = spec.VerifyStepIn(in.Profile, in.State, in.Proof, in.LocalContext, in.Data())
		var e *errors.Error
		if err != nil && !stderrors.As(err, &e) {
			t.Fatalf("untyped error %T: %v", err, err)
		}
	})
}

// FuzzVerifyStep: VerifyStep on arbitrary state and proof bytes never panics
// and fails only with typed errors; an honest witness with one bit flipped
// never verifies to the honest post-state unless it commits to another
// valid pre-state with the same post-state (VER-SOUND).
func FuzzVerifyStep(f *testing.F) {
	f.Add(word(0x00000000), uint8(0), uint64(0))    // nop; flip a state bit
	f.Add(word(0x8C820000, 9), uint8(2), uint64(7)) // lw; flip a memory-proof bit
	f.Add(word(0xAC820000, 9), uint8(1), uint64(3)) // sw; flip a thread-witness bit
	f.Add(word(0x0000000C), uint8(0), uint64(900))  // syscall
	f.Fuzz(func(t *testing.T, seed []byte, region uint8, bit uint64) {
		pre, oracle := properties.StateFromBytes(seed)
		if _, err := properties.CheckVerifySound(pre, spec.Data{Preimages: oracle}, properties.TamperRegion(region%3), bit); err != nil {
			t.Fatal(err)
		}
		if err := properties.CheckVerifyComplete(pre, spec.Data{Preimages: oracle}); err != nil {
			t.Fatal(err)
		}
	})
}
