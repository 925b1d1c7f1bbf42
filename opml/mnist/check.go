package mnist

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/png"
	"io"
)

// CheckParsePGM is the property behind the fuzz target FuzzParsePGM
// (requirements IMG-HEADER-FIRST, IMG-PGM-COMMENT): for any bytes raw,
// ParsePGM either fails or returns the 784 bytes that end raw, and those
// pixels under the plainest header ("P5\n28 28\n255\n") parse to the same.
func CheckParsePGM(raw []byte) error {
	px, err := ParsePGM(raw)
	if err != nil {
		return nil
	}
	if len(px) != Side*Side || !bytes.Equal(px, raw[len(raw)-Side*Side:]) {
		return fmt.Errorf("IMG-PGM: accepted %d bytes, returned %d pixels that are not the file's last %d bytes", len(raw), len(px), Side*Side)
	}
	again, err := ParsePGM(append([]byte("P5\n28 28\n255\n"), px...))
	if err != nil || !bytes.Equal(again, px) {
		return fmt.Errorf("IMG-PGM: the pixels under a plain header: %v", err)
	}
	return nil
}

// CheckParsePNG is the property behind the fuzz target FuzzParsePNG
// (requirement IMG-HEADER-FIRST): for any bytes raw, ParsePNG fails on a
// PNG whose header declares other dimensions than 28×28, and anything it
// accepts has a 28×28 header and gives 784 pixels, which encoded as an
// 8-bit grayscale PNG parse back to themselves.
func CheckParsePNG(raw []byte) error {
	px, err := ParsePNG(raw)
	cfg, cfgErr := png.DecodeConfig(bytes.NewReader(raw))
	if cfgErr == nil && (cfg.Width != Side || cfg.Height != Side) && err == nil {
		return fmt.Errorf("IMG-HEADER-FIRST: a %dx%d PNG was accepted", cfg.Width, cfg.Height)
	}
	if err != nil {
		return nil
	}
	if cfgErr != nil || len(px) != Side*Side {
		return fmt.Errorf("IMG-PNG: accepted with header %v (%v) and %d pixels", cfg, cfgErr, len(px))
	}
	var b bytes.Buffer
	if err := png.Encode(&b, &image.Gray{Pix: px, Stride: Side, Rect: image.Rect(0, 0, Side, Side)}); err != nil {
		return err
	}
	again, err := ParsePNG(b.Bytes())
	if err != nil || !bytes.Equal(again, px) {
		return fmt.Errorf("IMG-PNG: the pixels re-encoded as a gray PNG parse to other pixels (%v)", err)
	}
	return nil
}

// CheckDecodeIDX is the property behind the fuzz target FuzzDecodeIDX
// (requirement IDX-HEADER): for any bytes b, DecodeIDX(b, rank, first, n)
// reads no further than the header and records [0, first+n); when it
// accepts, the header is valid and the records are b's bytes.
func CheckDecodeIDX(b []byte, rank, first, n int) error {
	r := &countingReader{r: bytes.NewReader(b)}
	out, err := DecodeIDX(r, rank, first, n)
	if err != nil && r.n == 0 {
		return nil // refused from its arguments
	}
	size, head := 1, 4*(rank+1)
	if rank == IDXImages {
		size = Side * Side
	}
	if bound := head + (first+n)*size; r.n > bound {
		return fmt.Errorf("IDX-HEADER: read %d bytes for records [%d, %d) of rank %d, at most %d", r.n, first, first+n, rank, bound)
	}
	if err != nil {
		return nil
	}
	be := binary.BigEndian
	switch {
	case be.Uint32(b) != 0x800+uint32(rank) || int(be.Uint32(b[4:])) < first+n:
		return fmt.Errorf("IDX-HEADER: accepted magic %#x, count %d", be.Uint32(b), be.Uint32(b[4:]))
	case rank == IDXImages && (be.Uint32(b[8:]) != Side || be.Uint32(b[12:]) != Side):
		return fmt.Errorf("IDX-HEADER: accepted %dx%d images", be.Uint32(b[12:]), be.Uint32(b[8:]))
	case !bytes.Equal(out, b[head+first*size:head+(first+n)*size]):
		return fmt.Errorf("IDX-HEADER: records [%d, %d) are not the file's bytes", first, first+n)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
