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
