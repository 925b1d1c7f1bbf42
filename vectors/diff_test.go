package vectors_test

import (
	"maps"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/vectors"
)

// TestVEC_DEBUG_ChangedWords: the words a vector records as written are
// exactly those a map model of the same writes says changed, ascending,
// whether the second memory shares pages with the first (more writes on
// it) or was built apart; more than the limit is reported.
func TestVEC_DEBUG_ChangedWords(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		addr := rapid.Custom(func(t *rapid.T) uint64 {
			base := rapid.SampledFrom([]uint64{0, 0x1000, 0x20000, 0x7FFF_F000, 0xFFFF_FFFF_FFFF_F000}).Draw(t, "page")
			return base + 8*rapid.Uint64Range(0, 1023).Draw(t, "word")
		})
		value := rapid.SampledFrom([]uint64{0, 1, 0xFF, ^uint64(0)})
		write := func(m memory.Memory, model map[uint64]uint64, label string) memory.Memory {
			for range rapid.IntRange(0, 12).Draw(t, label) {
				a, v := addr.Draw(t, label+" addr"), value.Draw(t, label+" value")
				m, _ = m.SetWord(a, v)
				model[a] = v
			}
			return m
		}
		modelA := map[uint64]uint64{}
		a := write(memory.Memory{}, modelA, "a")
		modelB, b := maps.Clone(modelA), a
		if rapid.Bool().Draw(t, "apart") {
			modelB, b = map[uint64]uint64{}, memory.Memory{}
		}
		b = write(b, modelB, "b")
		want := map[uint64]bool{}
		for _, m := range []map[uint64]uint64{modelA, modelB} {
			for k := range m {
				if modelA[k] != modelB[k] {
					want[k] = true
				}
			}
		}
		got, ok := vectors.ChangedWords(a, b, 1<<20)
		if exp := slices.Sorted(maps.Keys(want)); !ok || !slices.Equal(got, exp) {
			t.Fatalf("changed words %#x (ok %v), want %#x", got, ok, exp)
		}
		if len(want) > 0 {
			if _, ok := vectors.ChangedWords(a, b, len(want)-1); ok {
				t.Fatalf("limit %d of %d changed words: no overflow reported", len(want)-1, len(want))
			}
		}
	})
}
