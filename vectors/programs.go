package vectors

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
	"github.com/opcity-spec/opcity/internal/mipsbuild"
	"github.com/opcity-spec/opcity/spec"
	"github.com/opcity-spec/opcity/spec/program"
)

// Examples are the example programs sampled into the vector set, with the
// preimage file each needs (paths relative to the repository root).
var Examples = []struct{ Name, Preimages string }{
	{"hello", ""}, {"alloc", ""}, {"goroutines", ""}, {"sortmap", ""}, {"panic", ""},
	{"exitcode", ""}, {"arith", ""}, {"floats", ""}, {"preimage", "examples/preimage/preimages.json"},
	{"bench", ""},
}

// sampleSteps are the step numbers sampled from each example (those the
// program reaches).
var sampleSteps = []uint64{0, 1_000, 50_000, 200_000, 400_000}

// BuildExample compiles examples/name with mipsbuild.Build (MIPS64,
// -trimpath so the binary, and the vectors, do not depend on where the
// repository lives, the pinned toolchain) and returns the ELF bytes.
func BuildExample(root, name, dir string) ([]byte, error) {
	return mipsbuild.Build(root, "./examples/"+name, dir)
}

// programCases samples steps of every example program, built from the
// repository at root.
func programCases(root string) ([]Case, error) {
	dir, err := os.MkdirTemp("", "opcity-vectors")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var out []Case
	for _, ex := range Examples {
		vs, err := sampleProgram(root, dir, ex.Name, ex.Preimages)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

func sampleProgram(root, dir, name, preimages string) ([]Case, error) {
	elf, err := BuildExample(root, name, dir)
	if err != nil {
		return nil, err
	}
	s, err := program.Load(elf)
	if err != nil {
		return nil, err
	}
	d := spec.Data{}
	if preimages != "" {
		raw, err := limits.ReadFile(filepath.Join(root, preimages), limits.Preimages)
		if err != nil {
			return nil, err
		}
		o, err := format.ParseOracle(raw)
		if err != nil {
			return nil, err
		}
		d.Preimages = o
	}
	var out []Case
	for _, at := range sampleSteps {
		if s, _, err = spec.Run(s, d, at-s.Step); err != nil || s.Exited {
			break
		}
		out = append(out, Case{Name: fmt.Sprintf("program/%s/step%d", name, at), Group: "programs",
			Description: fmt.Sprintf("step %d of examples/%s", at, name), Pre: s, Data: d})
	}
	return out, nil
}
