package vectors

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
)

// Groups are the vector files, in order.
var Groups = []string{"instructions", "syscalls", "threads", "oracle", "faults", "programs", "tensors"}

// Generate returns the whole vector set, one File per group. root is the
// repository root, from which the example programs are built.
func Generate(root string) ([]File, error) {
	progs, err := programVectors(root)
	if err != nil {
		return nil, err
	}
	byGroup := map[string][]Vector{
		"instructions": instructionVectors(), "syscalls": syscallVectors(), "threads": threadVectors(),
		"oracle": oracleVectors(), "faults": faultVectors(), "programs": progs, "tensors": tensorVectors(),
	}
	var files []File
	for _, g := range Groups {
		files = append(files, File{Version: Version, Group: g, Vectors: byGroup[g]})
	}
	return files, nil
}

// Marshal returns a file's canonical JSON: indented, with a final newline.
func Marshal(f File) ([]byte, error) {
	b, err := json.MarshalIndent(f, "", " ")
	return append(b, '\n'), err
}

// Write writes the set to dir/v<Version>/<group>.json.
func Write(dir string, files []File) error {
	out := filepath.Join(dir, fmt.Sprintf("v%d", Version))
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		b, err := Marshal(f)
		if err != nil {
			return err
		}
		if err := format.WriteFile(filepath.Join(out, f.Group+".json"), b); err != nil {
			return err
		}
	}
	return nil
}

// Read reads the set written by Write from dir/v<Version>.
func Read(dir string) ([]File, error) {
	var files []File
	for _, g := range Groups {
		raw, err := limits.ReadFile(filepath.Join(dir, fmt.Sprintf("v%d", Version), g+".json"), limits.Vectors)
		if err != nil {
			return nil, err
		}
		var f File
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, fmt.Errorf("%s: %v", g, err)
		}
		files = append(files, f)
	}
	return files, nil
}
