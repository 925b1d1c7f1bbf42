package cannon

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"testing"

	cmem "github.com/ethereum-optimism/optimism/cannon/mipsevm/memory"

	"github.com/opcity-spec/opcity/spec/memory"
)

// Differential tests of spec/memory against Cannon's memory
// (cannon/mipsevm/memory, optimism v1.19.6): the same writes go to
// cmem.NewMemory() and to a memory.Memory, and roots, proofs, words and the
// set of held pages must agree. Sequence i uses math/rand seed memseed+i; a
// failure prints the seed and the command that replays only that sequence.

var (
	memCases = flag.Int("cannon.memcases", 300, "number of random write sequences in TestConformance_CONF_CANNON_MEM*")
	memSeed  = flag.Int64("cannon.memseed", 1, "seed of the first sequence; sequence i uses memseed+i")
)

// memEdgeAddrs are addresses every run should touch: the ends of the address
// space, page and leaf boundaries, the sign bit, Cannon's mapped regions
// (NewMemory pre-maps [0, 4 KiB) and [ProgramHeapStart, +4 KiB)) and the VM
// layout constants.
var memEdgeAddrs = []uint64{
	0, 8, 0x18, 0x20, 0xFF8, 0x1000, 0x1FF8,
	0xFFFF_FFFF_FFFF_FFF8, 0xFFFF_FFFF_FFFF_F000, 0x7FFF_FFFF_FFFF_FFF8, 0x8000_0000_0000_0000,
	0x0000_00C0_0000_0000, 0x0000_00C0_0000_0FF8, 0x0000_00C0_0000_1000, // ProgramHeapStart region
	0x0000_1000_0000_0000, // HEAP_START
	0x0000_4000_0000_0000, // PROGRAM_BREAK
	0x0000_7FFF_FFFF_F000, // initial stack pointer
	0x0000_FFFF_FFFF_FFF8, // last 48-bit word
}

var memEdgeValues = []uint64{0, 1, ^uint64(0), 1 << 63, 1<<63 - 1, 0xFFFF_FFFF}

// memAddr draws an address: an edge, one near an earlier address (so proofs
// share paths and pages), a 48-bit one or any 64-bit one. The result is not
// aligned; callers mask it.
func memAddr(rng *rand.Rand, earlier []uint64) uint64 {
	switch k := rng.Intn(8); {
	case k < 2:
		return memEdgeAddrs[rng.Intn(len(memEdgeAddrs))]
	case k < 5 && len(earlier) > 0:
		return earlier[rng.Intn(len(earlier))] + uint64(rng.Intn(3*4096)) - 4096
	case k < 7:
		return rng.Uint64() & (1<<48 - 1)
	}
	return rng.Uint64()
}

func memValue(rng *rand.Rand) uint64 {
	if rng.Intn(3) == 0 {
		return memEdgeValues[rng.Intn(len(memEdgeValues))]
	}
	return rng.Uint64()
}

// memCounts tallies what a run compared, for the log.
type memCounts struct {
	sequences, writes, proofs, pages int
}

func TestConformance_CONF_CANNON_MEM(t *testing.T) {
	var c memCounts
	for i := range *memCases {
		seed := *memSeed + int64(i)
		if err := checkMemorySequence(seed, &c); err != nil {
			t.Fatalf("seed %d: %v\nreplay: go test -run 'TestConformance_CONF_CANNON_MEM$' -cannon.memseed=%d -cannon.memcases=1 .", seed, err, seed)
		}
	}
	t.Logf("%d sequences, %d writes (roots compared after each), %d proofs, %d pages compared with Cannon",
		c.sequences, c.writes, c.proofs, c.pages)
}

// checkMemorySequence applies one random sequence of SetWord writes to both
// memories. After every write it compares roots and the written word, and
// sometimes the proof of the written address; at the end it compares proofs
// of every written address and of untouched neighbours, and the held pages.
func checkMemorySequence(seed int64, c *memCounts) error {
	rng := rand.New(rand.NewSource(seed))
	cm := cmem.NewMemory()
	var m memory.Memory
	var written []uint64
	for k := range 1 + rng.Intn(48) {
		addr, v := memAddr(rng, written)&^7, memValue(rng)
		cm.SetWord(addr, v)
		var err error
		if m, err = m.SetWord(addr, v); err != nil {
			return fmt.Errorf("write %d at %#x: %v", k, addr, err)
		}
		written = append(written, addr)
		c.writes++
		if err := compareMemRoot(cm, m); err != nil {
			return fmt.Errorf("after write %d (addr %#x, value %#x): %v", k, addr, v, err)
		}
		if got, _ := m.Word(addr); got != cm.GetWord(addr) {
			return fmt.Errorf("after write %d: word at %#x = %#x, cannon %#x", k, addr, got, cm.GetWord(addr))
		}
		if rng.Intn(4) == 0 {
			if err := compareMemProof(cm, m, addr, c); err != nil {
				return fmt.Errorf("after write %d: %v", k, err)
			}
		}
	}
	c.sequences++
	if err := compareMemProofs(rng, cm, m, written, c); err != nil {
		return err
	}
	return compareMemPages(cm, m, c)
}

