package format

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// The snapshot format's fixed values (docs/formats/snapshot.md).
const (
	SnapshotMagic   = "OPCSNAP\x00" // bytes 0..7 of every snapshot
	SnapshotVersion = 1             // the only version this package reads and writes

	snapshotHeader  = 16 // magic, version, reserved
	snapshotFields  = 92 // the fixed state fields after the header
	snapshotTrailer = 64 // state hash and SHA-256 checksum
	pageRecord      = 8 + pageSize
	maxHint         = 1 << 24
	pageSize        = 1 << memory.PageLog2
)

// SnapshotCode says why a snapshot was rejected.
type SnapshotCode uint8

// The reasons a snapshot is rejected. Numbers never change meaning.
const (
	SnapTruncated    SnapshotCode = iota + 1 // the input ends inside a field, or is shorter than header and trailer
	SnapBadMagic                             // the first 8 bytes are not SnapshotMagic
	SnapBadVersion                           // a version other than SnapshotVersion
	SnapReserved                             // a reserved field is not zero
	SnapBadChecksum                          // the SHA-256 of the bytes before it does not match
	SnapBadField                             // a flag or reservation status outside its domain, or a thread that does not decode
	SnapTooLarge                             // a count larger than the remaining bytes allow
	SnapPageOrder                            // page indexes not strictly increasing, or past the 64-bit space
	SnapTrailing                             // bytes between the last page and the trailer
	SnapHashMismatch                         // the decoded state does not hash to the stored state hash
)

var snapshotCodeNames = [...]string{
	SnapTruncated:    "truncated",
	SnapBadMagic:     "bad magic",
	SnapBadVersion:   "unsupported version",
	SnapReserved:     "reserved field not zero",
	SnapBadChecksum:  "checksum mismatch",
	SnapBadField:     "bad field",
	SnapTooLarge:     "count too large",
	SnapPageOrder:    "pages out of order",
	SnapTrailing:     "trailing bytes",
	SnapHashMismatch: "state hash mismatch",
}

// String returns the code's short name.
func (c SnapshotCode) String() string {
	if int(c) < len(snapshotCodeNames) && snapshotCodeNames[c] != "" {
		return snapshotCodeNames[c]
	}
	return fmt.Sprintf("snapshot code %d", uint8(c))
}

// SnapshotError reports a snapshot that cannot be loaded: the reason, the
// field and the byte offset where it was found.
type SnapshotError struct {
	Code   SnapshotCode
	Field  string
	Offset int
	Detail string
}

func (e *SnapshotError) Error() string {
	return fmt.Sprintf("snapshot: %s: %s at byte %d: %s", e.Code, e.Field, e.Offset, e.Detail)
}

