package main

import (
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec/memory"
)

// nodeResult is the --json output of `opcity node`.
type nodeResult struct {
	Model      string  `json:"model"`
	Image      string  `json:"image"`
	Node       int     `json:"node"`
	Op         string  `json:"op"`
	Claim      string  `json:"claim"`
	Verdict    string  `json:"verdict"` // "claim right", "claim wrong" or "bad input"
	ExitCode   uint8   `json:"exit_code"`
	Steps      uint64  `json:"steps"`
	Output     string  `json:"output"` // the commitment the VM computed
	Native     string  `json:"native_output"`
	StateHash  string  `json:"state_hash"`
	Seconds    float64 `json:"seconds"`
	StepsPerS  float64 `json:"steps_per_second"`
	Descriptor string  `json:"descriptor_keccak256"`
}

// nodeCommand: opcity node [--model M] [--data DIR] [--root REPO] --image N|FILE --node K [--claim 0x..] [--json].
// It runs node K of the model inside the VM (the node program of
// docs/opml.md §7, built from REPO) on the image's tensors, with the claim
// (by default the native executor's commitment), and prints the verdict.
// Exit status: 0 the VM accepted the claim, 1 it rejected it, 2 bad input,
// 3 the VM could not run the program to its end.
func nodeCommand(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("node", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", filepath.Join("models", "mnist", "mlp.opml"), "model file (opml format)")
	data := fs.String("data", filepath.Join("models", "mnist"), "folder with the MNIST test set (t10k-*.gz)")
	root := fs.String("root", ".", "repository root, where the node program is built from")
	img := fs.String("image", "", "test image number 0-9999, or a 28x28 grayscale PGM or PNG file")
	node := fs.Int("node", -1, "node index k (0 is the first node)")
	claimArg := fs.String("claim", "", "claimed output commitment, 0x followed by 64 hex digits (default: the native executor's)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	const use = "opcity node: usage: opcity node [--model M] [--data DIR] [--root REPO] --image N|FILE --node K [--claim 0x..] [--json]"
	if err := fs.Parse(reorderFlags(args)); err != nil || *img == "" || *node < 0 || fs.NArg() != 0 {
		fmt.Fprintln(stderr, use)
		return exitBadInput
	}
	job, err := prepareNode(*model, *data, *img, *node, *claimArg)
	if err != nil {
		fmt.Fprintln(stderr, "opcity node:", err)
		return exitBadInput
	}
	dir, err := os.MkdirTemp("", "opcity-node")
	if err != nil {
		fmt.Fprintln(stderr, "opcity node:", err)
		return exitBadInput
	}
	defer os.RemoveAll(dir)
	prog, err := nodevm.Build(*root, nodevm.NodeProgram, dir)
	if err != nil {
		fmt.Fprintf(stderr, "opcity node: %v\n(run it from the repository root, or give --root)\n", err)
		return exitBadInput
	}
	start := time.Now()
	mc := &nodevm.Machine{State: prog}
	runErr := mc.Run(nodevm.WithClaim(job.oracle, job.claim), 1<<40)
	res := job.result
	res.Seconds = time.Since(start).Seconds()
	res.Steps, res.ExitCode, res.StateHash = mc.Steps, mc.State.ExitCode, mc.State.Hash().String()
	res.StepsPerS = float64(mc.Steps) / max(res.Seconds, 1e-9)
	if out, ok := mc.Output(); ok {
		res.Output = out.String()
	}
	code := exitOK
	switch {
	case runErr != nil:
		res.Verdict, code = "no verdict: "+runErr.Error(), exitStepFail
	case mc.State.ExitCode == 0:
		res.Verdict = "claim right"
	case mc.State.ExitCode == 1:
		res.Verdict, code = "claim wrong", exitRejected
	default:
		res.Verdict, code = fmt.Sprintf("bad input (program exit %d)", mc.State.ExitCode), exitStepFail
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		_ = enc.Encode(res)
		return code
	}
	fmt.Fprintf(stdout, "node %d (%s) of %s on image %s\nclaim   %s\noutput  %s (computed in the VM)\nnative  %s\nverdict %s (program exit %d)\nsteps   %d in %.2fs (%.2fM steps/s)\nstate   %s\n",
		res.Node, res.Op, res.Model, res.Image, res.Claim, res.Output, res.Native, res.Verdict, res.ExitCode, res.Steps, res.Seconds, res.StepsPerS/1e6, res.StateHash)
	return code
}

// nodeJob is a node program run, prepared: its oracle without the claim,
// the claim, and the fields of the result known before the run.
type nodeJob struct {
	oracle map[[32]byte][]byte
	claim  memory.Hash
	result nodeResult
}

// prepareNode runs the model natively on the image, builds node k's
// descriptor and oracle, and parses the claim (default: the native output).
func prepareNode(modelPath, dataDir, imageArg string, k int, claimArg string) (nodeJob, error) {
	raw, err := os.ReadFile(modelPath)
	if err != nil {
		return nodeJob{}, err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return nodeJob{}, fmt.Errorf("%s: %v", modelPath, err)
	}
	if k >= len(m.Nodes) {
		return nodeJob{}, fmt.Errorf("--node %d: %s has nodes 0-%d", k, modelPath, len(m.Nodes)-1)
	}
	pixels, _, err := mnist.Load(dataDir, imageArg)
	if err != nil {
		return nodeJob{}, err
	}
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return nodeJob{}, err
	}
	in := mnist.Input(pixels)
	tensors, err := e.Tensors(in)
	if err != nil {
		return nodeJob{}, fmt.Errorf("%s: %v", modelPath, err)
	}
	d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
	if err != nil {
		return nodeJob{}, err
	}
	native := opml.ComputeTensorRoot(tensors[m.Nodes[k].Output])
	claim := native
	if claimArg != "" {
		if claim, err = parseHash(claimArg); err != nil {
			return nodeJob{}, fmt.Errorf("--claim: %v", err)
		}
	}
	return nodeJob{
		oracle: nodevm.NodeData(d, ops),
		claim:  claim,
		result: nodeResult{Model: modelPath, Image: imageArg, Node: k, Op: m.Nodes[k].Op.String(),
			Claim: claim.String(), Native: native.String(), Descriptor: memory.Keccak256(d.Encode()).String()},
	}, nil
}

// parseHash reads 0x followed by 64 hex digits.
func parseHash(s string) (memory.Hash, error) {
	var h memory.Hash
	digits, ok := strings.CutPrefix(s, "0x")
	if !ok || len(digits) != 64 {
		return h, fmt.Errorf("%q is not 0x followed by 64 hex digits", s)
	}
	if _, err := hex.Decode(h[:], []byte(digits)); err != nil {
		return h, fmt.Errorf("%q: %v", s, err)
	}
	return h, nil
}
