package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	stderrors "errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/alloc"
)

// pixels is a 28×28 test pattern.
func pixels() []byte {
	px := make([]byte, Side*Side)
	for i := range px {
		px[i] = byte(i * 7)
	}
	return px
}

// pngChunk returns one PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	b = append(append(b, typ...), data...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(b[4:]))
}

// hugePNG is an 8-bit grayscale PNG whose header declares w×h pixels and
// whose image data is one empty zlib stream: 67 bytes that png.Decode
// would meet by allocating w·h bytes first.
func hugePNG(w, h uint32) []byte {
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 0, 0, 0, 0) // depth 8, grayscale, no interlace
	b := append([]byte("\x89PNG\r\n\x1a\n"), pngChunk("IHDR", ihdr)...)
	b = append(b, pngChunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(b, pngChunk("IEND", nil)...)
}

// TestIMG_HEADER_FIRST_PNG: a PNG whose header declares 36000×36000 pixels
// is refused from its header, allocating almost nothing (before, png.Decode
// allocated the 1.3 GB image first); a 28×28 gray PNG gives its pixels.
func TestIMG_HEADER_FIRST_PNG(t *testing.T) {
	raw := hugePNG(36000, 36000)
	var err error
	alloc := alloc.Bytes(func() { _, err = ParsePNG(raw) })
	if err == nil || !strings.Contains(err.Error(), "36000x36000, want 28x28") {
		t.Fatalf("ParsePNG of a 36000x36000 header: %v, want the dimensions refused", err)
	}
	if alloc > 64<<10 {
		t.Fatalf("refusing a 36000x36000 PNG allocated %d bytes, want under 64 KiB", alloc)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, &image.Gray{Pix: pixels(), Stride: Side, Rect: image.Rect(0, 0, Side, Side)}); err != nil {
		t.Fatal(err)
	}
	if px, err := ParsePNG(b.Bytes()); err != nil || !bytes.Equal(px, pixels()) {
		t.Fatalf("a 28x28 gray PNG: %v", err)
	}
	if err := CheckParsePNG(raw); err != nil {
		t.Fatal(err)
	}
}