// EncodeSnapshot returns the snapshot of a full state s (every thread known,
// memory a memory.Memory): everything the VM needs to continue, memory
// included (docs/formats/snapshot.md). Integers are big-endian:
//
//	offset  size   field
//	0       8      magic "OPCSNAP\0"
//	8       4      version: 1
//	12      4      reserved: 0
//	16      32     preimage key
//	48      8      preimage offset
//	56      8      heap
//	64      1      LL reservation status (0, 1, 2)
//	65      8      LL address
//	73      8      LL owner thread
//	81      1      exit code
//	82      1      exited (0, 1)
//	83      8      step
//	91      8      steps since last context switch
//	99      1      traverse right (0, 1)
//	100     8      next thread id
//	108     4      h: last hint length, ≤ 2^24
//	112     h      last hint bytes
//	…       4      l: threads in the left stack, then l × 298-byte thread encodings, bottom first
//	…       4      r: threads in the right stack, then r × 298 bytes
//	…       8      p: pages, then p × (8-byte page index ‖ 4096 bytes), indexes strictly increasing
//	end−64  32     the state hash (state.State.Hash)
//	end−32  32     SHA-256 of every byte before it
//
// Errors: a message for a state that is not full (a stack with an unknown
// base, or a memory back-end other than memory.Memory).
func EncodeSnapshot(s state.State) ([]byte, error) {
	mem, ok := s.Memory.(memory.Memory)
	if !ok {
		return nil, fmt.Errorf("snapshot: memory is %T, not a full memory.Memory", s.Memory)
	}
	if !s.LeftThreads.IsFullyKnown() || !s.RightThreads.IsFullyKnown() {
		return nil, fmt.Errorf("snapshot: a thread stack is not fully known")
	}
	if len(s.LastHint) > maxHint {
		return nil, fmt.Errorf("snapshot: last hint of %d bytes exceeds %d", len(s.LastHint), maxHint)
	}
	var b bytes.Buffer
	b.Grow(snapshotHeader + snapshotFields + 21 + len(s.LastHint) + mem.PageCount()*pageRecord + snapshotTrailer)
	put := func(vs ...uint64) {
		for _, v := range vs {
			_ = binary.Write(&b, binary.BigEndian, v)
		}
	}
	put8 := func(vs ...uint8) { b.Write(vs) }
	b.WriteString(SnapshotMagic)
	_ = binary.Write(&b, binary.BigEndian, [2]uint32{SnapshotVersion, 0})
	b.Write(s.PreimageKey[:])
	put(s.PreimageOffset, s.Heap)
	put8(s.LLReservationStatus)
	put(s.LLAddress, s.LLOwnerThread)
	put8(s.ExitCode, boolByte(s.Exited))
	put(s.Step, s.StepsSinceLastContextSwitch)
	put8(boolByte(s.TraverseRight))
	put(s.NextThreadID)
	_ = binary.Write(&b, binary.BigEndian, uint32(len(s.LastHint)))
	b.Write(s.LastHint)
	for _, st := range []state.ThreadStack{s.LeftThreads, s.RightThreads} {
		_ = binary.Write(&b, binary.BigEndian, uint32(len(st.Threads)))
		for _, t := range st.Threads {
			enc := state.EncodeThread(t)
			b.Write(enc[:])
		}
	}
	put(uint64(mem.PageCount()))
	for index, page := range mem.Pages {
		put(index)
		b.Write(page[:])
	}
	h := s.Hash()
	b.Write(h[:])
	sum := sha256.Sum256(b.Bytes())
	b.Write(sum[:])
	return b.Bytes(), nil
}

func boolByte(v bool) uint8 {
	if v {
		return 1
	}
	return 0
}

// DecodeSnapshot reads a snapshot written by EncodeSnapshot and returns the
// state, persistent. It checks the checksum before anything else, then
// every field, and last that the state it built hashes to the stored state
// hash. It never panics, and allocates only for counts the remaining bytes
// can hold. Errors: *SnapshotError.
func DecodeSnapshot(b []byte) (state.State, error) {
	if len(b) < snapshotHeader+snapshotTrailer {
		return state.State{}, &SnapshotError{Code: SnapTruncated, Field: "file", Detail: fmt.Sprintf("%d bytes, at least %d", len(b), snapshotHeader+snapshotTrailer)}
	}
	r := &snapReader{b: b[:len(b)-snapshotTrailer]}
	if err := checkSnapshotHeader(b); err != nil {
		return state.State{}, err
	}
	if sum := sha256.Sum256(b[:len(b)-32]); !bytes.Equal(sum[:], b[len(b)-32:]) {
		return state.State{}, r.fail(SnapBadChecksum, "checksum", len(b)-32, "stored %x, computed %x", b[len(b)-32:], sum)
	}
	r.off = snapshotHeader
	s, err := r.state()
	if err != nil {
		return state.State{}, err
	}
	var want memory.Hash
	copy(want[:], b[len(b)-snapshotTrailer:])
	if got := s.Hash(); got != want {
		return state.State{}, r.fail(SnapHashMismatch, "state hash", len(b)-snapshotTrailer, "stored %s, the decoded state hashes to %s", want, got)
	}
	return s, nil
}

