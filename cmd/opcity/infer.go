package main

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/predict"
)

// inferResult is the --json output of `opcity infer`.
type inferResult struct {
	Model     string `json:"model"`
	ModelHash string `json:"model_hash"`
	Image     string `json:"image"`
	Label     *int   `json:"label,omitempty"`
	// Prediction is the class, for a model whose last output is a
	// one-element ArgMax; otherwise NoPrediction says what it is instead.
	Prediction   *int     `json:"prediction,omitempty"`
	NoPrediction string   `json:"no_prediction,omitempty"`
	Initial      string   `json:"initial_graph_root"`
	GraphRoot    string   `json:"graph_root"`
	Commitments  []string `json:"node_outputs"`
}

// inferCommand: opcity infer (commands.go).
// It runs the integer executor natively and prints the prediction and the
// graph's commitments (docs/opml.md §6).
func inferCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("infer", stderr)
	model := fs.String("model", filepath.Join("models", "mnist", "mlp.opml"), "model file (opml format)")
	data := fs.String("data", filepath.Join("models", "mnist"), "folder with the MNIST test set (t10k-*.gz)")
	img := fs.String("image", "", "test image number 0-9999, or a 28x28 grayscale PGM or PNG file")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if *img == "" || fs.NArg() != 0 {
		return badUsage("infer", fmt.Errorf("want --image N|FILE and no arguments"), stderr)
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
	res.writeText(stdout)
	return exitOK
}

// writeText prints the result as lines: the prediction (or why there is
// none), the model, the graph root and every node's output commitment.
func (res inferResult) writeText(w io.Writer) {
	if res.Prediction != nil {
		fmt.Fprintf(w, "prediction %d", *res.Prediction)
	} else {
		fmt.Fprintf(w, "no prediction: %s", res.NoPrediction)
	}
	if res.Label != nil {
		fmt.Fprintf(w, " (label %d)", *res.Label)
	}
	fmt.Fprintf(w, "\nmodel %s %s\ngraph root %s\n", res.Model, res.ModelHash, res.GraphRoot)
	for k, c := range res.Commitments {
		fmt.Fprintf(w, "node %d output %s\n", k, c)
	}
}

func infer(modelPath, dataDir, imageArg string) (inferResult, error) {
	raw, err := limits.ReadFile(modelPath, limits.Model)
	if err != nil {
		return inferResult{}, err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return inferResult{}, fmt.Errorf("%s: %v", modelPath, err)
	}
	pixels, label, err := mnist.Load(dataDir, imageArg)
	if err != nil {
		return inferResult{}, err
	}
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return inferResult{}, err
	}
	tr, err := e.Trace(mnist.Input(pixels))
	if err != nil {
		return inferResult{}, fmt.Errorf("%s: %v", modelPath, err)
	}
	res := inferResult{Model: modelPath, ModelHash: m.Hash().String(), Image: imageArg, Label: label, Initial: tr.Initial.String()}
	if class, ok, why := predict.Class(m, tr.Outputs); ok {
		res.Prediction = new(int(class))
	} else {
		res.NoPrediction = why
	}
	for _, st := range tr.States {
		res.Commitments = append(res.Commitments, st.Output.String())
		res.GraphRoot = st.Root.String()
	}
	return res, nil
}
