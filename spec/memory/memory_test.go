package memory_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/opcity-spec/opcity/spec/memory"
)

// emptyRoot is Z[59], the root of the empty memory (Cannon:
// cannon/mipsevm/memory/hasher.go:67-74 builds Z, and
// memory/memory64_binary_tree_test.go:51-56 asserts that the empty memory's
// root is Z[59]; the value is what Cannon's empty memory returns).
const emptyRoot = "0x14af5385bcbb1e4738bbae8106046e6e2fca42875aa5c000c582587742bcc748"

func TestMEM_ROOT_EMPTY(t *testing.T) {
	var m memory.Memory
	if got := m.Root().String(); got != emptyRoot {
		t.Fatalf("empty root %s, want %s", got, emptyRoot)
	}
	if got := memory.ZeroHash(memory.TreeDepth).String(); got != emptyRoot {
		t.Fatalf("ZeroHash(59) %s, want %s", got, emptyRoot)
	}
	if m.PageCount() != 0 {
		t.Fatalf("empty PageCount = %d", m.PageCount())
	}
}

func TestZeroHashTable(t *testing.T) {
	for h := 0; h <= 64; h++ {
		if memory.ZeroHash(h) != refZero[h] {
			t.Fatalf("ZeroHash(%d) = %s, recurrence gives %s", h, memory.ZeroHash(h), refZero[h])
		}
	}
	for _, h := range []int{-1, 65, 1 << 30} {
		if memory.ZeroHash(h) != (memory.Hash{}) {
			t.Fatalf("ZeroHash(%d) out of range should be the zero Hash", h)
		}
	}
}

func TestKeccak256(t *testing.T) {
	// keccak256("") is Ethereum's well-known empty-code hash.
	const empty = "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
	if got := memory.Keccak256().String(); got != empty {
		t.Fatalf("Keccak256() = %s, want %s", got, empty)
	}
	if memory.Keccak256([]byte("ab"), []byte("c")) != memory.Keccak256([]byte("abc")) {
		t.Fatal("Keccak256 must hash the concatenation")
	}
	l, r := memory.Keccak256([]byte("l")), memory.Keccak256([]byte("r"))
	if memory.HashPair(l, r) != memory.Keccak256(l[:], r[:]) || memory.HashPair(l, r) != refKeccak(l, r) {
		t.Fatal("HashPair(l, r) != keccak(l || r)")
	}
}

func TestHashString(t *testing.T) {
	h := memory.Hash{0: 0xAB, 31: 0x01}
	want := "0xab" + strings.Repeat("00", 30) + "01"
	if h.String() != want {
		t.Fatalf("String() = %s, want %s", h.String(), want)
	}
}

func TestErrorMessages(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{&memory.AlignmentError{Addr: 0x1003}, "memory: unaligned word access at 0x1003"},
		{&memory.RegionError{Addr: 0x20, Log2Size: 6}, "not aligned"},
		{&memory.RegionError{Addr: 0, Log2Size: 4}, "outside"},
		{&memory.ProofError{Addr: 8}, "proof for address 0x8"},
	}
	for _, c := range cases {
		if !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%T.Error() = %q, want it to contain %q", c.err, c.err.Error(), c.want)
		}
	}
}

// TestProofAccessors checks Leaf, Sibling and Word against the byte layout.
func TestProofAccessors(t *testing.T) {
	var p memory.Proof
	for i := range p {
		p[i] = byte(i)
	}
	if leaf := p.Leaf(); leaf[0] != 0 || leaf[31] != 31 {
		t.Fatalf("Leaf() = %x", leaf)
	}
	if s := p.Sibling(0); s[0] != 32 {
		t.Fatalf("Sibling(0) starts with %#x, want 0x20", s[0])
	}
	if s := p.Sibling(58); [32]byte(s) != [32]byte(p[1888:]) {
		t.Fatal("Sibling(58) is not the last entry")
	}
	if p.Sibling(-1) != (memory.Hash{}) || p.Sibling(59) != (memory.Hash{}) {
		t.Fatal("out-of-range Sibling must be the zero Hash")
	}
	if w := p.Word(0x1000_0000_001F); w != 0x18191a1b1c1d1e1f {
		t.Fatalf("Word(..1f) = %#x, want the leaf's last word", w)
	}
}

