package limits

import (
	"bytes"
	stderrors "errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// allocated returns the bytes f allocates (runtime.MemStats.TotalAlloc).
func allocated(f func()) uint64 {
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	f()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// tooLarge returns err as a *TooLargeError, failing t if it is not one.
func tooLarge(t *testing.T, err error) *TooLargeError {
	t.Helper()
	var e *TooLargeError
	if !stderrors.As(err, &e) {
		t.Fatalf("error %T %v, want *TooLargeError", err, err)
	}
	return e
}

// TestINPUT_LIMIT_ReadFile: a file of exactly max bytes is read whole; one
// byte more is refused naming the file, its size and the limit.
func TestINPUT_LIMIT_ReadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in")
	const max = 1000
	data := bytes.Repeat([]byte{7}, max)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(path, max); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("ReadFile of %d bytes with limit %d: %d bytes, %v", max, max, len(got), err)
	}
	if got, err := ReadFile(path, 0); err == nil {
		t.Fatalf("ReadFile with limit 0 returned %d bytes", len(got))
	} else if e := tooLarge(t, err); e.Name != path || e.Size != max || e.Limit != 0 {
		t.Fatalf("error %+v, want name %s, size %d, limit 0", e, path, max)
	}
	if err := os.WriteFile(path, append(data, 8), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFile(path, max)
	if e := tooLarge(t, err); e.Size != max+1 || e.Limit != max {
		t.Fatalf("error %+v, want size %d, limit %d", e, max+1, max)
	}
	if want := path + ": 1001 bytes, more than 1000, the limit for this input"; err.Error() != want {
		t.Fatalf("message %q, want %q", err, want)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing"), max); !os.IsNotExist(err) {
		t.Fatalf("a missing file: %v, want a not-exist error", err)
	}
	empty := filepath.Join(dir, "empty")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadFile(empty, max); err != nil || len(got) != 0 {
		t.Fatalf("an empty file: %d bytes, %v", len(got), err)
	}
}

// TestINPUT_LIMIT_SparseFileRefusedUnread: a 2 GiB sparse file is refused
// from its size alone, allocating almost nothing.
func TestINPUT_LIMIT_SparseFileRefusedUnread(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var rerr error
	n := allocated(func() { _, rerr = ReadFile(path, ELF) })
	if e := tooLarge(t, rerr); e.Size != 2<<30 || e.Limit != ELF {
		t.Fatalf("error %+v, want size 2 GiB, limit %d", e, ELF)
	}
	if n > 64<<10 {
		t.Fatalf("refusing a 2 GiB file allocated %d bytes, want under 64 KiB", n)
	}
}

// TestINPUT_LIMIT_DevZero: /dev/zero, whose size Stat does not give, is
// read up to the limit and refused; the read allocates less than twice the
// limit (the buffer's growth by doubling).
func TestINPUT_LIMIT_DevZero(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	const max = 4 << 20
	var rerr error
	n := allocated(func() { _, rerr = ReadFile("/dev/zero", max) })
	if e := tooLarge(t, rerr); e.Size != -1 || e.Limit != max || e.Name != "/dev/zero" {
		t.Fatalf("error %+v, want size unknown (-1), limit %d", e, max)
	}
	if want := "/dev/zero: more than 4194304 bytes, the limit for this input"; rerr.Error() != want {
		t.Fatalf("message %q, want %q", rerr, want)
	}
	if n >= 2*max {
		t.Fatalf("reading /dev/zero with a %d-byte limit allocated %d bytes, want under %d", max, n, 2*max)
	}
}

// TestINPUT_LIMIT_Pipe: an endless pipe is refused after max+1 bytes; a
// short one is read whole.
func TestINPUT_LIMIT_Pipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		chunk := make([]byte, 4096)
		for {
			if _, err := w.Write(chunk); err != nil {
				w.Close()
				return
			}
		}
	}()
	_, err = Read(r, "pipe", 100_000, -1)
	r.Close() // ends the writer
	if e := tooLarge(t, err); e.Name != "pipe" || e.Limit != 100_000 {
		t.Fatalf("error %+v", e)
	}
	got, err := Read(bytes.NewReader([]byte("abc")), "short", 3, -1)
	if err != nil || string(got) != "abc" {
		t.Fatalf("Read of 3 bytes with limit 3: %q, %v", got, err)
	}
}

// TestINPUT_LIMIT_Reader: Reader passes max bytes and fails on the next
// with *TooLargeError, then keeps failing.
func TestINPUT_LIMIT_Reader(t *testing.T) {
	lr := Reader(bytes.NewReader(make([]byte, 10)), "stream", 10)
	if got, err := io.ReadAll(lr); err != nil || len(got) != 10 {
		t.Fatalf("10 bytes with limit 10: %d bytes, %v", len(got), err)
	}
	lr = Reader(bytes.NewReader(make([]byte, 11)), "stream", 10)
	got, err := io.ReadAll(lr)
	if e := tooLarge(t, err); e.Limit != 10 || len(got) != 10 {
		t.Fatalf("11 bytes with limit 10: %d bytes, %+v", len(got), e)
	}
	if _, err := lr.Read(make([]byte, 1)); err == nil {
		t.Fatal("a read after the limit succeeded")
	}
}

// TestWIT_TENSOR_WitnessLimit: a witness file at the limit holds the hex of
// a tensor at the Tensor limit next to everything a base witness may hold,
// and a --tensors file holds at least one such tensor.
func TestWIT_TENSOR_WitnessLimit(t *testing.T) {
	if Witness < WitnessBase+2*Tensor+100 {
		t.Fatalf("Witness = %d, want at least WitnessBase + the hex of one Tensor = %d", Witness, WitnessBase+2*Tensor)
	}
	if Tensors < 2*Tensor+100 {
		t.Fatalf("Tensors = %d cannot hold one tensor of %d bytes in hex", Tensors, Tensor)
	}
}
