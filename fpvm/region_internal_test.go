package fpvm

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
)

// TestFPVM_PROFILE_RegionRoot: the executor's copies of the Merkle core, its
// hasher and computeRegionRoot (kept for speed), equal memory.PairHasher and
// memory.ComputeRegionRoot: on pairs of drawn leaves, and on drawn data (often
// all zero, lengths often at leaf and page edges) at sizes from one below the
// smallest that holds it up to 2^63, with ok false exactly when the data is
// longer than the region.
func TestFPVM_PROFILE_RegionRoot(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		var k hasher
		var ref memory.PairHasher
		var l, r memory.Hash
		copy(l[:], rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "left"))
		copy(r[:], rapid.SliceOfN(rapid.Byte(), 0, 32).Draw(t, "right"))
		if got, want := k.pair(l, r), ref.Pair(l, r); got != want {
			t.Fatalf("pair(%s, %s) = %s, memory.PairHasher %s", l, r, got, want)
		}
		n := rapid.OneOf(rapid.SampledFrom([]int{0, 1, 31, 32, 33, 64, 4095, 4096, 4097, 8192, 12289}),
			rapid.IntRange(0, 20000)).Draw(t, "len")
		data := make([]byte, n)
		if !rapid.Bool().Draw(t, "zero") {
			for i := range data {
				data[i] = byte(i*13 + 1)
			}
		}
		k0 := memory.RegionLog2Size(n)
		log2size := uint(rapid.SampledFrom([]int{int(k0) - 1, int(k0), int(k0) + 1, int(k0) + 4, 40, 63}).Draw(t, "log2size"))
		if log2size < memory.LeafLog2 {
			log2size = memory.LeafLog2
		}
		got, ok := k.computeRegionRoot(data, log2size)
		want, err := memory.ComputeRegionRoot(data, log2size)
		if ok != (err == nil) || got != want {
			t.Fatalf("computeRegionRoot(%d bytes, %d) = %s, %v; memory.ComputeRegionRoot %s, %v", n, log2size, got, ok, want, err)
		}
	})
}
