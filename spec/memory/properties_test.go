package memory_test

import (
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/spec/memory"
)

// Properties named by requirement ID. Each builds a Memory and the naive
// reference model from the same drawn writes and compares them; rapid prints
// the seed and the shrunk write list on failure (replay with -rapid.seed=N).

// checkRoot fails unless m's root equals the model's.
func checkRoot(t rapid.TB, m memory.Memory, ref *refMemory) {
	if got, want := m.Root(), ref.root(); got != want {
		t.Fatalf("root %s, model root %s", got, want)
	}
}

func TestMEM_PROOF_COMPLETE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref := newRef()
		ws := genWrites(24).Draw(t, "writes")
		m := apply(t, memory.Memory{}, ref, ws)
		checkRoot(t, m, ref)
		root := m.Root()
		for _, a := range probeAddrs(t, ws) {
			p := m.Proof(a)
			if err := memory.VerifyProof(root, a, p); err != nil {
				t.Fatalf("Proof(%#x) does not verify: %v", a, err)
			}
			if p != ref.proof(a) {
				t.Fatalf("Proof(%#x) differs from the model's proof", a)
			}
			if p.Word(a) != ref.word(a&^7) {
				t.Fatalf("Proof(%#x).Word = %#x, model %#x", a, p.Word(a), ref.word(a&^7))
			}
		}
	})
}

func TestMEM_PROOF_BINDING(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := apply(t, memory.Memory{}, newRef(), genWrites(16).Draw(t, "writes"))
		root := m.Root()
		a := genAddr().Draw(t, "a")
		p := m.Proof(a)
		checkFlippedBitRejected(t, root, a, p)
		checkOtherAddress(t, m, root, a, genAddr().Draw(t, "b"))
		checkWrongWordRejected(t, m, root, a)
	})
}

// checkFlippedBitRejected flips one bit of one proof entry and requires
// VerifyProof to fail with a *ProofError naming both roots.
func checkFlippedBitRejected(t *rapid.T, root memory.Hash, a uint64, p memory.Proof) {
	entry := rapid.IntRange(0, memory.ProofLeafCount-1).Draw(t, "entry")
	bit := rapid.IntRange(0, 255).Draw(t, "bit")
	p[entry*32+bit/8] ^= 1 << (bit % 8)
	var pe *memory.ProofError
	if err := memory.VerifyProof(root, a, p); !errors.As(err, &pe) {
		t.Fatalf("flipped bit %d of entry %d: VerifyProof = %v, want *ProofError", bit, entry, err)
	}
	if pe.Addr != a || pe.Want != root || pe.Got != memory.ComputeRoot(a, p) || pe.Got == root {
		t.Fatalf("ProofError %+v inconsistent", pe)
	}
}

// checkOtherAddress requires that a's proof, offered for address b, verifies
// only if it carries b's true leaf: a proof never proves wrong contents.
func checkOtherAddress(t *rapid.T, m memory.Memory, root memory.Hash, a, b uint64) {
	pa := m.Proof(a)
	if memory.VerifyProof(root, b, pa) == nil && pa.Leaf() != m.Proof(b).Leaf() {
		t.Fatalf("proof of %#x verifies for %#x with a wrong leaf", a, b)
	}
}

// checkWrongWordRejected edits the proven word of a to another value and
// requires the edited proof to be rejected.
func checkWrongWordRejected(t *rapid.T, m memory.Memory, root memory.Hash, a uint64) {
	p := m.Proof(a)
	v := genValue().Draw(t, "wrong")
	if v == p.Word(a) {
		v = ^v
	}
	if memory.ComputeRootWithWord(a, p, v) == root {
		t.Fatalf("proof of %#x proves word %#x, true word %#x", a, v, p.Word(a))
	}
}

func TestMEM_WRITE_UPDATE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref := newRef()
		m := apply(t, memory.Memory{}, ref, genWrites(16).Draw(t, "writes"))
		a := genWordAddr().Draw(t, "a")
		v := genValue().Draw(t, "v")
		want := memory.ComputeRootWithWord(a, m.Proof(a), v)
		m2, err := m.SetWord(a, v)
		if err != nil {
			t.Fatal(err)
		}
		ref.setWord(a, v)
		if got := m2.Root(); got != want {
			t.Fatalf("SetWord(%#x, %#x).Root() = %s, proof write rule gives %s", a, v, got, want)
		}
		checkRoot(t, m2, ref)
	})
}

