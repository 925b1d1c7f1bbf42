// Package limits holds the size limit of every kind of file OPcity reads
// and ReadFile, the one bounded reader that applies them (requirement
// INPUT-LIMIT; the table is in README.md, "Input limits"). It depends on the
// standard library only, so every package that reads a file can use it.
package limits

import (
	"fmt"
	"io"
	"os"
)

// The size limit of each kind of input file, in bytes. Each is far above
// the largest file of its kind the repository writes or ships (in
// parentheses), and low enough that reading a file at the limit is cheap
// next to the work the file asks for.
const (
	ELF       = 64 << 20  // a MIPS64 program (the node program: 3.1 MB)
	Snapshot  = 1 << 30   // a VM snapshot, memory included (the examples: under 2.5 MB)
	Witness   = 64 << 20  // a step witness JSON: WitnessBase and the hex of one Tensor, with room (a power of two, as every limit here, so Read allocates under twice it)
	Preimages = 64 << 20  // a --preimages JSON object (examples/preimage: under 1 KB)
	Tensors   = 128 << 20 // a --tensors JSON object: room for the hex of three tensors at the Tensor limit (the tests: under 100 KB)
	Model     = 64 << 20  // an .opml model: opml.MaxModelBytes (models/mnist/cnn.opml: 175 KB)
	Image     = 1 << 20   // a PGM or PNG image of 28×28 pixels (under 1 KB)
	IDX       = 16 << 20  // a gzipped MNIST IDX file, compressed bytes (t10k-images: 1.6 MB)
	Vectors   = 64 << 20  // one conformance vector file (instructions.json: 1.7 MB)
)

// The tensors of the OPcity profile on the command line (requirements
// CLI-TENSORS, WIT-TENSOR). The spec binds a tensor of up to 2^30 bytes
// (transition.MaxTensorLog2); the command line carries smaller ones, so
// that every tensor `opcity run` accepts also fits the witness of the step
// that maps it, and that witness stays a JSON file one can read whole.
const (
	// Tensor bounds the bytes of one tensor, in a --tensors file and in a
	// witness: 16 MiB, a 2^24-byte region (the largest tensor here: a few
	// KB).
	Tensor = 16 << 20
	// TensorCount bounds the tensors of one --tensors file.
	TensorCount = 1 << 16
	// WitnessBase is what Witness allows besides a tensor, the limit of a
	// witness file before the OPcity profile: the state, the proof (a few
	// KB) and one preimage.
	WitnessBase = 16 << 20
)

// TooLargeError reports an input over its limit: the file (or stream), its
// size when known (Size < 0: larger than Limit, size unknown, as for a pipe
// or /dev/zero) and the limit.
type TooLargeError struct {
	Name  string
	Size  int64
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s: more than %d bytes, the limit for this input", e.Name, e.Limit)
	}
	return fmt.Sprintf("%s: %d bytes, more than %d, the limit for this input", e.Name, e.Size, e.Limit)
}

// Open opens the file at path for a reader that reads it as a stream (a
// decompressor): a regular file over max bytes is refused before any read,
// and the returned file fails with *TooLargeError once more than max bytes
// are read from it. Errors: the open error, or *TooLargeError.
func Open(path string, max int64) (io.ReadCloser, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > max {
		f.Close()
		return nil, &TooLargeError{Name: path, Size: fi.Size(), Limit: max}
	}
	return struct {
		io.Reader
		io.Closer
	}{Reader(f, path, max), f}, nil
}

// ReadFile returns the contents of the file at path if it holds at most max
// bytes. A regular file whose size is over max is refused before any read;
// any other file (a pipe, a device) is read through an io.LimitReader of
// max+1 bytes, so it never costs more than max+1 bytes of memory. Errors:
// the open or read error, or *TooLargeError.
func ReadFile(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	size := int64(-1)
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size = fi.Size()
	}
	if size > max {
		return nil, &TooLargeError{Name: path, Size: size, Limit: max}
	}
	return Read(f, path, max, size)
}

// Read returns what r yields up to EOF, if that is at most max bytes; name
// names r in the error. sizeHint, when in [0, max], sizes the buffer (the
// expected length; -1 when unknown). It reads at most max+1 bytes and
// allocates less than 2·max. Errors: r's error, or *TooLargeError.
func Read(r io.Reader, name string, max, sizeHint int64) ([]byte, error) {
	if sizeHint < 0 || sizeHint > max {
		sizeHint = min(max, 64<<10)
	}
	buf := make([]byte, 0, min(sizeHint+1, max)) // +1: room for the read that finds EOF
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) == max {
				if err := probeEOF(r, name, max); err != nil {
					return nil, err
				}
				return buf, nil
			}
			// Double, so that the copies sum to less than the final size.
			buf = append(make([]byte, 0, min(2*int64(cap(buf))+1, max)), buf...)
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// probeEOF reads r after max bytes: nil at EOF, *TooLargeError if r yields
// one more byte.
func probeEOF(r io.Reader, name string, max int64) error {
	var one [1]byte
	for {
		n, err := r.Read(one[:])
		switch {
		case n > 0:
			return &TooLargeError{Name: name, Size: -1, Limit: max}
		case err == io.EOF:
			return nil
		case err != nil:
			return err
		}
	}
}

// Reader returns a reader of r that fails with *TooLargeError (naming name)
// once r yields more than max bytes: a stream decoder (gzip) reads its
// input through it.
func Reader(r io.Reader, name string, max int64) io.Reader {
	return &limitedReader{r: r, name: name, left: max, max: max}
}

type limitedReader struct {
	r         io.Reader
	name      string
	left, max int64
	overLimit bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.overLimit {
		return 0, &TooLargeError{Name: l.name, Size: -1, Limit: l.max}
	}
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.left {
		l.overLimit = true
		return int(l.left), &TooLargeError{Name: l.name, Size: -1, Limit: l.max}
	}
	l.left -= int64(n)
	return n, err
}
