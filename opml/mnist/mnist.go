// Package mnist reads the MNIST test set that the repository ships beside
// the bundled models (models/mnist/t10k-*.gz, gzipped IDX files) and 28×28
// grayscale PGM (P5) or PNG images, and turns pixels into the input tensor
// of the bundled models. It needs only the standard library, so the CLI and
// the tests of the main module can read images without the training
// module's dependencies.
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
	"os"
	"path/filepath"
	"strconv"
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
// or of a PGM/PNG file.
func Load(dataDir, arg string) ([]byte, *int, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		return TestImage(dataDir, n)
	}
	raw, err := os.ReadFile(arg)
	if err != nil {
		return nil, nil, err
	}
	if bytes.HasPrefix(raw, []byte("P5")) {
		px, err := ParsePGM(raw)
		return px, nil, err
	}
	px, err := ParsePNG(raw)
	return px, nil, err
}

// TestImage reads image n and its label from the gzipped IDX files.
func TestImage(dir string, n int) ([]byte, *int, error) {
	if n < 0 || n >= TestImages {
		return nil, nil, fmt.Errorf("image %d: the test set has images 0-9999", n)
	}
	imgs, err := readIDX(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 0x803, 16, n*Side*Side, Side*Side)
	if err != nil {
		return nil, nil, err
	}
	lab, err := readIDX(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), 0x801, 8, n, 1)
	if err != nil {
		return nil, nil, err
	}
	label := int(lab[0])
	return imgs, &label, nil
}

// readIDX reads n bytes at offset off after the header of a gzipped IDX
// file whose magic number must be magic.
func readIDX(path string, magic uint32, header, off, n int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	r := bufio.NewReader(z)
	head := make([]byte, header)
	if _, err := io.ReadFull(r, head); err != nil || binary.BigEndian.Uint32(head) != magic {
		return nil, fmt.Errorf("%s: not an IDX file with magic %#x", path, magic)
	}
	if _, err := io.CopyN(io.Discard, r, int64(off)); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	out := make([]byte, n)
	if _, err := io.ReadFull(r, out); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return out, nil
}

// ParsePGM reads a binary (P5) 28×28 PGM with maxval 255.
func ParsePGM(raw []byte) ([]byte, error) {
	var magic string
	var w, h, maxval int
	r := bytes.NewReader(raw)
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxval); err != nil || magic != "P5" {
		return nil, fmt.Errorf("PGM header: %v", err)
	}
	if w != Side || h != Side || maxval != 255 {
		return nil, fmt.Errorf("PGM is %dx%d with maxval %d, want 28x28 and 255", w, h, maxval)
	}
	// One whitespace byte ends the header; the pixels follow.
	if r.Len()-1 != Side*Side {
		return nil, fmt.Errorf("PGM: %d pixel bytes, want %d", max(r.Len()-1, 0), Side*Side)
	}
	return append([]byte(nil), raw[len(raw)-Side*Side:]...), nil
}

// ParsePNG reads a 28×28 PNG as grayscale.
func ParsePNG(raw []byte) ([]byte, error) {
	im, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a PGM (P5) or PNG image: %v", err)
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
	imgs, err := readIDX(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 0x803, 16, 0, n*Side*Side)
	if err != nil {
		return nil, nil, err
	}
	lab, err := readIDX(filepath.Join(dir, "t10k-labels-idx1-ubyte.gz"), 0x801, 8, 0, n)
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
