package memory_test

import (
	"errors"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
)

// The flat Merkle computations (ComputeRegionRoot, RegionTree, Fold) are
// checked against the memory trie and against the naive reference model:
// they are the single copy every other package uses (opml's tensor and
// graph roots, the dispute game's tables), so each is held equal to the
// trie's RegionRoot here.

// genRegionBytes draws data whose length is often at a leaf or page edge.
func genRegionBytes(t *rapid.T) []byte {
	n := rapid.OneOf(rapid.SampledFrom([]int{0, 1, 31, 32, 33, 63, 64, 65, 4095, 4096, 4097, 8193}),
		rapid.IntRange(0, 3000)).Draw(t, "len")
	return rapid.SliceOfN(rapid.Byte(), n, n).Draw(t, "data")
}

// TestMEM_REGION_ROOT_Log2Size: RegionLog2Size(n) is the smallest k >= 5 with
// 2^k >= n, for every n up to 2^17 and at every power of two (±1) above.
func TestMEM_REGION_ROOT_Log2Size(t *testing.T) {
	holds := func(n int) {
		k := memory.RegionLog2Size(n)
		if k < memory.LeafLog2 || 1<<k < n || k > memory.LeafLog2 && 1<<(k-1) >= n {
			t.Fatalf("RegionLog2Size(%d) = %d, not the smallest k >= 5 with 2^k >= n", n, k)
		}
	}
	for n := range 1<<17 + 1 {
		holds(n)
	}
	for e := 17; e < 62; e++ {
		holds(1<<e - 1)
		holds(1 << e)
		holds(1<<e + 1)
	}
}

// TestMEM_REGION_ROOT_Bytes: ComputeRegionRoot of data at any size that
// holds it is the trie's RegionRoot of a memory holding data at an aligned
// address among other data, and (for small regions) the naive Merkle root
// of the zero-padded bytes; sizes outside [5,64] and data longer than the
// region are *RegionErrors (MEM-REGION-ROOT).
func TestMEM_REGION_ROOT_Bytes(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		data := genRegionBytes(t)
		k0 := memory.RegionLog2Size(len(data))
		k := uint(rapid.SampledFrom([]int{int(k0), int(k0) + 1, int(k0) + 3, 40, 63, 64}).Draw(t, "log2size"))
		got, err := memory.ComputeRegionRoot(data, k)
		if err != nil {
			t.Fatalf("ComputeRegionRoot(%d bytes, %d): %v", len(data), k, err)
		}
		if want, _ := (memory.Memory{}).SetBytes(0, data).RegionRoot(0, k); got != want {
			t.Fatalf("ComputeRegionRoot(%d bytes, %d) = %s, empty memory's RegionRoot %s", len(data), k, got, want)
		}
		if k < 64 {
			addr := uint64(rapid.IntRange(1, 5).Draw(t, "slot")) << k
			junk := rapid.SliceOfN(rapid.Byte(), 1, 64).Draw(t, "junk")
			m := memory.Memory{}.SetBytes(addr-uint64(len(junk)), junk).SetBytes(addr+1<<k, junk).SetBytes(addr, data)
			if want, _ := m.RegionRoot(addr, k); got != want {
				t.Fatalf("ComputeRegionRoot(%d bytes, %d) = %s, RegionRoot(%#x) among other data %s", len(data), k, got, addr, want)
			}
		}
		if k <= 14 {
			padded := append(append([]byte(nil), data...), make([]byte, 1<<k-len(data))...)
			if want := merkleizeBytes(padded); got != want {
				t.Fatalf("ComputeRegionRoot(%d bytes, %d) = %s, merkleized bytes %s", len(data), k, got, want)
			}
		}
		var re *memory.RegionError
		if k0 > 5 {
			if _, err := memory.ComputeRegionRoot(data, k0-1); !errors.As(err, &re) {
				t.Fatalf("ComputeRegionRoot(%d bytes, %d) err = %v, want *RegionError", len(data), k0-1, err)
			}
		}
		bad := rapid.SampledFrom([]uint{0, 4, 65, 200}).Draw(t, "badLog2")
		if _, err := memory.ComputeRegionRoot(data, bad); !errors.As(err, &re) {
			t.Fatalf("ComputeRegionRoot(_, %d) err = %v, want *RegionError", bad, err)
		}
	})
}

