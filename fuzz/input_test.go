package fuzz

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
)

// encodePNG returns im as a PNG.
func encodePNG(im image.Image) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, im); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// FuzzParsePNG: mnist.ParsePNG on arbitrary bytes never panics, refuses a
// PNG whose header declares other dimensions than 28×28 (before decoding
// it), and what it accepts is 28×28 and gives 784 pixels that round-trip
// through a gray PNG (IMG-HEADER-FIRST). The check is mnist.CheckParsePNG.
func FuzzParsePNG(f *testing.F) {
	rect := image.Rect(0, 0, mnist.Side, mnist.Side)
	gray := image.NewGray(rect)
	rgba := image.NewRGBA(rect)
	for i := range gray.Pix {
		gray.Pix[i] = byte(i)
		rgba.Set(i%mnist.Side, i/mnist.Side, color.RGBA{byte(i), byte(3 * i), byte(7 * i), 255})
	}
	good := encodePNG(gray)
	f.Add(good)                                               // a valid 28×28 gray PNG
	f.Add(encodePNG(rgba))                                    // a valid 28×28 RGBA PNG: converted to gray
	f.Add(encodePNG(image.NewGray(image.Rect(0, 0, 27, 28)))) // one column short: refused from the header
	f.Add(good[:len(good)/2])                                 // cut inside the image data
	big := bytes.Clone(good[:33])                             // signature and IHDR alone, then the header made 36000×36000
	binary.BigEndian.PutUint32(big[16:], 36000)
	binary.BigEndian.PutUint32(big[20:], 36000)
	binary.BigEndian.PutUint32(big[29:], crc32.ChecksumIEEE(big[12:29]))
	f.Add(append(big, good[33:]...)) // the 36000×36000 header over 28×28 data
	f.Add([]byte{})                  // nothing
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := mnist.CheckParsePNG(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzParsePGM: mnist.ParsePGM on arbitrary bytes never panics, and what
// it accepts is a 28×28 maxval-255 P5 image whose 784 pixels end the file
// (IMG-HEADER-FIRST, IMG-PGM-COMMENT). The check is mnist.CheckParsePGM.
func FuzzParsePGM(f *testing.F) {
	px := make([]byte, mnist.Side*mnist.Side)
	for i := range px {
		px[i] = byte(i * 5)
	}
	f.Add(append([]byte("P5\n28 28\n255\n"), px...))                               // the plainest valid PGM
	f.Add(append([]byte("P5 # c\n28#w\n28\n#m\n255#end\n"), px...))                // comments everywhere Netpbm allows them
	f.Add(append([]byte("P5\r\n28\t28\r\n255\r"), px...))                          // CR, LF and tab as whitespace
	f.Add(append([]byte("P5\n36000 36000\n255\n"), px...))                         // the wrong size: refused from the header
	f.Add(append([]byte("P5\n28 28\n65535\n"), append(bytes.Clone(px), px...)...)) // 16-bit maxval: refused
	f.Add([]byte("P5\n28 28\n255\n"))                                              // the header alone
	f.Add([]byte("P2\n28 28\n255\n0 0 0"))                                         // plain (ASCII) PGM: not read
	f.Fuzz(func(t *testing.T, raw []byte) {
		if err := mnist.CheckParsePGM(raw); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecodeIDX: mnist.DecodeIDX on arbitrary bytes and record ranges never
// panics, reads no further than the last record asked for, and accepts only
// a valid header, returning the file's bytes (IDX-HEADER). The check is
// mnist.CheckDecodeIDX; rank is 1 (labels) for an even r, 3 (images) for
// an odd one.
func FuzzDecodeIDX(f *testing.F) {
	images := binary.BigEndian.AppendUint32(nil, 0x803)
	for _, v := range []uint32{2, 28, 28} {
		images = binary.BigEndian.AppendUint32(images, v)
	}
	images = append(images, bytes.Repeat([]byte{1, 2, 3, 4}, 2*28*28/4)...)
	labels := append(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 0x801), 3), 7, 2, 1)
	f.Add(images, byte(1), uint16(1), uint16(1))         // image 1 of 2
	f.Add(images, byte(1), uint16(0), uint16(3))         // three images of a file of two: refused from the count
	f.Add(images[:100], byte(1), uint16(0), uint16(1))   // cut inside image 0
	f.Add(labels, byte(0), uint16(0), uint16(3))         // all three labels
	f.Add(labels, byte(1), uint16(0), uint16(1))         // a labels file read as images: wrong magic
	f.Add([]byte{}, byte(0), uint16(0), uint16(0))       // nothing, and no records asked for
	f.Add(images, byte(1), uint16(65535), uint16(65535)) // a range past the test set: refused from the arguments
	f.Fuzz(func(t *testing.T, b []byte, r byte, first, n uint16) {
		rank := mnist.IDXLabels
		if r%2 == 1 {
			rank = mnist.IDXImages
		}
		if err := mnist.CheckDecodeIDX(b, rank, int(first), int(n)); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzReadSnapshotFile: format.ReadSnapshotFile on a file of arbitrary
// bytes never panics, and accepts exactly the files DecodeSnapshot accepts,
// to the same state, also when the bytes come as a stream of unknown size
// (SNAP-READ-BOUNDED). The check is format.CheckReadSnapshotFile.
func FuzzReadSnapshotFile(f *testing.F) {
	s := state.NewInitial(0x1000, 0x2000_0000)
	s.Memory = memory.Memory{}.SetBytes(0x1000, []byte{0x24, 0x02, 0x0f, 0xa1}).SetBytes(0x7fff_f000, []byte{7})
	s.LastHint = []byte{0, 0, 0, 2, 'h'}
	good, err := format.EncodeSnapshot(s)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)                         // a valid snapshot: one thread, two pages, a hint
	f.Add(good[:len(good)-1])           // one byte short: the counts declare more
	f.Add(append(bytes.Clone(good), 0)) // one byte more: trailing
	f.Add(good[:16])                    // the header alone
	f.Add([]byte("OPCSNAP\x01"))        // a wrong magic, shorter than a header
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		if err := format.CheckReadSnapshotFile(dir, b); err != nil {
			t.Fatal(err)
		}
		// The same bytes with a correct checksum, so that the counts and
		// fields, not only the checksum, decide.
		if len(b) >= 32 {
			sealed := bytes.Clone(b)
			sum := sha256.Sum256(sealed[:len(sealed)-32])
			copy(sealed[len(sealed)-32:], sum[:])
			if err := format.CheckReadSnapshotFile(dir, sealed); err != nil {
				t.Fatal(err)
			}
		}
	})
}
