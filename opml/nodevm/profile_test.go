package nodevm

import (
	"errors"
	"fmt"
	"testing"

	"github.com/opcity-spec/opcity/opml"
	"github.com/opcity-spec/opcity/opml/mnist"
	"github.com/opcity-spec/opcity/spec"
	specerrors "github.com/opcity-spec/opcity/spec/errors"
	"github.com/opcity-spec/opcity/spec/memory"
	"github.com/opcity-spec/opcity/spec/state"
	"github.com/opcity-spec/opcity/spec/transition"
)

// nodeJob is node k of a model on one input: its descriptor, operands and
// native output commitment.
type nodeJob struct {
	desc   opml.NodeDescriptor
	ops    [][]byte
	native memory.Hash
}

func jobsOf(t *testing.T, name string, image int) []nodeJob {
	t.Helper()
	px, _, err := mnist.TestSet(modelsDir, image+1)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := loadModel(t, name)
	e, _ := opml.NewExecutor(m, 1)
	in := mnist.Input(px[image])
	tensors, err := e.Tensors(in)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := e.Trace(in)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []nodeJob
	for k := range m.Nodes {
		d, ops, err := opml.NodeDescriptorOf(m, k, tensors)
		if err != nil {
			t.Fatal(err)
		}
		jobs = append(jobs, nodeJob{d, ops, tr.States[k].Output})
	}
	return jobs
}

// tensorMachine is the tensor node program's machine for a job: the OPcity
// profile with the job's operands in D's tensor store.
func tensorMachine(start state.State, j nodeJob) *Machine {
	return &Machine{State: start, Profile: transition.ProfileOPcity, Tensors: spec.NewTensors(j.ops...)}
}

// TestOPML_NODE_TENSOR: the node program on the tensor syscalls, run under
// the OPcity profile, computes for every node of both bundled models on test
// image 0 the native executor's output commitment, accepts it as the claim
// (exit 0) and rejects it with any of 16 single bits flipped (exit 1);
// under the base profile its first tensor_map is an unknown syscall.
func TestOPML_NODE_TENSOR(t *testing.T) {
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		for k, j := range jobsOf(t, name, 0) {
			paused := tensorMachine(programs[TensorNodeProgram], j)
			if err := paused.Run(NodeData(j.desc, j.ops), stepLimit); !MissingKey(err) {
				t.Fatalf("%s node %d: %v (stdout %q)", name, k, err, paused.Stdout)
			}
			if got, ok := paused.Output(); !ok || got != j.native {
				t.Fatalf("%s node %d: VM output %s, native %s", name, k, got, j.native)
			}
			for bit := -1; bit < 256; bit += 16 {
				claim := j.native
				want := uint8(0)
				if bit >= 0 {
					claim[bit/8] ^= 1 << (bit % 8)
					want = 1
				}
				mc := *paused
				if err := mc.Run(WithClaim(nil, claim), stepLimit); err != nil || mc.State.ExitCode != want {
					t.Fatalf("%s node %d, bit %d flipped: exit %d, %v; want %d", name, k, bit, mc.State.ExitCode, err, want)
				}
			}
			base := &Machine{State: programs[TensorNodeProgram], Spec: true}
			err := base.Run(NodeData(j.desc, j.ops), stepLimit)
			var se *specerrors.Error
			if !errors.As(err, &se) || se.Code != specerrors.CodeUnknownSyscall {
				t.Fatalf("%s node %d under base: %v, want the unknown-syscall error", name, k, err)
			}
		}
	}
}

// TestOPML_NODE_PRESTATE: both node programs reach their committed absolute
// prestate — the state at their first oracle read, computed with no data —
// on every node's run: the run with the node's data passes through exactly
// that state, at exactly that step.
func TestOPML_NODE_PRESTATE(t *testing.T) {
	for _, pkg := range []string{NodeProgram, TensorNodeProgram} {
		pre := &Machine{State: programs[pkg]}
		if err := pre.RunToOracle(stepLimit); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"mlp.opml", "cnn.opml"} {
			for k, j := range jobsOf(t, name, 0) {
				mc := &Machine{State: programs[pkg], Spec: true, Profile: transition.ProfileOPcity, Tensors: spec.NewTensors(j.ops...)}
				if err := mc.Run(NodeData(j.desc, j.ops), pre.Steps); !errors.Is(err, ErrStepLimit) || mc.State.Hash() != pre.State.Hash() {
					t.Fatalf("%s, %s node %d: state after %d steps %s (%v), prestate %s", pkg, name, k, pre.Steps, mc.State.Hash(), err, pre.State.Hash())
				}
			}
		}
		t.Logf("%s: absolute prestate after %d steps: %s", pkg, pre.Steps, pre.State.Hash())
	}
}

// TestPROF_NODE_STEPS: measured from each program's absolute prestate (see
// TestOPML_NODE_PRESTATE), the tensor node program's trace under the OPcity
// profile is, averaged over the nodes of each bundled model on test image 0,
// at least 5× shorter than the node program's under the base profile, with
// identical output commitments. It logs the per-node figures.
func TestPROF_NODE_STEPS(t *testing.T) {
	pres := map[string]*Machine{}
	for _, pkg := range []string{NodeProgram, TensorNodeProgram} {
		pres[pkg] = &Machine{State: programs[pkg]}
		if err := pres[pkg].RunToOracle(stepLimit); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"mlp.opml", "cnn.opml"} {
		var sumBase, sumTensor uint64
		jobs := jobsOf(t, name, 0)
		for k, j := range jobs {
			o := WithClaim(NodeData(j.desc, j.ops), j.native)
			base := &Machine{State: pres[NodeProgram].State}
			if err := base.Run(o, stepLimit); err != nil || base.State.ExitCode != 0 {
				t.Fatalf("%s node %d base: %v exit %d", name, k, err, base.State.ExitCode)
			}
			tens := tensorMachine(pres[TensorNodeProgram].State, j)
			if err := tens.Run(o, stepLimit); err != nil || tens.State.ExitCode != 0 {
				t.Fatalf("%s node %d opcity: %v exit %d", name, k, err, tens.State.ExitCode)
			}
			bo, _ := base.Output()
			to, _ := tens.Output()
			if bo != to || bo != j.native {
				t.Fatalf("%s node %d: base output %s, opcity %s, native %s", name, k, bo, to, j.native)
			}
			sumBase += base.Steps
			sumTensor += tens.Steps
			t.Logf("%s node %d %-14s base %11d steps, opcity %10d steps, %6.1fx", name, k, j.desc.Graph.Nodes[0].Op, base.Steps, tens.Steps, float64(base.Steps)/float64(tens.Steps))
		}
		ratio := float64(sumBase) / float64(sumTensor)
		t.Logf("%s: mean over %d nodes: base %d, opcity %d steps from the prestate: %.2fx shorter", name, len(jobs), sumBase/uint64(len(jobs)), sumTensor/uint64(len(jobs)), ratio)
		if ratio < 5 {
			t.Errorf("%s: %s", name, fmt.Sprintf("opcity trace only %.2fx shorter than base, want at least 5x", ratio))
		}
	}
}
