package memory

import (
	"fmt"

	"github.com/opcity-spec/opcity/spec/errors"
)

// AlignmentError reports a word access at an address that is not a multiple
// of [WordSize] (requirement MEM-ALIGN).
type AlignmentError struct {
	Addr uint64
}

// Error returns "memory: unaligned word access at 0x…".
func (e *AlignmentError) Error() string {
	return fmt.Sprintf("memory: unaligned word access at 0x%x", e.Addr)
}

// RegionError reports a [Memory.RegionRoot] request for a region that is not
// an aligned power-of-two subtree: Log2Size outside [5,64], or Addr not a
// multiple of 2^Log2Size.
type RegionError struct {
	Addr     uint64
	Log2Size uint
}

// Error says which of the two preconditions the region breaks.
func (e *RegionError) Error() string {
	if e.Log2Size < LeafLog2 || e.Log2Size > 64 {
		return fmt.Sprintf("memory: region size 2^%d outside [2^%d, 2^64]", e.Log2Size, LeafLog2)
	}
	return fmt.Sprintf("memory: region address 0x%x not aligned to its size 2^%d", e.Addr, e.Log2Size)
}

// ProofError reports a memory proof that does not imply the expected root
// (requirement MEM-PROOF-BINDING). Want is the expected root, Got the root the
// proof implies for Addr.
type ProofError struct {
	Addr uint64
	Want Hash
	Got  Hash
}

// Error names the address and both roots.
func (e *ProofError) Error() string {
	return fmt.Sprintf("memory: proof for address 0x%x implies root %s, want %s", e.Addr, e.Got, e.Want)
}

// Unwrap places the error in the spec's closed set: CodeUnalignedAccess.
func (e *AlignmentError) Unwrap() error {
	return errors.New(errors.CodeUnalignedAccess, "0x%x", e.Addr)
}

// Unwrap places the error in the spec's closed set: CodeBadRegion.
func (e *RegionError) Unwrap() error {
	return errors.New(errors.CodeBadRegion, "addr 0x%x, log2size %d", e.Addr, e.Log2Size)
}

// Unwrap places the error in the spec's closed set: CodeBadMemoryProof.
func (e *ProofError) Unwrap() error {
	return errors.New(errors.CodeBadMemoryProof, "address 0x%x", e.Addr)
}