// snapReader reads big-endian fields from b (the snapshot without its
// trailer), tracking the offset.
type snapReader struct {
	b   []byte
	off int
	err error
}

func (r *snapReader) fail(c SnapshotCode, field string, off int, format string, args ...any) *SnapshotError {
	return &SnapshotError{Code: c, Field: field, Offset: off, Detail: fmt.Sprintf(format, args...)}
}

// take returns the next n bytes, or nil after recording a truncation.
func (r *snapReader) take(n int, field string) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.err = r.fail(SnapTruncated, field, r.off, "need %d bytes, %d left", n, len(r.b)-r.off)
		return nil
	}
	s := r.b[r.off : r.off+n]
	r.off += n
	return s
}

func (r *snapReader) u64(field string) uint64 {
	if s := r.take(8, field); s != nil {
		return binary.BigEndian.Uint64(s)
	}
	return 0
}

func (r *snapReader) u32(field string) uint32 {
	if s := r.take(4, field); s != nil {
		return binary.BigEndian.Uint32(s)
	}
	return 0
}

// flag reads one byte that must be at most limit.
func (r *snapReader) flag(field string, limit uint8) uint8 {
	s := r.take(1, field)
	if s == nil {
		return 0
	}
	if s[0] > limit && r.err == nil {
		r.err = r.fail(SnapBadField, field, r.off-1, "%d, at most %d", s[0], limit)
	}
	return s[0]
}

// count reads a count of records of size each, failing when the remaining
// bytes cannot hold them.
func (r *snapReader) count(n uint64, size int, field string, off int) int {
	if r.err == nil && n > uint64((len(r.b)-r.off)/size) {
		r.err = r.fail(SnapTooLarge, field, off, "%d records of %d bytes, %d bytes left", n, size, len(r.b)-r.off)
		return 0
	}
	return int(n)
}

// state reads the fields, stacks and pages.
func (r *snapReader) state() (state.State, error) {
	var s state.State
	if k := r.take(32, "preimage key"); k != nil {
		copy(s.PreimageKey[:], k)
	}
	s.PreimageOffset, s.Heap = r.u64("preimage offset"), r.u64("heap")
	s.LLReservationStatus = r.flag("LL reservation status", 2)
	s.LLAddress, s.LLOwnerThread = r.u64("LL address"), r.u64("LL owner thread")
	s.ExitCode = r.flag("exit code", 255)
	s.Exited = r.flag("exited", 1) == 1
	s.Step, s.StepsSinceLastContextSwitch = r.u64("step"), r.u64("steps since last context switch")
	s.TraverseRight = r.flag("traverse right", 1) == 1
	s.NextThreadID = r.u64("next thread id")
	off := r.off
	if h := r.u32("last hint length"); h > maxHint && r.err == nil {
		r.err = r.fail(SnapTooLarge, "last hint length", off, "%d bytes, limit %d", h, maxHint)
	} else if hint := r.take(int(h), "last hint"); len(hint) > 0 {
		s.LastHint = bytes.Clone(hint)
	}
	s.LeftThreads = r.stack("left threads")
	s.RightThreads = r.stack("right threads")
	s.Memory = r.pages()
	if r.err == nil && r.off != len(r.b) {
		r.err = r.fail(SnapTrailing, "pages", r.off, "%d bytes before the trailer", len(r.b)-r.off)
	}
	if r.err != nil {
		return state.State{}, r.err
	}
	return s, nil
}

// stack reads one thread stack, bottom first.
func (r *snapReader) stack(field string) state.ThreadStack {
	off := r.off
	n := r.count(uint64(r.u32(field)), state.ThreadSize, field, off)
	threads := make([]state.Thread, 0, n)
	for i := range n {
		at := r.off
		enc := r.take(state.ThreadSize, field)
		if enc == nil {
			break
		}
		t, err := state.DecodeThread(enc)
		if err != nil {
			r.err = r.fail(SnapBadField, fmt.Sprintf("%s[%d]", field, i), at, "%v", err)
			break
		}
		threads = append(threads, t)
	}
	return state.NewThreadStack(threads...)
}