func compareMemRoot(cm *cmem.Memory, m memory.Memory) error {
	if got, want := m.Root(), memory.Hash(cm.MerkleRoot()); got != want {
		return fmt.Errorf("root %s, cannon %s", got, want)
	}
	return nil
}

// compareMemProofs compares the proofs of all written addresses and of a few
// untouched ones: a leaf and a page away from each, and random addresses.
func compareMemProofs(rng *rand.Rand, cm *cmem.Memory, m memory.Memory, written []uint64, c *memCounts) error {
	probes := append([]uint64{}, written...)
	for _, a := range written[:min(len(written), 4)] {
		probes = append(probes, a^0x20, a+0x1000, a^(1<<40))
	}
	for range 3 {
		probes = append(probes, memAddr(rng, written)&^7)
	}
	for _, a := range probes {
		if err := compareMemProof(cm, m, a, c); err != nil {
			return err
		}
	}
	return nil
}

// compareMemProof compares the 1920-byte proofs of addr and names the first
// differing entry (0 = leaf, i+1 = sibling at height i).
func compareMemProof(cm *cmem.Memory, m memory.Memory, addr uint64, c *memCounts) error {
	got, want := m.Proof(addr), cm.MerkleProof(addr)
	c.proofs++
	if [memory.ProofSize]byte(got) == want {
		return nil
	}
	for e := range memory.ProofLeafCount {
		if !bytes.Equal(got[e*32:e*32+32], want[e*32:e*32+32]) {
			return fmt.Errorf("proof of %#x: entry %d is %x, cannon %x", addr, e, got[e*32:e*32+32], want[e*32:e*32+32])
		}
	}
	return fmt.Errorf("proof of %#x differs", addr)
}

// compareMemPages requires the same held pages with the same contents, which
// is what Cannon's state serialization writes.
func compareMemPages(cm *cmem.Memory, m memory.Memory, c *memCounts) error {
	if m.PageCount() != cm.PageCount() {
		return fmt.Errorf("PageCount %d, cannon %d", m.PageCount(), cm.PageCount())
	}
	var err error
	m.Pages(func(index uint64, page *[4096]byte) bool {
		cp, ok := cm.PageLookup(index)
		switch {
		case !ok:
			err = fmt.Errorf("page %#x held here, not by cannon", index)
		case !bytes.Equal(page[:], cp.Data):
			err = fmt.Errorf("page %#x contents differ", index)
		}
		c.pages++
		return err == nil
	})
	return err
}

// TestConformance_CONF_CANNON_MEM_Bytes compares SetBytes with Cannon's SetMemoryRange
// (the ELF loader's and PatchStack's write path) for random unaligned spans,
// including spans of zeros and spans that wrap past 2^64.
//
// Cannon's SetMemoryRange does not invalidate the cached Merkle nodes above a
// page it rewrites (memory.go:161-183 calls InvalidateFull on the page only),
// so a root taken before the write goes stale; see
// TestCannonSetMemoryRangeStaleRoot. Cannon itself only takes roots after
// loading, so this test does the same: after each span it compares against a
// fresh copy (cm.Copy rebuilds the index) and hashes cm only at the end.
func TestConformance_CONF_CANNON_MEM_Bytes(t *testing.T) {
	var c memCounts
	for i := range *memCases {
		seed := *memSeed + int64(i)
		if err := checkMemorySpans(seed, &c); err != nil {
			t.Fatalf("seed %d: %v\nreplay: go test -run 'TestConformance_CONF_CANNON_MEM_Bytes$' -cannon.memseed=%d -cannon.memcases=1 .", seed, err, seed)
		}
	}
	t.Logf("%d sequences, %d spans, %d proofs, %d pages compared with Cannon", c.sequences, c.writes, c.proofs, c.pages)
}