func TestMEM_IMMUTABLE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref0 := newRef()
		m0 := apply(t, memory.Memory{}, ref0, genWrites(12).Draw(t, "base"))
		if rapid.Bool().Draw(t, "hashBase") { // with and without a cached root to share
			checkRoot(t, m0, ref0)
		}
		refA, refB := ref0.clone(), ref0.clone()
		mA := apply(t, m0, refA, genWrites(12).Draw(t, "branchA"))
		mB := apply(t, m0, refB, genWrites(12).Draw(t, "branchB"))
		checkRoot(t, mA, refA)
		checkRoot(t, m0, ref0)
		checkRoot(t, mB, refB)
		for _, a := range probeAddrs(t, nil) {
			checkWordsAndProof(t, m0, ref0, a&^7)
			checkWordsAndProof(t, mA, refA, a&^7)
		}
	})
}

// checkWordsAndProof compares the word and the proof at aligned addr a.
func checkWordsAndProof(t *rapid.T, m memory.Memory, ref *refMemory, a uint64) {
	if w, err := m.Word(a); err != nil || w != ref.word(a) {
		t.Fatalf("Word(%#x) = %#x, %v; model %#x", a, w, err, ref.word(a))
	}
	if m.Proof(a) != ref.proof(a) {
		t.Fatalf("Proof(%#x) differs from the model's", a)
	}
}

func TestMEM_REGION_ROOT(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref := newRef()
		m := apply(t, memory.Memory{}, ref, genWrites(16).Draw(t, "writes"))
		log2 := uint(rapid.IntRange(5, 64).Draw(t, "log2size"))
		a := genAddr().Draw(t, "addr")
		base := a &^ (1<<log2 - 1)
		got, err := m.RegionRoot(base, log2)
		if err != nil {
			t.Fatalf("RegionRoot(%#x, %d): %v", base, log2, err)
		}
		height := int(log2) - memory.LeafLog2
		if want := ref.node(height, a>>log2); got != want {
			t.Fatalf("RegionRoot(%#x, %d) = %s, model %s", base, log2, got, want)
		}
		if onPath := refFold(a, m.Proof(a), height); got != onPath {
			t.Fatalf("RegionRoot(%#x, %d) = %s, node on Proof(%#x) path %s", base, log2, got, a, onPath)
		}
		if log2 <= 14 {
			if want := merkleizeBytes(m.Bytes(base, 1<<log2)); got != want {
				t.Fatalf("RegionRoot(%#x, %d) = %s, merkleized bytes %s", base, log2, got, want)
			}
		}
		checkRegionErrors(t, m, a, log2)
	})
}

// checkRegionErrors requires *RegionError for an unaligned base or a size
// outside [5,64], and RegionRoot(0, 64) == Root().
func checkRegionErrors(t *rapid.T, m memory.Memory, a uint64, log2 uint) {
	var re *memory.RegionError
	if a&(1<<log2-1) != 0 {
		if _, err := m.RegionRoot(a, log2); !errors.As(err, &re) || re.Addr != a || re.Log2Size != log2 {
			t.Fatalf("RegionRoot(%#x, %d) err = %v, want *RegionError", a, log2, err)
		}
	}
	bad := rapid.SampledFrom([]uint{0, 1, 4, 65, 200}).Draw(t, "badLog2")
	if _, err := m.RegionRoot(0, bad); !errors.As(err, &re) {
		t.Fatalf("RegionRoot(0, %d) err = %v, want *RegionError", bad, err)
	}
	if r, err := m.RegionRoot(0, 64); err != nil || r != m.Root() {
		t.Fatalf("RegionRoot(0, 64) = %s, %v; Root() %s", r, err, m.Root())
	}
}

