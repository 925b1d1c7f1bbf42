package main

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/memory"
)

// nodeResult is the --json output of `opcity node`.
type nodeResult struct {
	Model    string `json:"model"`
	Image    string `json:"image"`
	Node     int    `json:"node"`
	Op       string `json:"op"`
	Profile  string `json:"profile"`
	Claim    string `json:"claim"`
	Verdict  string `json:"verdict"` // "claim right", "claim wrong" or "no verdict: ..."
	ExitCode uint8  `json:"exit_code"`
	// Steps counts the run from the node program's committed absolute
	// prestate (PrestateSteps steps after the program's load, the state
	// Prestate) to its exit, as docs/report.md counts them.
	Steps         uint64 `json:"steps"`
	PrestateSteps uint64 `json:"prestate_steps"`
	Prestate      string `json:"prestate"`
	Output        string `json:"output"` // the commitment the VM computed
	// OutputCommitment is Output under the name the dispute game uses.
	OutputCommitment string  `json:"output_commitment"`
	Native           string  `json:"native_output"`
	StateHash        string  `json:"state_hash"`
	Seconds          float64 `json:"seconds"`
	StepsPerS        float64 `json:"steps_per_second"`
	Descriptor       string  `json:"descriptor_keccak256"`
}

type nodeFlags struct {
	model, data, root, image, claim, profile string
	node                                     int
	json                                     bool
}

// nodeCommand: opcity node (commands.go). It runs node K of the model
// inside the VM (the node program of the profile, docs/opml.md §7, built
// from REPO) on the image's tensors with the claim (by default the native
// executor's commitment) and prints the verdict.
func nodeCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("node", stderr)
	var f nodeFlags
	fs.StringVar(&f.model, "model", filepath.Join("models", "mnist", "mlp.opml"), "model file (opml format)")
	fs.StringVar(&f.data, "data", filepath.Join("models", "mnist"), "folder with the MNIST test set (t10k-*.gz)")
	fs.StringVar(&f.root, "root", ".", "repository root, where the node program is built from")
	fs.StringVar(&f.profile, "profile", "base", play.ProfileUsage)
	fs.StringVar(&f.image, "image", "", "test image number 0-9999, or a 28x28 grayscale PGM or PNG file")
	intVar(fs, &f.node, "node", -1, 0, opml.MaxTensors-1, "node index k (0 is the first node; the model has fewer nodes than this limit)")
	fs.StringVar(&f.claim, "claim", "", "claimed output commitment, 0x followed by 64 hex digits (default: the native executor's)")
	fs.BoolVar(&f.json, "json", false, "print one JSON object")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if f.image == "" || f.node < 0 || fs.NArg() != 0 {
		return badUsage("node", fmt.Errorf("want --image N|FILE, --node K and no arguments"), stderr)
	}
	res, code, err := runNode(f)
	if err != nil {
		fmt.Fprintln(stderr, "opcity node:", err)
		return exitBadInput
	}
	if f.json {
		writeJSON(stdout, res)
		return code
	}
	fmt.Fprintf(stdout, "node %d (%s) of %s on image %s, %s profile\nclaim   %s\noutput  %s (computed in the VM)\nnative  %s\nverdict %s (program exit %d)\nsteps   %d from the absolute prestate %s (step %d) in %.2fs (%.2fM steps/s)\nstate   %s\n",
		res.Node, res.Op, res.Model, res.Image, res.Profile, res.Claim, res.Output, res.Native, res.Verdict, res.ExitCode, res.Steps, res.Prestate, res.PrestateSteps, res.Seconds, res.StepsPerS/1e6, res.StateHash)
	return code
}

