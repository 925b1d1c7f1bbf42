// Command infer runs a whole model inside the VM with the integer executor,
// without commitments: the cost of one inference as one VM program
// (docs/opml.md §7). It reads the keccak256 of the model file (local key 1)
// and of the input tensor's bytes (local key 2), then both by their keccak256
// keys, and prints, for each model output in order, "prediction N" for one
// int32 (ArgMax) and "output <hex>" for any other output. It exits 0, or 3 on
// bad input.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
)

func main() {
	o := guest.NewOracle()
	var parts [2][]byte
	for i, id := range []byte{guest.LocalModel, guest.LocalInput} {
		h, err := o.Get32(guest.LocalKey(id))
		if err != nil {
			guest.Fail("local key", err)
		}
		if parts[i], err = o.Get(guest.KeccakKey(h)); err != nil {
			guest.Fail("preimage", err)
		}
	}
	m, err := opml.Decode(parts[0])
	if err != nil {
		guest.Fail("model", err)
	}
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		guest.Fail("model", err)
	}
	out, err := e.Infer(parts[1])
	if err != nil {
		guest.Fail("input", err)
	}
	for _, t := range out {
		if v := t.Int32s(); t.DType == opml.Int32 && len(v) == 1 {
			fmt.Printf("prediction %d\n", v[0])
		} else {
			fmt.Printf("output %x\n", t.Data)
		}
	}
}
