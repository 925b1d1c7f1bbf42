package memory

// Space is the narrow interface through which the state transition reads and
// writes memory. [Memory] is the full back-end; a witnessed back-end that
// holds only proven leaves implements it too, so one semantics runs on both.
type Space interface {
	// Word returns the big-endian word at addr. addr must be a multiple of
	// WordSize, else the error is *AlignmentError. A back-end that lacks the
	// data may return its own error.
	Word(addr uint64) (uint64, error)
	// WithWord returns the space with the word at addr set to v; the receiver
	// is unchanged. Errors as for Word.
	WithWord(addr uint64, v uint64) (Space, error)
	// Root returns the Merkle root of the whole 2^64-byte space.
	Root() Hash
}

// RegionSpace is a Space that also reads and writes whole 32-byte leaves and
// aligned power-of-two regions: what the OPcity profile's tensor syscalls
// need. [Memory], [Witnessed] and [Recorder] implement it; the base profile
// never uses it.
type RegionSpace interface {
	Space
	// Leaf returns the 32-byte leaf at addr, a multiple of LeafSize, else
	// the error is *AlignmentError.
	Leaf(addr uint64) ([LeafSize]byte, error)
	// WithLeaf returns the space with the leaf at addr set to v. Errors as
	// for Leaf.
	WithLeaf(addr uint64, v [LeafSize]byte) (Space, error)
	// RegionRoot returns the Merkle root of the region [addr,
	// addr+2^log2size). Errors: *RegionError for a region that is not an
	// aligned power-of-two subtree; a back-end that lacks the region's proof
	// returns its own error.
	RegionRoot(addr uint64, log2size uint) (Hash, error)
	// WithRegion returns the space whose region [addr, addr+2^log2size)
	// holds data followed by zeros, whose region root is root. Precondition:
	// root is the region root of data (a full back-end writes data, a
	// witnessed one replaces the region's node by root). Errors as for
	// RegionRoot, and *RegionError if data is longer than the region.
	WithRegion(addr uint64, log2size uint, root Hash, data []byte) (Space, error)
}

var (
	_ RegionSpace = Memory{}
	_ RegionSpace = Witnessed{}
	_ RegionSpace = Recorder{}
)
