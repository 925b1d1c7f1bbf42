package memory

import "testing"

// TestRootRehashesOnlyWrittenPath checks the caching contract: after one
// write to a memory whose root is cached, Root hashes only the 59 nodes on
// the written path, whatever else the memory holds.
func TestRootRehashesOnlyWrittenPath(t *testing.T) {
	var m Memory
	for i := range uint64(256) {
		m, _ = m.SetWord(i*4096+i*8, i+1)
	}
	_ = m.Root()
	for _, addr := range []uint64{0x10, 0x1_0000_0008, 0xFFFF_FFFF_FFFF_FFF8} {
		m, _ = m.SetWord(addr, 0xAA)
		k := new(PairHasher)
		_ = m.root.root(0, k)
		if k.count != TreeDepth {
			t.Fatalf("root after one write at %#x hashed %d nodes, want %d", addr, k.count, TreeDepth)
		}
	}
}

// TestMEM_GEOMETRY pins the trie constants to the Merkle geometry.
func TestMEM_GEOMETRY(t *testing.T) {
	if heightOf(0) != TreeDepth || heightOf(pageLevel) != pageHeight || leafHeight(pageLevel) != 0 {
		t.Fatalf("heights: root %d, page %d, chunk %d", heightOf(0), heightOf(pageLevel), leafHeight(pageLevel))
	}
	if ProofSize != 1920 || ProofLeafCount != 60 || pageSize != 4096 {
		t.Fatal("proof or page size constants changed")
	}
}
