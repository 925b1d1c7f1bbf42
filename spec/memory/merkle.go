package memory

// root returns the Merkle root of subtree n at level (ZeroHash for nil).
func (n *node) root(level int, k *PairHasher) Hash {
	return n.hashes(level, k)[1]
}

// hashes returns n's mini-tree inner nodes in heap order, all valid. It
// recomputes only the stale entries, bottom-up, and publishes the result in
// n.done so later calls and other versions sharing n reuse it. Concurrent
// callers may both compute; they store equal values.
func (n *node) hashes(level int, k *PairHasher) []Hash {
	m := n.currentMemo(level)
	if m.dirty.empty() {
		return m.h
	}
	h := make([]Hash, len(m.h))
	copy(h, m.h)
	for j := len(h) - 1; j >= 1; j-- {
		if m.dirty.has(j) {
			h[j] = k.Pair(n.child(h, 2*j, level, k), n.child(h, 2*j+1, level, k))
		}
	}
	n.done.Store(&h)
	return h
}

// child returns mini-tree position j of n, given its valid inner nodes h.
func (n *node) child(h []Hash, j, level int, k *PairHasher) Hash {
	if j < len(h) {
		return h[j]
	}
	return n.leaf(j-len(h), level, k)
}

// leaf returns mini-tree leaf s of n: a raw chunk of a page, or the root of a
// branch's kid s.
func (n *node) leaf(s, level int, k *PairHasher) Hash {
	switch {
	case n == nil:
		return ZeroHash(leafHeight(level))
	case n.data != nil:
		return Hash(n.data[s*LeafSize : (s+1)*LeafSize])
	case n.kids[s] == nil:
		return ZeroHash(leafHeight(level))
	}
	return n.kids[s].root(level+1, k)
}

// at returns the Merkle node at height (leafHeight(level) <= height <=
// heightOf(level)) inside n whose subtree holds addr.
func (n *node) at(level int, addr uint64, height int, k *PairHasher) Hash {
	h := n.hashes(level, k)
	j := (len(h) + slot(addr, level)) >> (height - leafHeight(level))
	return n.child(h, j, level, k)
}

// addSiblings writes into p the siblings, inside n's mini tree, of the path
// to the leaf holding addr (proof heights leafHeight(level)..heightOf(level)-1).
func (n *node) addSiblings(p *Proof, level int, addr uint64, k *PairHasher) {
	h := n.hashes(level, k)
	height := leafHeight(level)
	for j := len(h) + slot(addr, level); j > 1; j >>= 1 {
		sib := n.child(h, j^1, level, k)
		copy(p[(height+1)*LeafSize:], sib[:])
		height++
	}
}
