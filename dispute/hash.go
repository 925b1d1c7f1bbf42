package dispute

import (
	"github.com/opcity-spec/opcity/opml/nodevm/guest"
	"github.com/opcity-spec/opcity/spec/memory"
)

// Keccak returns keccak256 of the concatenation of parts, the hash of every
// commitment of the game (jobs, output roots, descriptors, local contexts).
func Keccak(parts ...[]byte) Hash { return memory.Keccak256(parts...) }

// keccakKey returns the preimage-oracle key of a keccak256 value: 0x02
// followed by its last 31 bytes (the node program's convention).
func keccakKey(h Hash) [32]byte { return guest.KeccakKey(h) }

// localKey returns the local preimage key with identifier id: 0x01, 30
// zero bytes, id. The node program reads the descriptor hash under
// guest.LocalDescriptor (1) and the claimed output under guest.LocalClaim (2).
func localKey(id byte) [32]byte { return guest.LocalKey(id) }

// TablePath returns the siblings of entry index in the graph-state table
// holding entries (zero-padded to 2^depth entries), leaf level first
// (memory.RegionTree.Path; memory.ComputePathRoot folds them back to the
// table root); nil when depth is outside 0..20, index is not below 2^depth
// or there are more than 2^depth entries.
func TablePath(entries []Hash, depth int, index uint64) []Hash {
	if depth < 0 || depth > 20 || index >= 1<<uint(depth) || len(entries) > 1<<uint(depth) {
		return nil
	}
	return memory.NewRegionTree(entries, depth).Path(index)
}
