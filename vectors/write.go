package vectors

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/format/limits"
)

// Groups are the vector files, in order.
var Groups = []string{"instructions", "syscalls", "threads", "oracle", "faults", "programs", "tensors"}

// Generate returns the whole vector set, one File per group: every case of
// Cases, stepped. root is the repository root, from which the example
// programs are built.
func Generate(root string) ([]File, error) {
	cases, err := Cases(root)
	if err != nil {
		return nil, err
	}
	byGroup := map[string][]Vector{}
	for _, c := range cases {
		byGroup[c.Group] = append(byGroup[c.Group], c.Vector())
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

// CheckWritable creates dir/v<Version> if it is missing and checks that
// Write can write its files there: `opcity vectors` calls it before
// generating anything (format.CheckWritableDir).
func CheckWritable(dir string) error {
	return format.CheckWritableDir(filepath.Join(dir, fmt.Sprintf("v%d", Version)))
}

// Read reads the set written by Write from dir/v<Version>.
func Read(dir string) ([]File, error) {
	var files []File
	for _, g := range Groups {
		raw, err := limits.ReadFile(filepath.Join(dir, fmt.Sprintf("v%d", Version), g+".json"), limits.Vectors)
		if err != nil {
			return nil, err
		}
		f, err := Decode(raw, g)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", g, err)
		}
		files = append(files, f)
	}
	return files, nil
}

// FileError is a vector file that decodes as JSON but breaks the schema of
// docs/formats/vectors.md: the field and what is wrong with it.
type FileError struct {
	Field  string
	Detail string
}

func (e *FileError) Error() string { return e.Field + ": " + e.Detail }

// Decode reads one vector file with format.DecodeStrict (no duplicate
// keys, no unknown fields, no trailing data) and checks its frame: version
// Version, a known group (group, when not empty, is the one expected), a
// vectors array, each vector of the file's group with exactly one of
// post_state_hash and error. Replay checks each vector's fields. Errors: a
// *format.JSONError or a *FileError. Requirement INPUT-STRICT-JSON.
func Decode(raw []byte, group string) (File, error) {
	var f File
	if err := format.DecodeStrict(raw, &f); err != nil {
		return File{}, err
	}
	switch {
	case f.Version != Version:
		return File{}, &FileError{"version", fmt.Sprintf("%d, want %d", f.Version, Version)}
	case !slices.Contains(Groups, f.Group) || group != "" && f.Group != group:
		return File{}, &FileError{"group", fmt.Sprintf("%q, want %s", f.Group, wantGroup(group))}
	case f.Vectors == nil:
		return File{}, &FileError{"vectors", "missing"}
	}
	for i, v := range f.Vectors {
		at := fmt.Sprintf("vectors[%d]", i)
		switch {
		case v.Group != f.Group:
			return File{}, &FileError{at + ".group", fmt.Sprintf("%q in a file of group %q", v.Group, f.Group)}
		case (v.PostStateHash == "") == (v.Error == nil):
			return File{}, &FileError{at, "want exactly one of post_state_hash and error"}
		}
	}
	return f, nil
}

func wantGroup(group string) string {
	if group != "" {
		return fmt.Sprintf("%q", group)
	}
	return "one of " + strings.Join(Groups, ", ")
}

// ReadByName reads the set written by Write from dir/v<Version> and
// indexes its vectors by name, for executors that replay Cases and look up
// the committed vector of each.
func ReadByName(dir string) (map[string]Vector, error) {
	files, err := Read(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]Vector{}
	for _, f := range files {
		for _, v := range f.Vectors {
			out[v.Name] = v
		}
	}
	return out, nil
}
