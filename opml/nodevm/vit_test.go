package nodevm

import (
	"flag"
	"testing"

	"github.com/opcity-spec/opcity/spec/transition"
)

var vitImages = flag.Int("opml.vit-images", 1, "MNIST test images (0..N-1) whose every ViT node TestOPML_VIT_NODE_DIFF runs in the VM")

// TestOPML_VIT_NODE_DIFF: for every node of the vision transformer
// (models/mnist/vit.opml) on MNIST test images 0..-opml.vit-images-1, the
// node program under the base profile and the tensor node program under the
// OPcity profile, each from its committed absolute prestate, compute the
// native executor's output commitment before reading the claim, exit 0 with
// it and exit 1 with one bit of it flipped. The default is image 0 (102 VM
// runs); -opml.vit-images=20 is the 20 images.
func TestOPML_VIT_NODE_DIFF(t *testing.T) {
	pres := map[string]*Machine{}
	for _, pkg := range []string{NodeProgram, TensorNodeProgram} {
		pres[pkg] = &Machine{State: programs[pkg]}
		if err := pres[pkg].RunToOracle(stepLimit); err != nil {
			t.Fatal(err)
		}
	}
	var runs int
	var longest uint64
	for image := range *vitImages {
		for k, j := range jobsOf(t, "vit.opml", image) {
			for _, p := range []transition.Profile{transition.ProfileBase, transition.ProfileOPcity} {
				paused := &Machine{State: pres[NodeProgram].State}
				if p == transition.ProfileOPcity {
					paused = tensorMachine(pres[TensorNodeProgram].State, j)
				}
				if err := paused.Run(NodeData(j.desc, j.ops), stepLimit); !MissingKey(err) {
					t.Fatalf("image %d node %d %s: %v", image, k, p, err)
				}
				if got, ok := paused.Output(); !ok || got != j.native {
					t.Fatalf("image %d node %d (%s) %s: VM output %s, native %s", image, k, j.desc.Graph.Nodes[0].Op, p, got, j.native)
				}
				flipped := j.native
				flipped[k%32] ^= 1 << (image % 8)
				if got := finish(t, paused, j.native); got != 0 {
					t.Fatalf("image %d node %d %s: exit %d with the right claim", image, k, p, got)
				}
				if got := finish(t, paused, flipped); got != 1 {
					t.Fatalf("image %d node %d %s: exit %d with a flipped claim", image, k, p, got)
				}
				runs++
				longest = max(longest, paused.Steps)
			}
		}
	}
	t.Logf("ViT: %d images, %d node runs (every node, both profiles): VM = native on each, right claim exit 0, flipped exit 1; longest run to the claim %d steps", *vitImages, runs, longest)
}
