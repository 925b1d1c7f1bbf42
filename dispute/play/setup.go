package play

import (
	"fmt"
	"os"
	"strings"

	"github.com/opcity-spec/opcity/dispute/sim"
	"github.com/opcity-spec/opcity/dispute/trace"
	"github.com/opcity-spec/opcity/opml/nodevm"
	"github.com/opcity-spec/opcity/spec"
)

func ScenarioNames() string {
	var names []string
	for _, s := range sim.Scenarios() {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

const ProfileUsage = "VM profile of phase 3: base (the node program on Cannon's syscalls) or opcity (the tensor node program on tensor_map/tensor_root)"

// ParseProfile parses --profile.
func ParseProfile(s string) (spec.Profile, error) {
	switch s {
	case "base":
		return spec.ProfileBase, nil
	case "opcity":
		return spec.ProfileOPcity, nil
	}
	return spec.ProfileBase, fmt.Errorf("--profile %q: want base or opcity", s)
}

// NodeProgram builds the node program of profile p and returns its
// phase-3 NodeVM.
func NodeProgram(root string, p spec.Profile) (*trace.NodeVM, error) {
	dir, err := os.MkdirTemp("", "opcity-dispute")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	prog, err := nodevm.Build(root, nodevm.Program(p), dir)
	if err != nil {
		return nil, fmt.Errorf("%v\n(run it from the repository root, or give --root)", err)
	}
	return &trace.NodeVM{Program: prog, Profile: p, Every: 1 << 17, Max: 1 << 32}, nil
}

// Worlds builds 8 chains over consecutive MNIST test images.
func Worlds(data, root, model string, blocks int, vm string, p spec.Profile) ([]*trace.World, error) {
	n := 1 << blocks
	set, err := trace.LoadMNIST(data, 8*n)
	if err != nil {
		return nil, err
	}
	wc := trace.WorldConfig{ModelsDir: data, Model: model, Split1: blocks, VMDepth: 27, Profile: p}
	if vm == "real" {
		nv, err := NodeProgram(root, p)
		if err != nil {
			return nil, err
		}
		wc.VM, wc.Prestate = nv.Factory(), nv.Program.Hash()
	}
	var worlds []*trace.World
	for w := range 8 {
		wc.Images = nil
		for b := range n {
			wc.Images = append(wc.Images, w*n+b)
		}
		world, err := set.NewWorld(wc)
		if err != nil {
			return nil, err
		}
		worlds = append(worlds, world)
	}
	return worlds, nil
}

// LoadSet loads the bundled models and the test images a game on --image
// needs, and builds the node program of profile p as the phase-3 VM.
func LoadSet(data, root string, image int, p spec.Profile) (*trace.MNISTSet, *trace.NodeVM, error) {
	set, err := trace.LoadMNIST(data, image+2)
	if err != nil {
		return nil, nil, err
	}
	if len(set.Pixels) < image+2 {
		return nil, nil, fmt.Errorf("--image %d: the test set has %d images", image, len(set.Pixels))
	}
	nv, err := NodeProgram(root, p)
	return set, nv, err
}