func TestPagesAndPageCount(t *testing.T) {
	var m memory.Memory
	addrs := []uint64{0xFFFF_FFFF_FFFF_FFF8, 0x5000, 0x1008, 0x1010, 0, 0x7FFF_FFFF_F000}
	for i, a := range addrs {
		m, _ = m.SetWord(a, uint64(i+1))
	}
	want := []uint64{0, 1, 5, 0x7FFF_FFFF_F, 0xF_FFFF_FFFF_FFFF}
	var got []uint64
	for idx, page := range m.Pages {
		got = append(got, idx)
		if string(page[:]) != string(m.Bytes(idx<<12, 4096)) {
			t.Fatalf("page %#x contents differ from Bytes", idx)
		}
	}
	if len(got) != len(want) || m.PageCount() != len(want) {
		t.Fatalf("pages %x (PageCount %d), want %x", got, m.PageCount(), want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("pages %x, want %x", got, want)
		}
	}
	n := 0
	m.Pages(func(uint64, *[4096]byte) bool { n++; return n < 2 })
	if n != 2 {
		t.Fatalf("Pages did not stop when yield returned false (%d calls)", n)
	}
}

func TestEqual(t *testing.T) {
	var m memory.Memory
	a, _ := m.SetWord(0x40, 7)
	b, _ := memory.Memory{}.SetWord(0x40, 7)
	b, _ = b.SetWord(0x9000, 0) // an extra zero page does not change contents
	c, _ := a.SetWord(0x40, 8)
	if !a.Equal(b) || a.Equal(c) || !m.Equal(memory.Memory{}) {
		t.Fatal("Equal must compare contents")
	}
	if same, _ := a.SetWord(0x40, 7); same.PageCount() != a.PageCount() || !same.Equal(a) {
		t.Fatal("rewriting the same word must not change the memory")
	}
}

func TestWithWordSpace(t *testing.T) {
	var s memory.Space = memory.Memory{}
	s2, err := s.WithWord(0x100, 42)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := s2.Word(0x100); w != 42 {
		t.Fatalf("Word after WithWord = %d", w)
	}
	if w, _ := s.Word(0x100); w != 0 || s.Root().String() != emptyRoot {
		t.Fatal("WithWord changed its receiver")
	}
	var ae *memory.AlignmentError
	if _, err := s.WithWord(0x101, 1); !errors.As(err, &ae) {
		t.Fatalf("unaligned WithWord err = %v", err)
	}
}

// TestConcurrentRoot computes roots and proofs of one shared value (and of
// versions derived from it) from several goroutines; run with -race to check
// the lazy hash cache.
func TestConcurrentRoot(t *testing.T) {
	var base memory.Memory
	for i := range uint64(64) {
		base, _ = base.SetWord(i*0x1238&^7, i*0x9E3779B97F4A7C15)
	}
	_ = base.Root()
	for i := range uint64(64) { // unhashed pages, shared by both versions below
		base, _ = base.SetWord(0x100000+i*0x2468&^7, i+1)
	}
	derived, _ := base.SetWord(0x2000, 1)
	want, wantDerived := newRefFrom(base).root(), newRefFrom(derived).root()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			m, w := base, want
			if g%2 == 1 {
				m, w = derived, wantDerived
			}
			_ = m.Proof(0x100000 + uint64(g)*0x2468)
			if got := m.Root(); got != w {
				t.Errorf("goroutine %d: root %s, want %s", g, got, w)
			}
		})
	}
	wg.Wait()
}

// newRefFrom builds a model holding m's pages.
func newRefFrom(m memory.Memory) *refMemory {
	ref := newRef()
	for idx, page := range m.Pages {
		for i, b := range page {
			if b != 0 {
				ref.setByte(idx<<12+uint64(i), b)
			}
		}
	}
	return ref
}

// TestMEM_GEOMETRY_ZeroHashBounds: heights outside [0, 64] give the zero
// Hash; 64 is the root of the whole space.
func TestMEM_GEOMETRY_ZeroHashBounds(t *testing.T) {
	if memory.ZeroHash(65) != (memory.Hash{}) || memory.ZeroHash(-1) != (memory.Hash{}) {
		t.Fatal("out-of-range heights must give the zero Hash")
	}
	if memory.ZeroHash(64) == (memory.Hash{}) || memory.ZeroHash(64) != memory.HashPair(memory.ZeroHash(63), memory.ZeroHash(63)) {
		t.Fatal("ZeroHash(64) must follow the recurrence")
	}
}

// TestMEM_REGION_ROOT_ErrorText: the region error names the broken
// precondition, at the edges of the size range too.
func TestMEM_REGION_ROOT_ErrorText(t *testing.T) {
	for _, c := range []struct {
		e    memory.RegionError
		want string
	}{
		{memory.RegionError{Addr: 1, Log2Size: 5}, "not aligned"},
		{memory.RegionError{Addr: 1, Log2Size: 64}, "not aligned"},
		{memory.RegionError{Log2Size: 4}, "outside"},
		{memory.RegionError{Log2Size: 65}, "outside"},
	} {
		if got := c.e.Error(); !strings.Contains(got, c.want) {
			t.Errorf("%+v: %q, want it to say %q", c.e, got, c.want)
		}
	}
}