// TestIMG_HEADER_FIRST_PGM: a PGM header that declares another size, or a
// number of more than 6 digits, is refused before the pixels are read.
func TestIMG_HEADER_FIRST_PGM(t *testing.T) {
	for _, c := range []struct{ name, head, want string }{
		{"36000x36000", "P5\n36000 36000\n255\n", "PGM is 36000x36000 with maxval 255, want 28x28 and 255"},
		{"27x28", "P5\n27 28\n255\n", "PGM is 27x28"},
		{"maxval 65535", "P5\n28 28\n65535\n", "maxval 65535"},
		{"a 20-digit width", "P5\n99999999999999999999 28\n255\n", "width has more than 6 digits"},
		{"no whitespace after P5", "P528 28\n255\n", "no whitespace after P5"},
		{"a sign", "P5\n-28 28\n255\n", "width is not a decimal number"},
		{"header only", "P5\n28 28\n", "maxval is not a decimal number"},
		{"maxval not ended", "P5\n28 28\n255", "maxval is not a decimal number followed by whitespace"},
	} {
		raw := append([]byte(c.head), pixels()...)
		if _, err := ParsePGM(raw); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	for _, extra := range []int{-1, 1} {
		raw := append([]byte("P5\n28 28\n255\n"), make([]byte, Side*Side+extra)...)
		if _, err := ParsePGM(raw); err == nil || !strings.Contains(err.Error(), "pixel bytes, want 784") {
			t.Errorf("%d pixels: %v", Side*Side+extra, err)
		}
	}
}

// TestIMG_PGM_COMMENT: comments ('#' to the end of the line) are accepted
// wherever the Netpbm format allows whitespace in the header, including
// before the one whitespace byte that ends it; the pixels may begin with
// '#' or whitespace bytes, which are pixels, not header.
func TestIMG_PGM_COMMENT(t *testing.T) {
	px := pixels()
	px[0], px[1] = '#', ' '
	for _, head := range []string{
		"P5\n28 28\n255\n",
		"P5\n# made by a scanner\n28 28\n255\n",
		"P5 # after the magic\n28 # after the width\n28\n# before the maxval\n255\n",
		"P5\n#\n#two comments\n28\t28\r\n255\r",
		"P5\n28 28\n255#a comment ending the header\n",
		"P5\r\n# CRLF lines\r\n28 28\r\n255\n",
	} {
		got, err := ParsePGM(append([]byte(head), px...))
		if err != nil || !bytes.Equal(got, px) {
			t.Errorf("header %q: %v", head, err)
		}
		if err := CheckParsePGM(append([]byte(head), px...)); err != nil {
			t.Error(err)
		}
	}
}

// TestINPUT_LIMIT_Image: an image file over limits.Image, and /dev/zero,
// are refused by Load with a *limits.TooLargeError, reading at most the
// limit.
func TestINPUT_LIMIT_Image(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.pgm")
	if err := os.WriteFile(path, append([]byte("P5\n28 28\n255\n"), make([]byte, limits.Image)...), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{path}
	if _, err := os.Stat("/dev/zero"); err == nil {
		paths = append(paths, "/dev/zero")
	}
	for _, p := range paths {
		var err error
		alloc := alloc.Bytes(func() { _, _, err = Load("", p) })
		var tl *limits.TooLargeError
		if !stderrors.As(err, &tl) || tl.Limit != limits.Image {
			t.Errorf("%s: %v, want a *limits.TooLargeError", p, err)
		}
		if alloc > 2*limits.Image+64<<10 {
			t.Errorf("%s: refusing it allocated %d bytes, want at most %d", p, alloc, 2*limits.Image+64<<10)
		}
	}
}

// idxImages returns an uncompressed images IDX header for count images of
// rows×cols, followed by pixel bytes.
func idxImages(count, rows, cols uint32, pixels int) []byte {
	b := binary.BigEndian.AppendUint32(nil, 0x803)
	for _, v := range []uint32{count, rows, cols} {
		b = binary.BigEndian.AppendUint32(b, v)
	}
	return append(b, make([]byte, pixels)...)
}

// TestIDX_HEADER: DecodeIDX checks the magic, the count and the image
// dimensions before reading a record, and reads only up to the last record
// it returns.
func TestIDX_HEADER(t *testing.T) {
	good := idxImages(3, Side, Side, 3*Side*Side)
	good[16+Side*Side] = 9 // the first pixel of image 1
	out, err := DecodeIDX(bytes.NewReader(good), IDXImages, 1, 1)
	if err != nil || len(out) != Side*Side || out[0] != 9 {
		t.Fatalf("image 1 of 3: %d bytes, %v", len(out), err)
	}
	for _, c := range []struct {
		name        string
		b           []byte
		first, n    int
		rank        int
		wantMessage string
	}{
		{"labels magic for images", append(binary.BigEndian.AppendUint32(nil, 0x801), good[4:]...), 0, 1, IDXImages, "magic 0x801, want 0x803"},
		{"count below the records asked", good, 2, 2, IDXImages, "holds 3 records, want at least 4"},
		{"36000x36000 images", idxImages(1, 36000, 36000, 0), 0, 1, IDXImages, "36000x36000, want 28x28"},
		{"cut inside image 2", good[:len(good)-1], 2, 1, IDXImages, "records 2-2"},
		{"a header cut short", good[:10], 0, 1, IDXImages, "IDX header"},
		{"past the test set", good, 0, TestImages + 1, IDXImages, "records within"},
		{"rank 2", good, 0, 1, 2, "want rank 1 or 3"},
	} {
		_, err := DecodeIDX(bytes.NewReader(c.b), c.rank, c.first, c.n)
		if err == nil || !strings.Contains(err.Error(), c.wantMessage) {
			t.Errorf("%s: %v, want %q", c.name, err, c.wantMessage)
		}
		if err := CheckDecodeIDX(c.b, c.rank, c.first, c.n); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	if err := CheckDecodeIDX(good, IDXImages, 1, 1); err != nil {
		t.Error(err)
	}
}

// TestINPUT_LIMIT_IDX: a gzipped IDX file over limits.IDX is refused from
// its size, and one whose gzip stream holds an images header declaring a
// billion images is read only as far as the records asked for.
func TestINPUT_LIMIT_IDX(t *testing.T) {
	dir := t.TempDir()
	big, err := os.Create(filepath.Join(dir, imagesFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Truncate(limits.IDX + 1); err != nil {
		t.Fatal(err)
	}
	big.Close()
	var tl *limits.TooLargeError
	if _, err := readIDX(big.Name(), IDXImages, 0, 1); !stderrors.As(err, &tl) || tl.Size != limits.IDX+1 {
		t.Fatalf("a %d-byte file: %v, want a *limits.TooLargeError", limits.IDX+1, err)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(idxImages(1<<30, Side, Side, 0))
	for range 64 {
		w.Write(make([]byte, 1<<20)) // 64 MiB of pixels in 64 KiB of gzip
	}
	w.Close()
	path := filepath.Join(dir, "bomb.gz")
	if err := os.WriteFile(path, z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	var out []byte
	alloc := alloc.Bytes(func() { out, err = readIDX(path, IDXImages, 2, 1) })
	if err != nil || len(out) != Side*Side {
		t.Fatalf("image 2 of a gzip bomb: %d bytes, %v", len(out), err)
	}
	if alloc > 1<<20 {
		t.Fatalf("reading image 2 allocated %d bytes, want under 1 MiB", alloc)
	}
}
