package vectors

import (
	"encoding/binary"
	"slices"

	"github.com/opcity-spec/opcity/spec/memory"
)

const pageSize = 1 << memory.PageLog2

// changedWords returns the addresses, ascending, of the words whose value
// differs between a and b, or false when there are more than limit (a
// region write). Pages the two memories share (a write copies only the
// pages it touches) are skipped unread. It lives here, not in spec/memory,
// so the guest programs that link spec/memory do not change.
func changedWords(a, b memory.Memory, limit int) ([]uint64, bool) {
	pages := map[uint64]*[pageSize]byte{}
	for i, p := range a.Pages {
		pages[i] = p
	}
	var zero [pageSize]byte
	var out []uint64
	compare := func(index uint64, pa, pb *[pageSize]byte) bool {
		for off := 0; off < pageSize; off += memory.WordSize {
			if binary.BigEndian.Uint64(pa[off:]) != binary.BigEndian.Uint64(pb[off:]) {
				out = append(out, index<<memory.PageLog2+uint64(off))
			}
		}
		return len(out) <= limit
	}
	ok := true
	for i, pb := range b.Pages {
		pa, held := pages[i]
		delete(pages, i)
		if pa == pb {
			continue
		}
		if !held {
			pa = &zero
		}
		if ok = compare(i, pa, pb); !ok {
			break
		}
	}
	for i, pa := range pages {
		if !ok {
			break
		}
		ok = compare(i, pa, &zero)
	}
	if !ok {
		return nil, false
	}
	slices.Sort(out)
	return out, true
}
