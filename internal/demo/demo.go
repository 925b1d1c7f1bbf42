// Package demo is `make demo`: OPcity in three parts, each checked and
// each saying what it proved. (1) A MIPS64 program runs in the spec and
// fpvm in lockstep, and one of its steps is verified statelessly from its
// witness alone. (2) One MNIST inference runs natively, integer-only, and
// one of its nodes is recomputed inside the VM under the base and the
// OPcity profile, with the step counts side by side. (3) One three-phase
// dispute game is played in which a proposer's lie is defeated, ending in
// the step that spec.VerifyStep executes. Run returns an error when a part
// does not show what it says.
package demo

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/opcity-spec/opcity/internal/mipsbuild"
	"github.com/opcity-spec/opcity/internal/runner"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
	"github.com/opcity-spec/opcity/spec/transition"
)

// Options is one demo.
type Options struct {
	Root    string // the repository, where the guest programs are built from
	Image   int    // the MNIST test image of parts 2 and 3
	Node    int    // the MLP node part 2 recomputes in the VM
	LieNode int    // the MLP node whose output part 3's proposer lies about
}

// MLPNodes is the number of nodes of the bundled MLP the demo runs; its
// Node and LieNode are 0..MLPNodes-1.
const MLPNodes = 4

// Default is the bundled default: test image 0; part 2 recomputes the
// MLP's node 0 (FullyConnected 784→128, its longest), part 3's proposer
// lies about node 3 (ArgMax, the prediction).
var Default = Options{Root: ".", Image: 0, Node: 0, LieNode: 3}

// Run runs the three parts in order, writing each one's account to w.
func Run(w io.Writer, o Options) error {
	dir, err := os.MkdirTemp("", "opcity-demo")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for i, part := range []func(io.Writer, Options, string) error{lockstep, inference, game} {
		if err := part(w, o, dir); err != nil {
			return fmt.Errorf("part %d: %w", i+1, err)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "all three parts checked.")
	return nil
}

// lockstep is part 1: examples/hello in the spec and fpvm in lockstep,
// then one step from the middle of the run verified from its witness.
func lockstep(w io.Writer, o Options, dir string) error {
	fmt.Fprintln(w, "1. Cannon's MIPS64 VM: examples/hello in the spec and fpvm, in lockstep")
	elf, err := mipsbuild.Build(o.Root, "./examples/hello", dir)
	if err != nil {
		return err
	}
	pre, err := program.Load(elf)
	if err != nil {
		return err
	}
	var out bytes.Buffer
	res, err := runner.Run(pre, spec.Data{}, runner.Options{VM: runner.Both, Stdout: &out, Stderr: &out})
	if err != nil {
		return err
	}
	if !res.Exited {
		return fmt.Errorf("hello did not exit (%d steps)", res.Steps)
	}
	fmt.Fprintf(w, "   the program wrote %q and exited %d (%s)\n", strings.TrimSpace(out.String()), res.ExitCode, res.Status)
	fmt.Fprintf(w, "   %s steps; the spec's and fpvm's state hashes agreed after every one; final state %s\n", commas(res.Steps), res.StateHash)
	return verifyOneStep(w, pre, res.Steps/2)
}

// verifyOneStep runs the spec to step n, records the witness of step n+1
// and checks it with spec.VerifyStep, which sees the witness alone.
func verifyOneStep(w io.Writer, pre spec.State, n uint64) error {
	s, _, err := spec.Run(pre, spec.Data{}, n)
	if err != nil {
		return err
	}
	post, wit, err := spec.StepWithWitness(s, spec.Data{})
	if err != nil {
		return err
	}
	got, err := spec.VerifyStep(wit.State[:], wit.Proof, [32]byte{}, spec.Data{Preimages: spec.PreimageMap{}})
	if err != nil {
		return fmt.Errorf("spec.VerifyStep rejected step %d: %v", n+1, err)
	}
	if got != post.Hash() {
		return fmt.Errorf("step %d: the verifier's post-state %s, the VM's %s", n+1, got, post.Hash())
	}
	th, err := s.ActiveStack().Top()
	if err != nil {
		return err
	}
	word, err := s.Memory.Word(th.CPU.PC &^ 7)
	if err != nil {
		return err
	}
	insn := uint32(word >> (32 * (1 - (th.CPU.PC>>2)&1)))
	fmt.Fprintf(w, "   step %s (pc 0x%x, %s) checked statelessly: spec.VerifyStep, given only its witness (%d-byte state, %d-byte proof),\n",
		commas(n+1), th.CPU.PC, transition.MnemonicOf(insn), len(wit.State), len(wit.Proof))
	fmt.Fprintf(w, "   computes post-state %s, the one the VM reached\n", got)
	return nil
}
