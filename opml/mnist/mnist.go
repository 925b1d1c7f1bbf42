// Package mnist reads the MNIST test set that the repository ships beside
// the bundled models (models/mnist/t10k-*.gz, gzipped IDX files) and 28×28
// grayscale PGM (P5) or PNG images, and turns pixels into the input tensor
// of the bundled models. It needs only the standard library and
// format/limits, so the CLI and the tests of the main module can read images
// without the training module's dependencies.
package mnist

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"io"
	"path/filepath"
	"strconv"

	"github.com/opcity-spec/opcity/format/limits"
)

// Side is the side of an MNIST image in pixels; images are Side×Side grayscale.
const Side = 28

// TestImages is the number of images in the MNIST test set.
const TestImages = 10_000

// Input is the model input of models/mnist: pixel p as int8(p − 128)
// (zero point −128, scale 1/255).
func Input(pixels []byte) []byte {
	b := make([]byte, len(pixels))
	for i, p := range pixels {
		b[i] = byte(int8(int(p) - 128))
	}
	return b
}

// Load returns the 784 pixels of the N-th test image (and its label)
// or of a PGM/PNG file of at most limits.Image bytes (INPUT-LIMIT).
// Errors: the read error, *limits.TooLargeError, or the decoder's.
func Load(dataDir, arg string) ([]byte, *int, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		return TestImage(dataDir, n)
	}
	raw, err := limits.ReadFile(arg, limits.Image)
	if err != nil {
		return nil, nil, err
	}
	if bytes.HasPrefix(raw, []byte("P5")) {
		px, err := ParsePGM(raw)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %v", arg, err)
		}
		return px, nil, nil
	}
	px, err := ParsePNG(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %v", arg, err)
	}
	return px, nil, nil
}

// The two IDX files of the test set, each of rank IDXLabels or IDXImages.
const (
	imagesFile = "t10k-images-idx3-ubyte.gz"
	labelsFile = "t10k-labels-idx1-ubyte.gz"
	IDXLabels  = 1 // a labels file: magic 0x801, the count, then one byte per record
	IDXImages  = 3 // an images file: magic 0x803, the count, 28, 28, then 784 bytes per record
)

// TestImage reads image n and its label from the gzipped IDX files.
func TestImage(dir string, n int) ([]byte, *int, error) {
	if n < 0 || n >= TestImages {
		return nil, nil, fmt.Errorf("image %d: the test set has images 0-9999", n)
	}
	imgs, err := readIDX(filepath.Join(dir, imagesFile), IDXImages, n, 1)
	if err != nil {
		return nil, nil, err
	}
	lab, err := readIDX(filepath.Join(dir, labelsFile), IDXLabels, n, 1)
	if err != nil {
		return nil, nil, err
	}
	label := int(lab[0])
	return imgs, &label, nil
}

// readIDX reads records [first, first+n) of the gzipped IDX file at path
// (DecodeIDX), reading at most limits.IDX compressed bytes.
func readIDX(path string, rank, first, n int) ([]byte, error) {
	f, err := limits.Open(path, limits.IDX)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out, err := DecodeIDX(bufio.NewReader(z), rank, first, n)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return out, nil
}

// DecodeIDX reads records [first, first+n) of an uncompressed IDX file of
// unsigned bytes from r: labels (rank IDXLabels) or 28×28 images (rank
// IDXImages). It checks the header (magic 0x800+rank, a count of at least
// first+n, and for images 28 rows and 28 columns) before reading any
// record, and reads no further than the last record it returns, so its
// work and memory are those of first+n records whatever the file claims.
// Errors: a wrong header, or a file that ends early.
func DecodeIDX(r io.Reader, rank, first, n int) ([]byte, error) {
	if (rank != IDXLabels && rank != IDXImages) || first < 0 || n < 0 || first+n > TestImages {
		return nil, fmt.Errorf("IDX: rank %d, records [%d, %d+%d): want rank 1 or 3 and records within [0, %d)", rank, first, first, n, TestImages)
	}
	head := make([]byte, 4*(rank+1))
	if _, err := io.ReadFull(r, head); err != nil {
		return nil, fmt.Errorf("IDX header: %v", err)
	}
	be := binary.BigEndian
	if magic := be.Uint32(head); magic != 0x800+uint32(rank) {
		return nil, fmt.Errorf("IDX magic %#x, want %#x", magic, 0x800+rank)
	}
	if count := be.Uint32(head[4:]); count < uint32(first+n) {
		return nil, fmt.Errorf("IDX holds %d records, want at least %d", count, first+n)
	}
	size := 1
	if rank == IDXImages {
		if rows, cols := be.Uint32(head[8:]), be.Uint32(head[12:]); rows != Side || cols != Side {
			return nil, fmt.Errorf("IDX images are %dx%d, want %dx%d", cols, rows, Side, Side)
		}
		size = Side * Side
	}
	if _, err := io.CopyN(io.Discard, r, int64(first*size)); err != nil {
		return nil, fmt.Errorf("IDX: record %d: %v", first, err)
	}
	out := make([]byte, n*size)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("IDX: records %d-%d: %v", first, first+n-1, err)
	}
	return out, nil
}