func checkMemorySpans(seed int64, c *memCounts) error {
	rng := rand.New(rand.NewSource(seed))
	cm := cmem.NewMemory()
	var m memory.Memory
	var written []uint64
	for k := range 1 + rng.Intn(6) {
		addr, data := memAddr(rng, written), memSpan(rng)
		if err := cm.SetMemoryRange(addr, bytes.NewReader(data)); err != nil {
			return fmt.Errorf("span %d: cannon SetMemoryRange: %v", k, err)
		}
		m = m.SetBytes(addr, data)
		written = append(written, addr)
		c.writes++
		if err := compareMemRoot(cm.Copy(), m); err != nil {
			return fmt.Errorf("after span %d (addr %#x, %d bytes): %v", k, addr, len(data), err)
		}
		if err := compareMemRead(cm, m, addr-7, len(data)+14); err != nil {
			return fmt.Errorf("after span %d: %v", k, err)
		}
	}
	c.sequences++
	if err := compareMemRoot(cm, m); err != nil {
		return err
	}
	if err := compareMemProofs(rng, cm, m, written, c); err != nil {
		return err
	}
	return compareMemPages(cm, m, c)
}

// TestCannonSetMemoryRangeStaleRoot pins a Cannon quirk found by
// TestConformanceMemoryBytes: SetMemoryRange into a page whose root Cannon has
// already hashed leaves Cannon's cached root stale. The spec's root must equal
// the root Cannon computes from scratch; whether Cannon's incremental root is
// stale is logged, not asserted, so an upstream fix does not break the test.
func TestCannonSetMemoryRangeStaleRoot(t *testing.T) {
	const addr = 0x0000_1000_0000_0000
	cm := cmem.NewMemory()
	_ = cm.SetMemoryRange(addr, bytes.NewReader([]byte{1}))
	_ = cm.MerkleRoot() // caches the index nodes above the page
	_ = cm.SetMemoryRange(addr+64, bytes.NewReader([]byte{2}))
	m := memory.Memory{}.SetBytes(addr, []byte{1}).SetBytes(addr+64, []byte{2})
	fresh := memory.Hash(cm.Copy().MerkleRoot())
	if m.Root() != fresh {
		t.Fatalf("spec root %s, cannon from scratch %s", m.Root(), fresh)
	}
	if incremental := memory.Hash(cm.MerkleRoot()); incremental != fresh {
		t.Logf("cannon quirk still present: incremental root %s after SetMemoryRange, from scratch %s", incremental, fresh)
	}
}

// memSpan draws a span: empty, zeros, or random bytes, up to ~2.5 pages.
func memSpan(rng *rand.Rand) []byte {
	data := make([]byte, rng.Intn(10000))
	if rng.Intn(3) > 0 {
		rng.Read(data)
	}
	return data
}

func compareMemRead(cm *cmem.Memory, m memory.Memory, addr uint64, n int) error {
	want, err := io.ReadAll(cm.ReadMemoryRange(addr, uint64(n)))
	if err != nil {
		return err
	}
	if got := m.Bytes(addr, n); !bytes.Equal(got, want) {
		return fmt.Errorf("Bytes(%#x, %d) differs from cannon's ReadMemoryRange", addr, n)
	}
	return nil
}

// BenchmarkMemoryVsCannon runs the same workloads on Cannon's mutable memory
// and on the immutable spec memory, side by side (benchstat-readable names):
// one random word write in a populated 16 MiB window, a write followed by the
// root, and a proof of a hashed memory.
func BenchmarkMemoryVsCannon(b *testing.B) {
	const base, window = 0x0000_1000_0000_0000, 16 << 20
	rng := rand.New(rand.NewSource(1))
	addrs := make([]uint64, 1<<12)
	for i := range addrs {
		addrs[i] = base + uint64(rng.Int63n(window))&^7
	}
	img := make([]byte, window)
	rng.Read(img)
	cm := cmem.NewMemory()
	_ = cm.SetMemoryRange(base, bytes.NewReader(img))
	_ = cm.MerkleRoot()
	m := memory.Memory{}.SetBytes(base, img)
	_ = m.Root()
	b.Run("impl=cannon/op=setword", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			cm.SetWord(addrs[i&(len(addrs)-1)], uint64(i))
		}
	})
	b.Run("impl=spec/op=setword", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m, _ = m.SetWord(addrs[i&(len(addrs)-1)], uint64(i))
		}
	})
	b.Run("impl=cannon/op=setword+root", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			cm.SetWord(addrs[i&(len(addrs)-1)], uint64(i)+1)
			_ = cm.MerkleRoot()
		}
	})
	b.Run("impl=spec/op=setword+root", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			m, _ = m.SetWord(addrs[i&(len(addrs)-1)], uint64(i)+1)
			_ = m.Root()
		}
	})
	b.Run("impl=cannon/op=proof", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			_ = cm.MerkleProof(addrs[i&(len(addrs)-1)])
		}
	})
	b.Run("impl=spec/op=proof", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			_ = m.Proof(addrs[i&(len(addrs)-1)])
		}
	})
}
