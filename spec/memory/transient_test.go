package memory_test

import (
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
)

// TestMEM_TRANSIENT: writing through a transient value gives the same words,
// roots and proofs as writing persistently, interleaved root requests
// included, and never changes the persistent value it started from
// (MEM-IMMUTABLE holds for everything outside the transient's ownership).
func TestMEM_TRANSIENT(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		base := apply(t, memory.Memory{}, newRef(), genWrites(12).Draw(t, "base"))
		baseRoot := base.Root()
		ws := genWrites(24).Draw(t, "writes")
		baseWords := map[uint64]uint64{}
		for _, w := range ws {
			baseWords[w.Addr], _ = base.Word(w.Addr)
		}
		rootEvery := rapid.IntRange(1, 8).Draw(t, "rootEvery")
		persistent, transient := base, base.Transient(&memory.Edit{})
		for i, w := range ws {
			persistent, _ = persistent.SetWord(w.Addr, w.Value)
			transient, _ = transient.SetWord(w.Addr, w.Value)
			if i%rootEvery == 0 && transient.Root() != persistent.Root() {
				t.Fatalf("after write %d: transient root %s, persistent %s", i, transient.Root(), persistent.Root())
			}
		}
		final := transient.Persistent()
		if final.Root() != persistent.Root() {
			t.Fatalf("final transient root %s, persistent %s", final.Root(), persistent.Root())
		}
		for _, a := range probeAddrs(t, ws) {
			if final.Proof(a) != persistent.Proof(a) {
				t.Fatalf("proof of %#x differs", a)
			}
		}
		if base.Root() != baseRoot {
			t.Fatalf("the persistent base changed: %s -> %s", baseRoot, base.Root())
		}
		for a, v := range baseWords {
			if got, _ := base.Word(a); got != v {
				t.Fatalf("the persistent base's word %#x changed: %#x -> %#x", a, v, got)
			}
		}
	})
}
