package dispute

import "math/bits"

// Position is a generalized index (gindex) in the game tree, as OP's
// LibPosition: 2^depth + indexAtDepth, the root is 1. Depths up to 62 fit.
type Position uint64

// RootPosition is the position of the root claim.
const RootPosition Position = 1

// Depth returns the index of the most significant bit of p.
func (p Position) Depth() int { return bits.Len64(uint64(p)) - 1 }

// IndexAtDepth returns p − 2^Depth.
func (p Position) IndexAtDepth() uint64 { return uint64(p) - 1<<uint(p.Depth()) }

// Move returns the position of an attack (the left child 2p) or a defense
// (2(p|1), the left child of p's right sibling) against p.
func (p Position) Move(attack bool) Position {
	if attack {
		return p << 1
	}
	return (p | 1) << 1
}

// RightIndex returns the rightmost descendant of p at depth max (p itself
// when p is at max or deeper).
func (p Position) RightIndex(max int) Position {
	d := p.Depth()
	if d >= max {
		return p
	}
	s := uint(max - d)
	return p<<s | (1<<s - 1)
}

// TraceIndex returns the index at depth max of p's rightmost descendant:
// the trace index p commits to when max is the leaf depth of p's phase.
func (p Position) TraceIndex(max int) uint64 { return p.RightIndex(max).IndexAtDepth() }

// TraceAncestor returns the highest ancestor of p with the same trace
// index: p shifted right by its number of trailing one bits, and the root
// for the rightmost positions (all ones), whose trace index is the root's.
func (p Position) TraceAncestor() Position {
	return max(p>>uint(bits.TrailingZeros64(^uint64(p))), RootPosition)
}
