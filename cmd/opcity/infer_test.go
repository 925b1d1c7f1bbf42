package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml/mnist"
)

const (
	mlpModel  = "../../models/mnist/mlp.opml"
	mnistData = "../../models/mnist"
)

// TestCLI_INFER_TestImage: image 0 of the MNIST test set is a 7; the JSON has
// the prediction, the label, the graph root and one commitment per node.
func TestCLI_INFER_TestImage(t *testing.T) {
	code, out, errOut := run("infer", "--model", mlpModel, "--data", mnistData, "--image", "0", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res inferResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Prediction != 7 || res.Label == nil || *res.Label != 7 || len(res.Commitments) == 0 || !strings.HasPrefix(res.GraphRoot, "0x") {
		t.Fatalf("result %+v", res)
	}
}

// TestCLI_INFER_PGM: a PGM file of the same pixels gives the same commitments.
func TestCLI_INFER_PGM(t *testing.T) {
	px, _, err := mnist.TestImage(mnistData, 0)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "seven.pgm")
	_ = os.WriteFile(path, append([]byte("P5\n28 28\n255\n"), px...), 0o644)
	_, fromFile, _ := run("infer", "--model", mlpModel, "--image", path, "--json")
	_, fromSet, _ := run("infer", "--model", mlpModel, "--data", mnistData, "--image", "0", "--json")
	var a, b inferResult
	_ = json.Unmarshal([]byte(fromFile), &a)
	_ = json.Unmarshal([]byte(fromSet), &b)
	if a.GraphRoot == "" || a.GraphRoot != b.GraphRoot || a.Prediction != b.Prediction {
		t.Fatalf("PGM %+v, test set %+v", a, b)
	}
}

func TestCLI_INFER_BadInput(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "x.pgm")
	_ = os.WriteFile(bad, []byte("P5\n27 28\n255\n"), 0o644)
	for name, args := range map[string][]string{
		"image out of range": {"infer", "--model", mlpModel, "--data", mnistData, "--image", "10000"},
		"wrong size PGM":     {"infer", "--model", mlpModel, "--image", bad},
		"missing model":      {"infer", "--model", "/nope.opml", "--image", "0"},
		"no image":           {"infer", "--model", mlpModel},
	} {
		t.Run(name, func(t *testing.T) {
			if code, _, errOut := run(args...); code != exitBadInput || errOut == "" {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
		})
	}
}
