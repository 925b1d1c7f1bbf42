package format_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/alloc"
)

// writeSparse writes head at the start of a sparse file of size bytes.
func writeSparse(t *testing.T, size int64, head []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "big.snap")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(head); err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// snapCode returns the code of err, failing t if it is no *SnapshotError.
func snapCode(t *testing.T, err error) format.SnapshotCode {
	t.Helper()
	var se *format.SnapshotError
	if !errors.As(err, &se) {
		t.Fatalf("error %T %v, want a *SnapshotError", err, err)
	}
	return se.Code
}

// TestSNAP_READ_BOUNDED_HeaderFirst: a 2 GiB sparse file, and /dev/zero,
// are refused as "bad magic" from their first 16 bytes, allocating almost
// nothing (the 2 GB file took 4.6 GB and 52 s to be told so).
func TestSNAP_READ_BOUNDED_HeaderFirst(t *testing.T) {
	paths := []string{writeSparse(t, 2<<30, nil)}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, path := range paths {
		var err error
		n := alloc.Bytes(func() { _, err = format.ReadSnapshotFile(path) })
		if c := snapCode(t, err); c != format.SnapBadMagic {
			t.Errorf("%s: code %s, want bad magic", path, c)
		}
		if n > 64<<10 {
			t.Errorf("%s: refusing it allocated %d bytes, want under 64 KiB", path, n)
		}
	}
}

// TestSNAP_READ_BOUNDED_OverLimit: a 2 GiB file with a valid header is
// refused from its size, unread.
func TestSNAP_READ_BOUNDED_OverLimit(t *testing.T) {
	path := writeSparse(t, 2<<30, sample(t)[:16])
	var err error
	n := alloc.Bytes(func() { _, err = format.ReadSnapshotFile(path) })
	var tl *limits.TooLargeError
	if !errors.As(err, &tl) || tl.Size != 2<<30 || tl.Limit != limits.Snapshot {
		t.Fatalf("error %v, want a *limits.TooLargeError of 2 GiB over %d", err, limits.Snapshot)
	}
	if n > 64<<10 {
		t.Fatalf("refusing it allocated %d bytes, want under 64 KiB", n)
	}
}

// TestSNAP_READ_BOUNDED_CountsAgainstSize: the counts before the pages fix
// the snapshot's length; a file of another size, or counts over the limit,
// are refused before the pages are read, and ReadSnapshotFile reads a good
// snapshot to the same state as DecodeSnapshot.
func TestSNAP_READ_BOUNDED_CountsAgainstSize(t *testing.T) {
	good := sample(t)
	pagesAt := len(good) - 64 - 2*(8+4096) - 8
	edit := func(f func(b []byte)) []byte { b := bytes.Clone(good); f(b); return b }
	dir := t.TempDir()
	for _, c := range []struct {
		name string
		b    []byte
		want format.SnapshotCode
	}{
		{"good", good, 0},
		{"shorter than the header", good[:10], format.SnapTruncated},
		{"cut inside the fields", good[:100], format.SnapTruncated},
		{"cut in half", good[:len(good)/2], format.SnapTruncated},
		{"one byte appended", append(bytes.Clone(good), 0), format.SnapTrailing},
		{"one page fewer declared", edit(func(b []byte) { binary.BigEndian.PutUint64(b[pagesAt:], 1) }), format.SnapTrailing},
		{"page count 2^40", edit(func(b []byte) { binary.BigEndian.PutUint64(b[pagesAt:], 1<<40) }), format.SnapTooLarge},
		{"page count 2^64-1", edit(func(b []byte) { binary.BigEndian.PutUint64(b[pagesAt:], ^uint64(0)) }), format.SnapTooLarge},
		{"page count past the file", edit(func(b []byte) { binary.BigEndian.PutUint64(b[pagesAt:], 3) }), format.SnapTruncated},
		{"hint length 2^30", edit(func(b []byte) { binary.BigEndian.PutUint32(b[108:], 1<<30) }), format.SnapTooLarge},
		{"left threads 2^32-1", edit(func(b []byte) { binary.BigEndian.PutUint32(b[116:], ^uint32(0)) }), format.SnapTooLarge},
		{"a bit flipped in a page", edit(func(b []byte) { b[pagesAt+8+8+1] ^= 1 }), format.SnapBadChecksum},
	} {
		path := filepath.Join(dir, "s")
		if err := os.WriteFile(path, c.b, 0o644); err != nil {
			t.Fatal(err)
		}
		s, err := format.ReadSnapshotFile(path)
		if c.want == 0 {
			want, _ := format.DecodeSnapshot(good)
			if err != nil || s.Hash() != want.Hash() {
				t.Errorf("%s: %v, state %s, want %s", c.name, err, s.Hash(), want.Hash())
			}
		} else if got := snapCode(t, err); got != c.want {
			t.Errorf("%s: %v, want code %s", c.name, err, c.want)
		}
		if err := format.CheckReadSnapshotFile(dir, c.b); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

// TestSNAP_READ_BOUNDED_StreamAllocation: a stream (a pipe) whose counts
// declare 1 GiB of pages but which ends after the counts allocates in
// proportion to what it delivered, not to what it declared.
func TestSNAP_READ_BOUNDED_StreamAllocation(t *testing.T) {
	good := sample(t)
	pagesAt := len(good) - 64 - 2*(8+4096) - 8
	b := bytes.Clone(good[:pagesAt+8])
	binary.BigEndian.PutUint64(b[pagesAt:], (limits.Snapshot-uint64(len(b))-64)/(8+4096))
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() { w.Write(b); w.Close() }()
	path := "/dev/fd/" + strconv.Itoa(int(r.Fd()))
	if _, err := os.Stat(path); err != nil {
		t.Skip("no /dev/fd")
	}
	var rerr error
	n := alloc.Bytes(func() { _, rerr = format.ReadSnapshotFile(path) })
	r.Close()
	if c := snapCode(t, rerr); c != format.SnapTruncated {
		t.Fatalf("code %s, want truncated", c)
	}
	if n > 4<<20 {
		t.Fatalf("a %d-byte stream declaring 1 GiB allocated %d bytes, want under 4 MiB", len(b), n)
	}
}
