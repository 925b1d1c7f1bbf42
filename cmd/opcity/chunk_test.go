package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

const cnnModel = "../../models/mnist/cnn.opml"

// TestCLI_CHUNK: `opcity chunk` splits the CNN under 2^24 steps (its
// Conv2D and its first FullyConnected) into a model every node of which is
// within the bound and which predicts what the CNN predicts on the first
// 20 test images with the same output bytes, prints that in text and
// JSON, and exits 0; the MLP under the default bound (2^32) is written
// unchanged. A CNN under 6,000,000 steps is refused (exit 1, one line on
// stderr naming node 0 and its Concat) and OUT keeps its old content; a
// directory as OUT and a missing --out are exit 2 before any work.
func TestCLI_CHUNK(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "cnn-chunked.opml")
	code, stdout, stderr := run("chunk", "--model", cnnModel, "--out", out, "--max-steps", "16777216", "--json")
	var res chunkResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || code != exitOK || stderr != "" {
		t.Fatalf("exit %d, %v, stdout %q, stderr %q", code, err, stdout, stderr)
	}
	if res.Nodes != 8 || res.OutNodes <= 8 || len(res.Split) != 2 || res.Split[0].Node != 0 || res.Split[1].Node != 4 || res.Largest > 1<<24 {
		t.Errorf("result %+v", res)
	}
	orig, split := readModel(t, cnnModel), readModel(t, out)
	if err := nodevm.ValidateSteps(split, 1<<24); err != nil || split.Hash().String() != res.ModelHash {
		t.Errorf("written model: %v, hash %s, printed %s", err, split.Hash(), res.ModelHash)
	}
	sameOutputs(t, orig, split, 20)
	if code, stdout, _ := run("chunk", "--model", cnnModel, "--out", out, "--max-steps", "16777216"); code != exitOK || !strings.Contains(stdout, "split node 4 (FullyConnected)") {
		t.Errorf("text: exit %d, %q", code, stdout)
	}
	mlpOut := filepath.Join(dir, "mlp.opml")
	if code, _, stderr := run("chunk", "--model", mlpModel, "--out", mlpOut); code != exitOK || !bytes.Equal(readFile(t, mlpOut), readFile(t, mlpModel)) {
		t.Errorf("mlp at 2^32: exit %d, stderr %q, or changed", code, stderr)
	}
	old := []byte("old content")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = run("chunk", "--model", cnnModel, "--out", out, "--max-steps", "6000000")
	if code != exitRejected || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "node 0 (Conv2D)") || !strings.Contains(stderr, "Concat") {
		t.Errorf("at 6,000,000: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !bytes.Equal(readFile(t, out), old) {
		t.Errorf("a refused rewrite changed OUT")
	}
	for _, args := range [][]string{{"chunk", "--model", cnnModel, "--out", dir}, {"chunk", "--model", cnnModel}} {
		if code, stdout, stderr := run(args...); code != exitBadInput || stdout != "" || strings.Count(stderr, "\n") != 1 {
			t.Errorf("opcity %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, stdout, stderr)
		}
	}
}

// sameOutputs runs a and b on the first n MNIST test images and fails
// unless their model outputs hold the same bytes.
func sameOutputs(t *testing.T, a, b opml.Model, n int) {
	t.Helper()
	images, _, err := mnist.TestSet(mnistData, n)
	if err != nil {
		t.Fatal(err)
	}
	ea, err1 := opml.NewExecutor(a, 1)
	eb, err2 := opml.NewExecutor(b, 1)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	for i, px := range images {
		oa, err1 := ea.Infer(mnist.Input(px))
		ob, err2 := eb.Infer(mnist.Input(px))
		if err1 != nil || err2 != nil || len(oa) != len(ob) {
			t.Fatalf("image %d: %v, %v", i, err1, err2)
		}
		for j := range oa {
			if len(oa[j].Data) == 0 || !bytes.Equal(oa[j].Data, ob[j].Data) {
				t.Errorf("image %d: output %d differs", i, j)
			}
		}
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readModel(t *testing.T, path string) opml.Model {
	t.Helper()
	m, err := opml.Decode(readFile(t, path))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
