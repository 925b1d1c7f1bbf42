// Command nodetensor is the opML node program on the OPcity profile's
// tensor syscalls (docs/opml.md §7.5): it reads the same data as the node
// program (opml/nodevm/node) — the descriptor by local key 1, the claim by
// local key 2 — but binds each operand to its commitment with tensor_map
// (the VM fills the region from D's tensor store and checks the root)
// instead of fetching its bytes through the preimage oracle and hashing
// them in MIPS code, and commits to its output with tensor_root. It prints
// "output 0x…" and exits 0 if the claim equals the output's commitment, 1
// if not, 3 on bad input. It runs only under the OPcity profile.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"os"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec/memory"
)

func main() {
	o := guest.NewOracle()
	h, err := o.Get32(guest.LocalKey(guest.LocalDescriptor))
	if err != nil {
		guest.Fail("descriptor hash", err)
	}
	raw, err := o.Get(guest.KeccakKey(h))
	if err != nil {
		guest.Fail("descriptor", err)
	}
	d, err := opml.DecodeNodeDescriptor(raw)
	if err != nil {
		guest.Fail("descriptor", err)
	}
	operands := make([][]byte, len(d.Operands))
	for i, op := range d.Operands {
		size := d.Graph.Tensors[i].ByteSize()
		r, err := guest.NewRegion(opml.TensorLog2Size(size))
		if err != nil {
			guest.Fail(fmt.Sprintf("operand %d", i), err)
		}
		if err := guest.MapTensor(r, op.Commitment); err != nil {
			guest.Fail(fmt.Sprintf("operand %d", i), err)
		}
		operands[i] = r.Bytes()[:size]
	}
	out, err := d.Compute(operands)
	if err != nil {
		guest.Fail("node", err)
	}
	r, err := guest.NewRegion(opml.TensorLog2Size(len(out)))
	if err != nil {
		guest.Fail("output", err)
	}
	copy(r.Bytes(), out)
	root, err := guest.RootOf(r)
	if err != nil {
		guest.Fail("output", err)
	}
	fmt.Printf("output %s\n", memory.Hash(root))
	claim, err := o.Get32(guest.LocalKey(guest.LocalClaim))
	if err != nil {
		guest.Fail("claim", err)
	}
	if claim != root {
		os.Exit(guest.ExitClaimWrong)
	}
}