// TestMEM_REGION_ROOT_Tree: a RegionTree over drawn leaves has the region root
// of their bytes as its root; every leaf's Path folds (ComputePathRoot, the
// naive fold) to it; Set on a clone gives the tree of the changed leaves and
// leaves the original as it was.
func TestMEM_REGION_ROOT_Tree(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		height := rapid.OneOf(rapid.IntRange(0, 7), rapid.SampledFrom([]int{20, 59})).Draw(t, "height")
		n := rapid.IntRange(0, min(1<<height, 70)).Draw(t, "leaves")
		leaves := make([]memory.Hash, n)
		var data []byte
		for i := range leaves {
			copy(leaves[i][:], rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "leaf"))
			data = append(data, leaves[i][:]...)
		}
		tree := memory.NewRegionTree(leaves, height)
		root := tree.Root()
		if want, _ := memory.ComputeRegionRoot(data, uint(height)+memory.LeafLog2); root != want || tree.Height() != height {
			t.Fatalf("tree of %d leaves, height %d (%d): root %s, region root %s", n, height, tree.Height(), root, want)
		}
		leafAt := func(l []memory.Hash, i uint64) memory.Hash {
			if i < uint64(len(l)) {
				return l[i]
			}
			return memory.Hash{}
		}
		probes := []uint64{0, uint64(max(n, 1) - 1), uint64(n), 1<<height - 1}
		probes = append(probes, rapid.Uint64Range(0, 1<<height-1).Draw(t, "probe"))
		for _, i := range probes {
			if i >= 1<<height {
				continue
			}
			path := tree.Path(i)
			if len(path) != height {
				t.Fatalf("Path(%d) has %d siblings, want %d", i, len(path), height)
			}
			if got := memory.ComputePathRoot(leafAt(leaves, i), i, path); got != root {
				t.Fatalf("Path(%d) folds to %s, root %s", i, got, root)
			}
			if got := refPathFold(leafAt(leaves, i), i, path); got != root {
				t.Fatalf("Path(%d) folds naively to %s, root %s", i, got, root)
			}
		}
		if n == 0 {
			return
		}
		j := rapid.IntRange(0, n-1).Draw(t, "set")
		var x memory.Hash
		copy(x[:], rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "value"))
		changed := tree.Clone()
		changed.Set(new(memory.PairHasher), j, x)
		leaves2 := append([]memory.Hash(nil), leaves...)
		leaves2[j] = x
		if want := memory.NewRegionTree(leaves2, height).Root(); changed.Root() != want {
			t.Fatalf("Set(%d): root %s, tree of the changed leaves %s", j, changed.Root(), want)
		}
		// The original's root, and the path of j's sibling (which holds leaf
		// j), are as before the Set.
		sib := uint64(j) ^ 1
		if tree.Root() != root || height > 0 && !slices.Equal(tree.Path(sib), memory.NewRegionTree(leaves, height).Path(sib)) {
			t.Fatal("Set on a clone changed the original")
		}
	})
}

// refPathFold is the naive fold of a path with refKeccak.
func refPathFold(node memory.Hash, index uint64, siblings []memory.Hash) memory.Hash {
	for h, s := range siblings {
		if index>>h&1 == 1 {
			node = refKeccak(s, node)
		} else {
			node = refKeccak(node, s)
		}
	}
	return node
}

// TestMEM_PROOF_COMPLETE_Fold: ComputePathRoot over a memory proof's siblings,
// from the leaf at index addr>>5, is the memory root and the naive fold;
// ComputeRoot is that fold (MEM-PROOF-COMPLETE).
func TestMEM_PROOF_COMPLETE_Fold(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref := newRef()
		m := apply(t, memory.Memory{}, ref, genWrites(12).Draw(t, "writes"))
		a := genAddr().Draw(t, "addr")
		p := m.Proof(a)
		sibs := make([]memory.Hash, memory.TreeDepth)
		for i := range sibs {
			sibs[i] = p.Sibling(i)
		}
		got := memory.ComputePathRoot(memory.Hash(p.Leaf()), a>>memory.LeafLog2, sibs)
		if got != m.Root() || got != refPathFold(memory.Hash(p.Leaf()), a>>memory.LeafLog2, sibs) || got != memory.ComputeRoot(a, p) {
			t.Fatalf("fold of Proof(%#x) = %s, root %s", a, got, m.Root())
		}
	})
}