// pages reads the memory pages into a memory.Memory.
func (r *snapReader) pages() memory.Memory {
	var m memory.Memory
	off := r.off
	n := r.count(r.u64("page count"), pageRecord, "page count", off)
	e := &memory.Edit{}
	m = m.Transient(e)
	var last uint64
	for i := range n {
		at := r.off
		index := r.u64("page index")
		page := r.take(pageSize, "page")
		if r.err != nil {
			break
		}
		if (i > 0 && index <= last) || index > (1<<64-1)/pageSize {
			r.err = r.fail(SnapPageOrder, "page index", at, "%#x after %#x", index, last)
			break
		}
		last = index
		m = m.SetBytes(index*pageSize, page)
	}
	return m.Persistent()
}

// WriteSnapshotFile writes the snapshot of s to path, completely or not at
// all (WriteFile). Errors: EncodeSnapshot's, a snapshot over
// limits.Snapshot bytes (ReadSnapshotFile would refuse it), or the write's.
func WriteSnapshotFile(path string, s state.State) error {
	b, err := EncodeSnapshot(s)
	if err != nil {
		return err
	}
	if len(b) > limits.Snapshot {
		return fmt.Errorf("snapshot: %d bytes, more than the %d a snapshot file may hold", len(b), limits.Snapshot)
	}
	return WriteFile(path, b)
}

// ReadSnapshotFile reads and decodes the snapshot at path, reading no more
// than the snapshot declares (requirement SNAP-READ-BOUNDED). It reads the
// 16-byte header first, so a file that is not a snapshot is refused after
// 16 bytes (SnapBadMagic, SnapBadVersion, SnapReserved); then, for a
// regular file, refuses a size over limits.Snapshot; then reads the fields
// up to the page count, which fix the snapshot's length, and refuses a
// length over limits.Snapshot (SnapTooLarge) or other than the file's size
// (SnapTruncated, SnapTrailing) before reading the pages. The bytes are
// then checked whole by DecodeSnapshot, so it accepts exactly the files
// whose bytes DecodeSnapshot accepts. Memory: at most the declared length,
// never more than limits.Snapshot. Every error names the file: the open or
// read error, *limits.TooLargeError, or a *SnapshotError wrapped with the
// path (errors.As finds it).
func ReadSnapshotFile(path string) (state.State, error) {
	f, err := os.Open(path)
	if err != nil {
		return state.State{}, err
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	b, err := readSnapshot(f, path, size)
	var s state.State
	if err == nil {
		s, err = DecodeSnapshot(b)
	}
	if se := (*SnapshotError)(nil); errors.As(err, &se) {
		return state.State{}, fmt.Errorf("%s: %w", path, err)
	}
	return s, err
}

// readSnapshot reads one snapshot's bytes from r, named name, whose size is
// size (-1 unknown), in the order ReadSnapshotFile describes.
func readSnapshot(r io.Reader, name string, size int64) ([]byte, error) {
	p := &snapPrefix{r: r, size: size}
	head := p.read(snapshotHeader, "header")
	if p.err != nil {
		return nil, p.err
	}
	if err := checkSnapshotHeader(head); err != nil {
		return nil, err
	}
	if size > limits.Snapshot {
		return nil, &limits.TooLargeError{Name: name, Size: size, Limit: limits.Snapshot}
	}
	if size >= 0 { // a regular file: its bytes in one allocation
		p.b = append(make([]byte, 0, size), p.b...)
	}
	total := p.declaredLength()
	p.read(total-len(p.b), "pages")
	if p.err != nil {
		return nil, p.err
	}
	if n, _ := io.ReadFull(r, make([]byte, 1)); n > 0 {
		return nil, &SnapshotError{Code: SnapTrailing, Field: "file", Offset: total, Detail: fmt.Sprintf("bytes after the %d the counts declare", total)}
	}
	return p.b, nil
}

// checkSnapshotHeader checks the 16-byte header: magic, version, reserved.
func checkSnapshotHeader(b []byte) error {
	r := &snapReader{}
	switch {
	case string(b[:8]) != SnapshotMagic:
		return r.fail(SnapBadMagic, "magic", 0, "%q", b[:8])
	case binary.BigEndian.Uint32(b[8:]) != SnapshotVersion:
		return r.fail(SnapBadVersion, "version", 8, "%d, want %d", binary.BigEndian.Uint32(b[8:]), SnapshotVersion)
	case binary.BigEndian.Uint32(b[12:]) != 0:
		return r.fail(SnapReserved, "reserved", 12, "%d", binary.BigEndian.Uint32(b[12:]))
	}
	return nil
}

// snapPrefix reads a snapshot's first bytes from r into b, checking each
// count against the limit and the file's size as soon as it is read.
type snapPrefix struct {
	r    io.Reader
	b    []byte
	size int64
	err  error
}

// read appends the next n bytes to b and returns them; nil after an error.
// It reads at most 1 MiB at a time, doubling b as needed, so that what it
// allocates follows what r delivers, not what a count claims.
func (p *snapPrefix) read(n int, field string) []byte {
	if p.err != nil {
		return nil
	}
	at := len(p.b)
	for len(p.b) < at+n {
		k := min(at+n-len(p.b), 1<<20)
		if len(p.b)+k > cap(p.b) {
			p.b = append(make([]byte, 0, max(2*cap(p.b), len(p.b)+k)), p.b...)
		}
		got, err := io.ReadFull(p.r, p.b[len(p.b):len(p.b)+k])
		p.b = p.b[:len(p.b)+got]
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			err = &SnapshotError{Code: SnapTruncated, Field: field, Offset: len(p.b), Detail: fmt.Sprintf("the file ends inside the %d-byte %s at byte %d", n, field, at)}
		}
		if err != nil {
			p.err = err
			return nil
		}
	}
	return p.b[at:]
}

