package format_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"pgregory.net/rapid"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/properties"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// TestSNAP_ROUNDTRIP: a snapshot of any full state decodes to a state with
// the same hash, memory root, pages, threads and off-chain fields, and
// encodes back to the same bytes.
func TestSNAP_ROUNDTRIP(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := properties.ProgramState().Draw(t, "state")
		s.LastHint = rapid.SliceOfN(rapid.Byte(), 0, 40).Draw(t, "hint")
		enc, err := format.EncodeSnapshot(s)
		if err != nil {
			t.Fatal(err)
		}
		back, err := format.DecodeSnapshot(enc)
		if err != nil {
			t.Fatal(err)
		}
		if back.Hash() != s.Hash() || back.Memory.Root() != s.Memory.Root() || !bytes.Equal(back.LastHint, s.LastHint) {
			t.Fatalf("decoded state differs: hash %s vs %s", back.Hash(), s.Hash())
		}
		if back.Memory.(memory.Memory).PageCount() != s.Memory.(memory.Memory).PageCount() {
			t.Fatal("page count differs")
		}
		again, err := format.EncodeSnapshot(back)
		if err != nil || !bytes.Equal(again, enc) {
			t.Fatalf("re-encoding differs (%v)", err)
		}
		if err := format.CheckDecodeSnapshot(enc); err != nil {
			t.Fatal(err)
		}
	})
}

// sample is a small full state with two threads, a hint and two pages.
func sample(t *testing.T) []byte {
	t.Helper()
	s := state.NewInitial(0x1000, 0x2000_0000)
	s.Memory = memory.Memory{}.SetBytes(0x1000, []byte{1, 2, 3}).SetBytes(0x7000_0000, []byte{9})
	th, _ := s.LeftThreads.Top()
	th.ID = 1
	s.LeftThreads = s.LeftThreads.Push(th)
	s.NextThreadID = 2
	s.LastHint = []byte{0, 0, 0, 4}
	b, err := format.EncodeSnapshot(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// reseal recomputes the trailer of a snapshot whose body was edited: the
// state hash is kept, the checksum recomputed, so only the edit is wrong.
func reseal(b []byte) []byte {
	sum := sha256.Sum256(b[:len(b)-32])
	copy(b[len(b)-32:], sum[:])
	return b
}

// TestSNAP_REJECT: corrupted and truncated snapshots get a *SnapshotError
// with the code that names the fault, never a panic.
func TestSNAP_REJECT(t *testing.T) {
	good := sample(t)
	if _, err := format.DecodeSnapshot(good); err != nil {
		t.Fatal(err)
	}
	edit := func(f func(b []byte)) []byte { b := bytes.Clone(good); f(b); return b }
	pagesAt := len(good) - 64 - 2*(8+4096) - 8
	for _, c := range []struct {
		name string
		b    []byte
		want format.SnapshotCode
	}{
		{"empty", nil, format.SnapTruncated},
		{"cut in half", good[:len(good)/2], format.SnapBadChecksum},
		{"cut inside the fields, resealed", reseal(append(bytes.Clone(good[:100]), make([]byte, 64)...)), format.SnapTruncated},
		{"cut inside the threads, resealed", reseal(append(bytes.Clone(good[:200]), make([]byte, 64)...)), format.SnapTooLarge},
		{"one bit flipped in a page", edit(func(b []byte) { b[pagesAt+8+8+1] ^= 1 }), format.SnapBadChecksum},
		{"one bit flipped in a page, resealed", reseal(edit(func(b []byte) { b[pagesAt+8+8+1] ^= 1 })), format.SnapHashMismatch},
		{"magic", edit(func(b []byte) { b[0] = 'X' }), format.SnapBadMagic},
		{"version", edit(func(b []byte) { b[11] = 2 }), format.SnapBadVersion},
		{"reserved", edit(func(b []byte) { b[15] = 1 }), format.SnapReserved},
		{"exited flag 2", reseal(edit(func(b []byte) { b[82] = 2 })), format.SnapBadField},
		{"LL status 3", reseal(edit(func(b []byte) { b[64] = 3 })), format.SnapBadField},
		{"page count huge", reseal(edit(func(b []byte) { binary.BigEndian.PutUint64(b[pagesAt:], 1<<40) })), format.SnapTooLarge},
		{"pages out of order", reseal(edit(func(b []byte) {
			binary.BigEndian.PutUint64(b[pagesAt+8+8+4096:], 0) // second page index below the first
		})), format.SnapPageOrder},
		{"trailing byte", reseal(append(append(bytes.Clone(good[:len(good)-64]), 0), good[len(good)-64:]...)), format.SnapTrailing},
		{"hint length huge", reseal(edit(func(b []byte) { binary.BigEndian.PutUint32(b[108:], 1<<30) })), format.SnapTooLarge},
	} {
		_, err := format.DecodeSnapshot(c.b)
		var se *format.SnapshotError
		if !errors.As(err, &se) || se.Code != c.want {
			t.Errorf("%s: %v, want code %s", c.name, err, c.want)
		}
		if err := format.CheckDecodeSnapshot(c.b); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestSNAP_REJECT_Partial: a state that is not full has no snapshot.
func TestSNAP_REJECT_Partial(t *testing.T) {
	s := state.NewInitial(0x1000, 0)
	s.Memory = memory.NewWitnessed(memory.Hash{}, nil)
	if _, err := format.EncodeSnapshot(s); err == nil {
		t.Error("snapshot of a witnessed memory: no error")
	}
}