// ParsePGM reads a binary (P5) 28×28 PGM with maxval 255, as the Netpbm
// format defines it: "P5", width, height and maxval as decimal numbers
// separated by whitespace, where a comment ('#' to the end of the line)
// counts as whitespace; one whitespace byte; then exactly 784 pixel bytes.
// The header is checked before the pixels are looked at.
func ParsePGM(raw []byte) ([]byte, error) {
	h := &pgmHeader{b: raw}
	if !bytes.HasPrefix(raw, []byte("P5")) {
		return nil, fmt.Errorf("PGM: no P5 magic")
	}
	if h.off = 2; !h.space() {
		return nil, fmt.Errorf("PGM header: no whitespace after P5")
	}
	w, hh, maxval := h.number("width"), h.number("height"), h.number("maxval")
	if h.err != nil {
		return nil, h.err
	}
	if w != Side || hh != Side || maxval != 255 {
		return nil, fmt.Errorf("PGM is %dx%d with maxval %d, want 28x28 and 255", w, hh, maxval)
	}
	// The number's terminator, one whitespace byte, ends the header.
	if pixels := raw[h.off:]; len(pixels) != Side*Side {
		return nil, fmt.Errorf("PGM: %d pixel bytes, want %d", len(pixels), Side*Side)
	}
	return bytes.Clone(raw[h.off:]), nil
}

// pgmHeader reads the numbers of a PGM header from b at off.
type pgmHeader struct {
	b   []byte
	off int
	err error
}

// next returns the next header byte, a comment read as the line end that
// ends it, and false at the end of b.
func (h *pgmHeader) next() (byte, bool) {
	if h.off >= len(h.b) {
		return 0, false
	}
	c := h.b[h.off]
	h.off++
	if c != '#' {
		return c, true
	}
	for h.off < len(h.b) {
		c = h.b[h.off]
		h.off++
		if c == '\n' || c == '\r' {
			return c, true
		}
	}
	return 0, false
}

// space reads one byte and reports whether it is whitespace (or a comment).
func (h *pgmHeader) space() bool {
	c, ok := h.next()
	return ok && isSpace(c)
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// number skips whitespace and reads a decimal number of at most 6 digits
// and the one whitespace byte after it.
func (h *pgmHeader) number(field string) int {
	if h.err != nil {
		return 0
	}
	c, ok := h.next()
	for ok && isSpace(c) {
		c, ok = h.next()
	}
	v, digits := 0, 0
	for ; ok && c >= '0' && c <= '9'; c, ok = h.next() {
		if digits++; digits > 6 {
			h.err = fmt.Errorf("PGM header: %s has more than 6 digits", field)
			return 0
		}
		v = 10*v + int(c-'0')
	}
	if digits == 0 || !ok || !isSpace(c) {
		h.err = fmt.Errorf("PGM header: %s is not a decimal number followed by whitespace", field)
		return 0
	}
	return v
}

// ParsePNG reads a 28×28 PNG as grayscale. It reads the header
// (png.DecodeConfig) and refuses other dimensions before decoding pixels,
// so a huge image costs no more than a small one.
func ParsePNG(raw []byte) ([]byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a PGM (P5) or PNG image: %v", err)
	}
	if cfg.Width != Side || cfg.Height != Side {
		return nil, fmt.Errorf("image is %dx%d, want 28x28", cfg.Width, cfg.Height)
	}
	im, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("PNG: %v", err)
	}
	b := im.Bounds()
	if b.Dx() != Side || b.Dy() != Side {
		return nil, fmt.Errorf("image is %dx%d, want 28x28", b.Dx(), b.Dy())
	}
	px := make([]byte, 0, Side*Side)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			px = append(px, grayAt(im, x, y))
		}
	}
	return px, nil
}

func grayAt(im image.Image, x, y int) byte {
	r, g, b, _ := im.At(x, y).RGBA()
	return byte((299*r + 587*g + 114*b) / 1000 >> 8)
}

// TestSet returns the first n images of the test set (pixels) and their
// labels, reading each file once.
func TestSet(dir string, n int) ([][]byte, []int, error) {
	if n < 0 || n > TestImages {
		return nil, nil, fmt.Errorf("%d images: the test set has %d", n, TestImages)
	}
	imgs, err := readIDX(filepath.Join(dir, imagesFile), IDXImages, 0, n)
	if err != nil {
		return nil, nil, err
	}
	lab, err := readIDX(filepath.Join(dir, labelsFile), IDXLabels, 0, n)
	if err != nil {
		return nil, nil, err
	}
	pixels, labels := make([][]byte, n), make([]int, n)
	for i := range n {
		pixels[i] = imgs[i*Side*Side : (i+1)*Side*Side]
		labels[i] = int(lab[i])
	}
	return pixels, labels, nil
}