// u32 reads a big-endian count.
func (p *snapPrefix) u32(field string) uint64 {
	if s := p.read(4, field); s != nil {
		return uint64(binary.BigEndian.Uint32(s))
	}
	return 0
}

// fits checks that a snapshot of at least length bytes, as the count at
// offset off implies, is within the limit and the file's size.
func (p *snapPrefix) fits(length uint64, field string, off int) {
	switch {
	case p.err != nil:
	case length > limits.Snapshot:
		p.err = &SnapshotError{Code: SnapTooLarge, Field: field, Offset: off, Detail: fmt.Sprintf("the snapshot would be at least %d bytes, the limit is %d", length, limits.Snapshot)}
	case p.size >= 0 && length > uint64(p.size):
		p.err = &SnapshotError{Code: SnapTruncated, Field: field, Offset: off, Detail: fmt.Sprintf("the snapshot would be at least %d bytes, the file has %d", length, p.size)}
	}
}

// declaredLength reads the fields up to the page count and returns the
// length they declare (layout: EncodeSnapshot).
func (p *snapPrefix) declaredLength() int {
	p.read(snapshotFields, "fields")
	at := len(p.b)
	h := p.u32("last hint length")
	if h > maxHint && p.err == nil {
		p.err = &SnapshotError{Code: SnapTooLarge, Field: "last hint length", Offset: at, Detail: fmt.Sprintf("%d bytes, limit %d", h, maxHint)}
	}
	p.fits(uint64(at)+4+h+4+4+8+snapshotTrailer, "last hint length", at)
	p.read(int(h), "last hint")
	for _, field := range []string{"left threads", "right threads"} {
		at := len(p.b)
		n := p.u32(field)
		p.fits(uint64(at)+4+n*state.ThreadSize+8+snapshotTrailer, field, at)
		p.read(int(n)*state.ThreadSize, field)
	}
	at = len(p.b)
	var pages uint64
	if s := p.read(8, "page count"); s != nil {
		pages = binary.BigEndian.Uint64(s)
	}
	pages = min(pages, limits.Snapshot) // over the limit either way, and no overflow below
	length := uint64(at) + 8 + pages*pageRecord + snapshotTrailer
	p.fits(length, "page count", at)
	if p.err == nil && p.size >= 0 && length != uint64(p.size) {
		p.err = &SnapshotError{Code: SnapTrailing, Field: "page count", Offset: at, Detail: fmt.Sprintf("the counts declare %d bytes, the file has %d", length, p.size)}
	}
	return int(length)
}

