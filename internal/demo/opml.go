package demo

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"

	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/opml/predict"
	"github.com/opcity-spec/opcity/spec"
)

// inference is part 2: the MLP on one test image natively, then node
// o.Node recomputed inside the VM under both profiles; each run must
// accept the native commitment as its claim and compute it itself.
func inference(w io.Writer, o Options, dir string) error {
	fmt.Fprintf(w, "2. opML: MNIST test image %d through the bundled MLP, integer-only\n", o.Image)
	data := filepath.Join(o.Root, "models", "mnist")
	raw, err := limits.ReadFile(filepath.Join(data, "mlp.opml"), limits.Model)
	if err != nil {
		return err
	}
	m, err := opml.Decode(raw)
	if err != nil {
		return err
	}
	if len(m.Nodes) != MLPNodes {
		return fmt.Errorf("the bundled MLP has %d nodes, not MLPNodes = %d", len(m.Nodes), MLPNodes)
	}
	pixels, label, err := mnist.Load(data, strconv.Itoa(o.Image))
	if err != nil {
		return err
	}
	if err := native(w, m, pixels, label); err != nil {
		return err
	}
	job, err := nodevm.NewJob(&m, mnist.Input(pixels), o.Node)
	if err != nil {
		return err
	}
	var steps [2]uint64
	for i, p := range []spec.Profile{spec.ProfileBase, spec.ProfileOPcity} {
		if steps[i], err = recompute(job, p, o.Root, dir); err != nil {
			return fmt.Errorf("%s profile: %w", p, err)
		}
	}
	fmt.Fprintf(w, "   node %d (%s) recomputed inside the VM by the node program, under both profiles:\n", o.Node, m.Nodes[o.Node].Op)
	fmt.Fprintf(w, "     base profile   (operands read through Cannon's preimage oracle) %12s steps\n", commas(steps[0]))
	fmt.Fprintf(w, "     OPcity profile (operands mapped by the tensor_map syscall)      %12s steps, %.1f× fewer\n", commas(steps[1]), float64(steps[0])/float64(steps[1]))
	fmt.Fprintf(w, "   both runs computed the native output commitment %s and accepted it as the claim\n", job.Native)
	return nil
}

// native runs m on the image with the integer executor and prints the
// prediction and the graph's final commitment.
func native(w io.Writer, m opml.Model, pixels []byte, label *int) error {
	e, err := opml.NewExecutor(m, 1)
	if err != nil {
		return err
	}
	tr, err := e.Trace(mnist.Input(pixels))
	if err != nil {
		return err
	}
	pred, ok, why := predict.Class(m, tr.Outputs)
	if !ok {
		return fmt.Errorf("the model makes no prediction: %s", why)
	}
	fmt.Fprintf(w, "   prediction %d", pred)
	if label != nil {
		fmt.Fprintf(w, " (the test set's label: %d)", *label)
	}
	fmt.Fprintf(w, "; %d nodes, each output committed; graph root %s\n", len(m.Nodes), tr.States[len(tr.States)-1].Root)
	return nil
}

// recompute builds the node program of profile p and runs job in it with
// the native commitment as the claim; it returns the steps to exit.
func recompute(job nodevm.Job, p spec.Profile, root, dir string) (uint64, error) {
	prog, err := nodevm.Build(root, nodevm.Program(p), dir)
	if err != nil {
		return 0, err
	}
	mc := job.Machine(prog, p)
	runErr := mc.Run(job.Data(job.Native), 1<<40)
	if v := nodevm.VerdictOf(mc, runErr); v != nodevm.ClaimRight {
		return 0, fmt.Errorf("the VM's verdict on the native commitment is %d, not claim right (%v)", v, runErr)
	}
	if out, ok := mc.Output(); !ok || out != job.Native {
		return 0, fmt.Errorf("the VM computed %s, the native executor %s", out, job.Native)
	}
	return mc.Steps, nil
}

// commas writes n with thousands separators.
func commas(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
