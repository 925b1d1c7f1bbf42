// Command node is the opML node program: it recomputes one node of a model's
// computation graph inside the VM with the same integer kernels the native
// executor uses, and checks a claimed commitment to its output
// (docs/opml.md §7, requirement OPML-NODE-PROGRAM).
//
// It reads, through the preimage oracle: the keccak256 of the node
// descriptor (local key 1), the descriptor (by its keccak256 key), each
// operand's bytes (by the keccak256 key the descriptor names; each is
// checked against its commitment, computed in the VM), and last the claimed
// output commitment (local key 2). It prints "output 0x…" (the commitment it
// computed) and exits 0 if the claim equals it, 1 if not, 3 on bad input.
// Only Cannon's syscalls are used: this is the base-profile cost.
//
//go:debug decoratemappings=0
package main

import (
	"fmt"
	"os"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
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
		if operands[i], err = o.Get(guest.KeccakKey(op.Keccak)); err != nil {
			guest.Fail(fmt.Sprintf("operand %d", i), err)
		}
	}
	_, root, err := d.Apply(operands)
	if err != nil {
		guest.Fail("node", err)
	}
	fmt.Printf("output %s\n", root)
	claim, err := o.Get32(guest.LocalKey(guest.LocalClaim))
	if err != nil {
		guest.Fail("claim", err)
	}
	if claim != root {
		os.Exit(guest.ExitClaimWrong)
	}
}
