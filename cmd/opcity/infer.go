package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/opcity-spec/opcity/opml"
)

// MNIST images are 28×28 grayscale.
const mnistSide = 28

// inferResult is the --json output of `opcity infer`.
type inferResult struct {
	Model       string   `json:"model"`
	ModelHash   string   `json:"model_hash"`
	Image       string   `json:"image"`
	Label       *int     `json:"label,omitempty"`
	Prediction  int      `json:"prediction"`
	Initial     string   `json:"initial_graph_root"`
	GraphRoot   string   `json:"graph_root"`
	Commitments []string `json:"node_outputs"`
}

// inferCommand: opcity infer [--model M] [--data DIR] --image N|FILE [--json].
// It runs the integer executor natively and prints the prediction and the
// graph's commitments (docs/opml.md §6).
func inferCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("infer", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", filepath.Join("models", "mnist", "mlp.opml"), "model file (opml format)")
	data := fs.String("data", filepath.Join("models", "mnist"), "folder with the MNIST test set (t10k-*.gz)")
	img := fs.String("image", "", "test image number 0-9999, or a 28x28 grayscale PGM or PNG file")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if err := fs.Parse(reorderFlags(args)); err != nil || *img == "" || fs.NArg() != 0 {
		fmt.Fprintln(stderr, "opcity infer: usage: opcity infer [--model M] [--data DIR] --image N|FILE [--json]")
		return exitBadInput
	}
	res, err := infer(*model, *data, *img)
	if err != nil {
		fmt.Fprintln(stderr, "opcity infer:", err)
		return exitBadInput
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return exitOK
	}
	fmt.Fprintf(stdout, "prediction %d", res.Prediction)
	if res.Label != nil {
		fmt.Fprintf(stdout, " (label %d)", *res.Label)
	}
	fmt.Fprintf(stdout, "\nmodel %s %s\ngraph root %s\n", res.Model, res.ModelHash, res.GraphRoot)
	for k, c := range res.Commitments {
		fmt.Fprintf(stdout, "node %d output %s\n", k, c)
	}
	return exitOK
}

func infer(modelPath, dataDir, imageArg string) (inferResult, error) {
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		return inferResult{}, err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return inferResult{}, fmt.Errorf("%s: %v", modelPath, err)
	}
	pixels, label, err := loadImage(dataDir, imageArg)
	if err != nil {
		return inferResult{}, err
	}
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return inferResult{}, err
	}
	tr, err := e.Trace(mnistInput(pixels))
	if err != nil {
		return inferResult{}, fmt.Errorf("%s: %v", modelPath, err)
	}
	res := inferResult{Model: modelPath, ModelHash: m.Hash().String(), Image: imageArg, Label: label, Initial: tr.Initial.String()}
	res.Prediction = int(tr.Outputs[len(tr.Outputs)-1].Int32s()[0])
	for _, st := range tr.States {
		res.Commitments = append(res.Commitments, st.Output.String())
		res.GraphRoot = st.Root.String()
	}
	return res, nil
}

// mnistInput is the model input of models/mnist: pixel p as int8(p − 128)
// (zero point −128, scale 1/255).
func mnistInput(pixels []byte) []byte {
	b := make([]byte, len(pixels))
	for i, p := range pixels {
		b[i] = byte(int8(int(p) - 128))
	}
	return b
}

// loadImage returns the 784 pixels of the N-th test image (and its label)
// or of a PGM/PNG file.
func loadImage(dataDir, arg string) ([]byte, *int, error) {
	if n, err := strconv.Atoi(arg); err == nil {
		return testImage(dataDir, n)
	}
	raw, err := os.ReadFile(arg)
	if err != nil {
		return nil, nil, err
	}
	if bytes.HasPrefix(raw, []byte("P5")) {
		px, err := parsePGM(raw)
		return px, nil, err
	}
	px, err := parsePNG(raw)
	return px, nil, err
}

// testImage reads image n and its label from the gzipped IDX files.
func testImage(dir string, n int) ([]byte, *int, error) {
	if n < 0 || n >= 10_000 {
		return nil, nil, fmt.Errorf("image %d: the test set has images 0-9999", n)
	}
	imgs, err := readIDX(filepath.Join(dir, "t10k-images-idx3-ubyte.gz"), 0x803, 16, n*mnistSide*mnistSide, mnistSide*mnistSide)
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

// parsePGM reads a binary (P5) 28×28 PGM with maxval 255.
func parsePGM(raw []byte) ([]byte, error) {
	var magic string
	var w, h, maxval int
	r := bytes.NewReader(raw)
	if _, err := fmt.Fscan(r, &magic, &w, &h, &maxval); err != nil || magic != "P5" {
		return nil, fmt.Errorf("PGM header: %v", err)
	}
	if w != mnistSide || h != mnistSide || maxval != 255 {
		return nil, fmt.Errorf("PGM is %dx%d with maxval %d, want 28x28 and 255", w, h, maxval)
	}
	// One whitespace byte ends the header; the pixels follow.
	if r.Len()-1 != mnistSide*mnistSide {
		return nil, fmt.Errorf("PGM: %d pixel bytes, want %d", max(r.Len()-1, 0), mnistSide*mnistSide)
	}
	return append([]byte(nil), raw[len(raw)-mnistSide*mnistSide:]...), nil
}

// parsePNG reads a 28×28 PNG as grayscale.
func parsePNG(raw []byte) ([]byte, error) {
	im, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("not a PGM (P5) or PNG image: %v", err)
	}
	b := im.Bounds()
	if b.Dx() != mnistSide || b.Dy() != mnistSide {
		return nil, fmt.Errorf("image is %dx%d, want 28x28", b.Dx(), b.Dy())
	}
	px := make([]byte, 0, mnistSide*mnistSide)
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
