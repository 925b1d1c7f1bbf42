package format

import (
	"fmt"
	"os"
	"path/filepath"
)

// CheckWritable reports whether WriteFile can write path, before any work
// that would produce it: it refuses a path that is a directory, creates a
// temporary file in path's folder (where WriteFile writes first) and
// removes it. It creates no folder and leaves path as it was. Errors: a
// *os.PathError naming what failed. Requirement INPUT-WRITABLE-FIRST.
func CheckWritable(path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return &os.PathError{Op: "write", Path: path, Err: fmt.Errorf("is a directory")}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".check-*")
	if err != nil {
		return err
	}
	name := f.Name()
	err = f.Close()
	if rerr := os.Remove(name); err == nil {
		err = rerr
	}
	return err
}

// CheckWritableDir creates folder dir (and its parents) if it is missing
// and checks, as CheckWritable does, that files can be written in it.
func CheckWritableDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return CheckWritable(filepath.Join(dir, "probe"))
}
