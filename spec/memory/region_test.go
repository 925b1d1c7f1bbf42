package memory_test

import (
	"bytes"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
)

// TestTENSOR_REGION_WRITE: on random memories, Memory.WithRegion (persistent
// and transient) leaves the region holding data followed by zeros, its
// region root the data's, and everything outside unchanged (the region
// proof's siblings); the old value keeps its root; the region proof folds to
// the root; Witnessed.WithRegion over the proof gives the same new root.
func TestTENSOR_REGION_WRITE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		k := uint(rapid.IntRange(5, 22).Draw(t, "log2size"))
		base := uint64(1) << 40
		addr := base + uint64(rapid.IntRange(0, 3).Draw(t, "index"))<<k
		var m memory.Memory
		for _, off := range rapid.SliceOfN(rapid.Uint64Range(0, 1<<24), 0, 20).Draw(t, "writes") {
			m, _ = m.SetWord((base+off)&^7, off|1)
		}
		data := make([]byte, rapid.IntRange(0, 1<<k).Draw(t, "len"))
		for i := range data {
			data[i] = byte(i*31 + 1)
		}
		root, err := memory.ComputeRegionRoot(data, k)
		if err != nil {
			t.Fatal(err)
		}
		oldRoot := m.Root()
		proof, err := m.RegionProof(addr, k)
		if err != nil {
			t.Fatal(err)
		}
		if memory.ComputeRootFromRegion(addr, k, proof, proof.Root()) != oldRoot {
			t.Fatal("region proof does not fold to the memory root")
		}
		w := memory.NewWitnessed(oldRoot, append(make([]byte, 2*memory.ProofSize), proof[:]...))
		ws, err := w.WithRegion(addr, k, root, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, transient := range []bool{false, true} {
			src := m
			if transient {
				src = m.Persistent().Transient(&memory.Edit{})
			}
			s, err := src.WithRegion(addr, k, root, data)
			if err != nil {
				t.Fatal(err)
			}
			post := s.(memory.Memory).Persistent()
			if got, _ := post.RegionRoot(addr, k); got != root {
				t.Fatalf("transient %v: region root %s, want %s", transient, got, root)
			}
			want := append(append([]byte(nil), data...), make([]byte, 1<<k-len(data))...)
			if !bytes.Equal(post.Bytes(addr, 1<<k), want) {
				t.Fatalf("transient %v: region bytes differ", transient)
			}
			after, _ := post.RegionProof(addr, k)
			if !bytes.Equal(after[32:], proof[32:]) {
				t.Fatalf("transient %v: memory outside the region changed", transient)
			}
			if post.Root() != ws.Root() {
				t.Fatalf("transient %v: full root %s, witnessed root %s", transient, post.Root(), ws.Root())
			}
			if m.Root() != oldRoot {
				t.Fatal("WithRegion changed the memory it was called on")
			}
		}
	})
}

// TestTENSOR_REGION_WRITE_Pages: mapping a small tensor into a 1 GiB region
// releases the pages of the region and holds only the tensor's.
func TestTENSOR_REGION_WRITE_Pages(t *testing.T) {
	var m memory.Memory
	for i := uint64(0); i < 64; i++ {
		m, _ = m.SetWord(1<<30+i<<20, i+1) // 64 pages spread over the region
	}
	m, _ = m.SetWord(1<<31, 7) // one page past the region
	s, err := m.WithRegion(1<<30, 30, memory.Hash{}, make([]byte, 5000))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.(memory.Memory).PageCount(); got != 3 {
		t.Fatalf("pages after mapping 5000 bytes over 64 held pages: %d, want 2 + 1", got)
	}
	if _, err := m.WithRegion(1<<30+32, 30, memory.Hash{}, nil); err == nil {
		t.Fatal("unaligned region accepted")
	}
	if _, err := m.WithRegion(0, 5, memory.Hash{}, make([]byte, 33)); err == nil {
		t.Fatal("data longer than the region accepted")
	}
}
