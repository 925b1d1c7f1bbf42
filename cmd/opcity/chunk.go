package main

import (
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/chunk"
	"github.com/opcity-spec/opcity/opml/nodevm"
)

// chunkResult is the --json output of `opcity chunk`.
type chunkResult struct {
	Model     string       `json:"model"`
	Out       string       `json:"out"`
	MaxSteps  uint64       `json:"max_steps"`
	Nodes     int          `json:"nodes"`     // the input model's
	OutNodes  int          `json:"out_nodes"` // the written model's
	Split     []chunkSplit `json:"split"`     // the input's nodes over the bound, each split
	Largest   uint64       `json:"largest_estimate"`
	ModelHash string       `json:"out_model_hash"`
}

// chunkSplit is one node of the input over the bound.
type chunkSplit struct {
	Node     int    `json:"node"`
	Op       string `json:"op"`
	Estimate uint64 `json:"estimate"`
}

// chunkCommand: opcity chunk (commands.go). It splits the nodes of the
// model whose estimated VM steps exceed --max-steps (opml/chunk,
// docs/opml.md §7.8) and writes the rewritten model, complete or not at
// all (format.WriteFile).
func chunkCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("chunk", stderr)
	model := fs.String("model", "", "model file to split (opml format)")
	out := fs.String("out", "", "file to write the rewritten model to (written whole, or left as it was)")
	var maxSteps uint64
	uintVar(fs, &maxSteps, "max-steps", nodevm.MaxSteps, nodevm.EstimateFixed, nodevm.MaxSteps, "the most estimated VM steps of any node (docs/opml.md §7.6); the default is the longest phase-3 trace")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if *model == "" || *out == "" || fs.NArg() != 0 {
		return badUsage("chunk", fmt.Errorf("want --model IN, --out OUT and no arguments"), stderr)
	}
	res, code, err := runChunk(*model, *out, maxSteps)
	if err != nil {
		fmt.Fprintln(stderr, "opcity chunk:", err)
		return code
	}
	if *asJSON {
		writeJSON(stdout, res)
		return exitOK
	}
	fmt.Fprintf(stdout, "%s: %d nodes, %d over the bound of %d steps\nwrote %s: %d nodes, the largest estimate %d steps, model hash %s\n",
		res.Model, res.Nodes, len(res.Split), res.MaxSteps, res.Out, res.OutNodes, res.Largest, res.ModelHash)
	for _, s := range res.Split {
		fmt.Fprintf(stdout, "split node %d (%s): about %d steps\n", s.Node, s.Op, s.Estimate)
	}
	return exitOK
}

// runChunk reads and splits the model and writes it; on an error it
// returns the exit status: 2 for unreadable or unwritable files and
// malformed models, 1 for a model the rewrite refuses.
func runChunk(modelPath, outPath string, maxSteps uint64) (chunkResult, int, error) {
	if err := format.CheckWritable(outPath); err != nil {
		return chunkResult{}, exitBadInput, err
	}
	raw, err := limits.ReadFile(modelPath, limits.Model)
	if err != nil {
		return chunkResult{}, exitBadInput, err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return chunkResult{}, exitBadInput, fmt.Errorf("%s: %v", modelPath, err)
	}
	split, err := chunk.Split(m, maxSteps)
	if err != nil {
		return chunkResult{}, exitRejected, fmt.Errorf("%s: %v", modelPath, err)
	}
	if err := format.WriteFile(outPath, opml.Encode(split)); err != nil {
		return chunkResult{}, exitBadInput, err
	}
	return summarize(m, split, modelPath, outPath, maxSteps), exitOK, nil
}

// summarize describes the rewrite of m into split.
func summarize(m, split opml.Model, modelPath, outPath string, maxSteps uint64) chunkResult {
	res := chunkResult{Model: modelPath, Out: outPath, MaxSteps: maxSteps, Nodes: len(m.Nodes), OutNodes: len(split.Nodes),
		Split: []chunkSplit{}, ModelHash: split.Hash().String()}
	for k, n := range m.Nodes {
		if est := nodevm.EstimateSteps(m, k); est > maxSteps {
			res.Split = append(res.Split, chunkSplit{Node: k, Op: n.Op.String(), Estimate: est})
		}
	}
	for k := range split.Nodes {
		res.Largest = max(res.Largest, nodevm.EstimateSteps(split, k))
	}
	return res
}