// runNode prepares the job, builds the node program and runs it; it
// returns the result and the exit status of the verdict, or an input error.
func runNode(f nodeFlags) (nodeResult, int, error) {
	prof, err := play.ParseProfile(f.profile)
	if err != nil {
		return nodeResult{}, 0, err
	}
	job, res, err := prepareNode(f)
	if err != nil {
		return res, 0, err
	}
	prog, err := buildProgram(f.root, nodevm.Program(prof))
	if err != nil {
		return res, 0, err
	}
	claim, _ := parseHash(res.Claim)
	pre, err := prestateOf(prog, prof, &res)
	if err != nil {
		return res, 0, err
	}
	start := time.Now()
	mc := job.Machine(pre.State, prof)
	runErr := mc.Run(job.Data(claim), nodevm.MaxSteps-pre.Steps)
	res.Seconds = time.Since(start).Seconds()
	res.Steps, res.ExitCode, res.StateHash, res.StepsPerS = mc.Steps, mc.State.ExitCode, mc.State.Hash().String(), float64(mc.Steps)/max(res.Seconds, 1e-9)
	if out, ok := mc.Output(); ok {
		res.Output, res.OutputCommitment = out.String(), out.String()
	}
	switch nodevm.VerdictOf(mc, runErr) {
	case nodevm.ClaimRight:
		res.Verdict = "claim right"
		return res, exitOK, nil
	case nodevm.ClaimWrong:
		res.Verdict = "claim wrong"
		return res, exitRejected, nil
	}
	res.Verdict = fmt.Sprintf("no verdict (program exit %d)", mc.State.ExitCode)
	if runErr != nil {
		res.Verdict = "no verdict: " + runErr.Error()
	}
	return res, exitStepFail, nil
}

// prestateOf runs the node program prog of profile p to its committed
// absolute prestate (docs/opml.md §7.5) and records it in res.
func prestateOf(prog spec.State, p spec.Profile, res *nodeResult) (*nodevm.Machine, error) {
	pre := &nodevm.Machine{State: prog, Profile: p}
	if err := pre.RunToOracle(nodevm.MaxSteps); err != nil {
		return nil, fmt.Errorf("%s: running to its absolute prestate: %v", nodevm.Program(p), err)
	}
	res.PrestateSteps, res.Prestate = pre.Steps, pre.State.Hash().String()
	return pre, nil
}

// buildProgram builds the VM program pkg from the repository at root.
func buildProgram(root, pkg string) (prog spec.State, err error) {
	dir, err := os.MkdirTemp("", "opcity-node")
	if err != nil {
		return prog, err
	}
	defer os.RemoveAll(dir)
	prog, err = nodevm.Build(root, pkg, dir)
	if err != nil {
		return prog, fmt.Errorf("%v\n(run it from the repository root, or give --root)", err)
	}
	return prog, nil
}

// prepareNode reads the model and the image, prepares node k and parses
// the claim (default: the native output).
func prepareNode(f nodeFlags) (nodevm.Job, nodeResult, error) {
	raw, err := limits.ReadFile(f.model, limits.Model)
	if err != nil {
		return nodevm.Job{}, nodeResult{}, err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return nodevm.Job{}, nodeResult{}, fmt.Errorf("%s: %v", f.model, err)
	}
	if err := checkNodeBound(m, f.node); err != nil {
		return nodevm.Job{}, nodeResult{}, fmt.Errorf("%s: %v", f.model, err)
	}
	pixels, _, err := mnist.Load(f.data, f.image)
	if err != nil {
		return nodevm.Job{}, nodeResult{}, err
	}
	job, err := nodevm.NewJob(&m, mnist.Input(pixels), f.node)
	if err != nil {
		return job, nodeResult{}, fmt.Errorf("%s: --%v", f.model, err)
	}
	claim := job.Native
	if f.claim != "" {
		if claim, err = parseHash(f.claim); err != nil {
			return job, nodeResult{}, fmt.Errorf("--claim: %v", err)
		}
	}
	return job, nodeResult{Model: f.model, Image: f.image, Node: f.node, Op: m.Nodes[f.node].Op.String(), Profile: f.profile,
		Claim: claim.String(), Native: job.Native.String(), Descriptor: memory.Keccak256(job.Descriptor.Encode()).String()}, nil
}

// checkNodeBound refuses node k of m, before anything runs, when its
// estimated VM steps (nodevm.EstimateSteps) exceed the largest trace phase 3
// holds, nodevm.MaxSteps = 2^32: the *nodevm.StepBoundError of
// nodevm.CheckNodeSteps (requirements CLI-NODE-BOUND, OPML-NODE-WORK-BOUND).
// Only node k is checked, so the other nodes of a model that
// nodevm.ValidateSteps refuses can still be run. A k outside the model is
// left to nodevm.NewJob to report.
func checkNodeBound(m opml.Model, k int) error {
	if k < 0 || k >= len(m.Nodes) {
		return nil
	}
	return nodevm.CheckNodeSteps(m, k, nodevm.MaxSteps)
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

// writeJSON prints v as one indented JSON object.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