// CheckDecodeSnapshot is the property behind the native fuzz target
// FuzzDecodeSnapshot (requirement SNAP-REJECT): for any bytes b,
// DecodeSnapshot either fails with a *SnapshotError whose code is defined,
// or returns a state whose snapshot is b itself (the format is canonical).
func CheckDecodeSnapshot(b []byte) error {
	s, err := DecodeSnapshot(b)
	if err != nil {
		se, ok := err.(*SnapshotError)
		if !ok || se.Code < SnapTruncated || se.Code > SnapHashMismatch {
			return fmt.Errorf("DecodeSnapshot error %T %v is not a *SnapshotError with a defined code", err, err)
		}
		return nil
	}
	enc, err := EncodeSnapshot(s)
	if err != nil {
		return fmt.Errorf("EncodeSnapshot of a decoded state: %v", err)
	}
	if !bytes.Equal(enc, b) {
		return fmt.Errorf("EncodeSnapshot(DecodeSnapshot(b)) differs from b (len %d vs %d)", len(enc), len(b))
	}
	return nil
}

// CheckReadSnapshotFile is the property behind the native fuzz target
// FuzzReadSnapshotFile (requirement SNAP-READ-BOUNDED): for any bytes b,
// written to a file in dir, ReadSnapshotFile accepts exactly when
// DecodeSnapshot(b) does, with a state of the same hash, and otherwise fails
// with a *SnapshotError of a defined code; b read as a stream of unknown
// size (a pipe) is treated the same way.
func CheckReadSnapshotFile(dir string, b []byte) error {
	path := dir + string(os.PathSeparator) + "snapshot"
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return err
	}
	want, wantErr := DecodeSnapshot(b)
	got, err := ReadSnapshotFile(path)
	if err := compareRead("file", want, wantErr, got, err); err != nil {
		return err
	}
	streamed, err := readSnapshot(bytes.NewReader(b), "stream", -1)
	if err == nil {
		if !bytes.Equal(streamed, b) {
			return fmt.Errorf("SNAP-READ-BOUNDED: the stream read %d bytes of %d", len(streamed), len(b))
		}
		got, err = DecodeSnapshot(streamed)
	}
	return compareRead("stream", want, wantErr, got, err)
}

// compareRead compares a read's outcome with DecodeSnapshot's.
func compareRead(how string, want state.State, wantErr error, got state.State, err error) error {
	var se *SnapshotError
	if err != nil && (!errors.As(err, &se) || se.Code < SnapTruncated || se.Code > SnapHashMismatch) {
		return fmt.Errorf("SNAP-READ-BOUNDED: reading a %s: error %T %v is not a *SnapshotError with a defined code", how, err, err)
	}
	switch {
	case (err == nil) != (wantErr == nil):
		return fmt.Errorf("SNAP-READ-BOUNDED: reading a %s: %v, DecodeSnapshot: %v", how, err, wantErr)
	case err == nil && got.Hash() != want.Hash():
		return fmt.Errorf("SNAP-READ-BOUNDED: reading a %s gives state %s, DecodeSnapshot %s", how, got.Hash(), want.Hash())
	}
	return nil
}
