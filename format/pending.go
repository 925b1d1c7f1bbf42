package format

import (
	"bufio"
	"os"
	"path/filepath"
)

// PendingFile is a file written bit by bit that appears at its path only
// when complete, as WriteFile writes a whole one: the bytes go, buffered,
// to a temporary file in the path's directory, which Commit syncs and
// renames over the path. Until then, and after Abort or a failure, the
// path keeps its old content (or stays absent).
type PendingFile struct {
	path string
	f    *os.File
	w    *bufio.Writer
	err  error // the first write error
}

// CreatePending starts a pending file for path. Errors: the temporary
// file cannot be created (the directory is missing or unwritable).
func CreatePending(path string) (*PendingFile, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	return &PendingFile{path: path, f: f, w: bufio.NewWriterSize(f, 1<<16)}, nil
}

// Write appends b. After a failed write every later one fails too, and
// so does Commit.
func (p *PendingFile) Write(b []byte) (int, error) {
	if p.err != nil {
		return 0, p.err
	}
	n, err := p.w.Write(b)
	p.err = err
	return n, err
}

// Commit flushes, syncs and closes the temporary file and renames it over
// the path; on any error it removes it instead and returns the error.
func (p *PendingFile) Commit() (err error) {
	defer func() {
		if err != nil {
			p.Abort()
		}
	}()
	if p.err != nil {
		return p.err
	}
	if err = p.w.Flush(); err != nil {
		return err
	}
	if err = p.f.Chmod(0o644); err != nil {
		return err
	}
	if err = p.f.Sync(); err != nil {
		return err
	}
	if err = p.f.Close(); err != nil {
		return err
	}
	return os.Rename(p.f.Name(), p.path)
}

// Abort closes and removes the temporary file; the path is left as it was.
func (p *PendingFile) Abort() {
	p.f.Close()
	os.Remove(p.f.Name())
}