func TestMEM_ZERO_PAGE(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := apply(t, memory.Memory{}, newRef(), genWrites(12).Draw(t, "writes"))
		root := m.Root()
		for _, a := range rapid.SliceOfN(genWordAddr(), 1, 8).Draw(t, "zeroAddrs") {
			if w, _ := m.Word(a); w == 0 {
				m, _ = m.SetWord(a, 0)
			}
		}
		a := genAddr().Draw(t, "span")
		n := rapid.IntRange(0, 3*4096).Draw(t, "spanLen")
		m = m.SetBytes(a, m.Bytes(a, n))
		if got := m.Root(); got != root {
			t.Fatalf("rewriting zeros and existing bytes changed the root: %s -> %s", root, got)
		}
	})
}

// TestMEM_ZERO_PAGE_Allocation checks that pages touched only by zeros are
// held (as in Cannon, e.g. PatchStack's zeroed stack) yet leave the root at
// the empty root.
func TestMEM_ZERO_PAGE_Allocation(t *testing.T) {
	const sp = 0x7FFF_FFFF_F000
	m := memory.Memory{}.SetBytes(sp-4*4096, make([]byte, 5*4096))
	m, _ = m.SetWord(0xFFFF_FFFF_FFFF_FFF8, 0)
	if m.PageCount() != 6 {
		t.Fatalf("PageCount = %d, want 6", m.PageCount())
	}
	if m.Root() != memory.ZeroHash(memory.TreeDepth) || !m.Equal(memory.Memory{}) {
		t.Fatalf("zero pages changed the root: %s", m.Root())
	}
}

func TestMEM_ALIGN(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		m := apply(t, memory.Memory{}, newRef(), genWrites(4).Draw(t, "writes"))
		a := genAddr().Draw(t, "addr") &^ 7
		a |= uint64(rapid.IntRange(1, 7).Draw(t, "misalign"))
		checkAlignmentError(t, a, func() error { _, err := m.Word(a); return err })
		checkAlignmentError(t, a, func() error {
			m2, err := m.SetWord(a, 1)
			if m2.Root() != m.Root() {
				t.Fatalf("failed SetWord changed the memory")
			}
			return err
		})
		checkAlignmentError(t, a, func() error { _, err := m.WithWord(a, 1); return err })
		if _, err := m.Word(a &^ 7); err != nil {
			t.Fatalf("aligned Word(%#x): %v", a&^7, err)
		}
	})
}

func checkAlignmentError(t *rapid.T, a uint64, op func() error) {
	var ae *memory.AlignmentError
	if err := op(); !errors.As(err, &ae) || ae.Addr != a {
		t.Fatalf("access at %#x: err = %v, want *AlignmentError{%#x}", a, err, a)
	}
}

// TestSetBytesMatchesByteModel checks SetBytes and Bytes, at any alignment and
// across the 2^64 wrap, against a byte-level model, and the resulting root
// against the Merkle model.
func TestSetBytesMatchesByteModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref := newRef()
		var m memory.Memory
		for range rapid.IntRange(1, 4).Draw(t, "spans") {
			a := genAddr().Draw(t, "addr")
			data := rapid.SliceOfN(rapid.Byte(), 0, 9000).Draw(t, "data")
			m = m.SetBytes(a, data)
			for i, b := range data {
				ref.setByte(a+uint64(i), b)
			}
		}
		a := genAddr().Draw(t, "readAddr")
		n := rapid.IntRange(-1, 9000).Draw(t, "readLen")
		got := m.Bytes(a, n)
		if len(got) != max(n, 0) {
			t.Fatalf("Bytes(%#x, %d) has length %d", a, n, len(got))
		}
		for i, b := range got {
			if want := ref.byteAt(a + uint64(i)); b != want {
				t.Fatalf("byte at %#x = %#x, model %#x", a+uint64(i), b, want)
			}
		}
		checkRoot(t, m, ref)
	})
}

// TestWordMatchesModel checks Word reads after random writes, including
// absent pages, which read as zero.
func TestWordMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ref := newRef()
		ws := genWrites(24).Draw(t, "writes")
		m := apply(t, memory.Memory{}, ref, ws)
		for _, a := range probeAddrs(t, ws) {
			if w, err := m.Word(a &^ 7); err != nil || w != ref.word(a&^7) {
				t.Fatalf("Word(%#x) = %#x, %v; model %#x", a&^7, w, err, ref.word(a&^7))
			}
		}
	})
}
