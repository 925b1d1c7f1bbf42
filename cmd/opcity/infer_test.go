package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
)

const (
	mlpModel  = "../../models/mnist/mlp.opml"
	vitModel  = "../../models/mnist/vit.opml"
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
	if res.Prediction == nil || *res.Prediction != 7 || res.NoPrediction != "" || res.Label == nil || *res.Label != 7 || len(res.Commitments) == 0 || !strings.HasPrefix(res.GraphRoot, "0x") {
		t.Fatalf("result %+v", res)
	}
}

// TestCLI_INFER_ViT: the vision transformer (models/mnist/vit.opml, issue 18
// item 2) goes through the same command: on test image 0 (a 7) it prints
// the prediction 7 and one commitment per node.
func TestCLI_INFER_ViT(t *testing.T) {
	raw, err := os.ReadFile(vitModel)
	if err != nil {
		t.Fatal(err)
	}
	m, err := opml.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run("infer", "--model", vitModel, "--data", mnistData, "--image", "0", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var res inferResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Prediction == nil || *res.Prediction != 7 || res.Label == nil || *res.Label != 7 || len(res.Commitments) != len(m.Nodes) {
		t.Fatalf("result %+v, want prediction 7 and %d commitments", res, len(m.Nodes))
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
	if a.GraphRoot == "" || a.GraphRoot != b.GraphRoot || a.Prediction == nil || b.Prediction == nil || *a.Prediction != *b.Prediction {
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

// TestCLI_INFER_NO_PREDICTION: a model whose last node is not an ArgMax (a
// FullyConnected layer over the 784 pixels, and an ArgMax over two rows)
// has no prediction: infer exits 0 with its commitments, prints "no
// prediction" and why, and its JSON has no prediction field (it used to
// print a nonsense class, or panic).
func TestCLI_INFER_NO_PREDICTION(t *testing.T) {
	fc := &opml.Builder{}
	w := fc.Int8Const([]int{10, 784}, opml.Quant{}, make([]int8, 7840))
	bias := fc.Int32Const([]int{10}, opml.Fixed{}, make([]int32, 10))
	x := fc.Input(opml.Int8, []int{1, 784}, opml.Quant{})
	lastFC, err := fc.Build(fc.FC(x, w, bias, opml.Fixed{Mult: 1 << 30}, opml.Quant{}))
	if err != nil {
		t.Fatal(err)
	}
	rows := &opml.Builder{}
	twoRows, err := rows.Build(rows.ArgMax(rows.Reshape(rows.Input(opml.Int8, []int{1, 784}, opml.Quant{}), []int{2, 392})))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		m    opml.Model
		want string
	}{"FC last": {lastFC, "FullyConnected"}, "ArgMax of two rows": {twoRows, "2 elements"}} {
		path := filepath.Join(t.TempDir(), "m.opml")
		_ = os.WriteFile(path, opml.Encode(c.m), 0o644)
		code, out, errOut := run("infer", "--model", path, "--data", mnistData, "--image", "0", "--json")
		var res map[string]any
		if err := json.Unmarshal([]byte(out), &res); err != nil || code != exitOK {
			t.Fatalf("%s: exit %d, %q %q", name, code, out, errOut)
		}
		if _, has := res["prediction"]; has || !strings.Contains(fmt.Sprint(res["no_prediction"]), c.want) || len(res["node_outputs"].([]any)) != len(c.m.Nodes) {
			t.Errorf("%s: JSON %v, want no prediction, a reason naming %q and every commitment", name, res, c.want)
		}
		code, out, _ = run("infer", "--model", path, "--data", mnistData, "--image", "0")
		if code != exitOK || !strings.HasPrefix(out, "no prediction: ") || !strings.Contains(out, "(label 7)") {
			t.Errorf("%s: exit %d, %q", name, code, out)
		}
	}
}
