package report

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/opcity-spec/opcity/spec/transition"
)

// writeOutputs renders the report and its two plots and writes them into
// out: report/dispute.svg, report/steps.svg, then report.md, each
// completely or not at all (writeFileAtomic).
func writeOutputs(out string, image int, rows []nodeRow, sizes map[transition.Profile]int, figs []disputeFigures) error {
	var md bytes.Buffer
	writeReport(&md, rows, sizes, image)
	writeDispute(&md, figs)
	files := []struct {
		path string
		data []byte
	}{
		{filepath.Join(out, "report", "dispute.svg"), disputeChart(figs)},
		{filepath.Join(out, "report", "steps.svg"), stepsChart(rows)},
		{filepath.Join(out, "report.md"), md.Bytes()},
	}
	if err := os.MkdirAll(filepath.Join(out, "report"), 0o755); err != nil {
		return err
	}
	for _, f := range files {
		if err := writeFileAtomic(f.path, f.data); err != nil {
			return err
		}
	}
	return nil
}

// writeFileAtomic writes data to path (mode 0644) completely or not at
// all: it writes and syncs a temporary file in path's folder and renames it
// over path. On an error path holds what it held before and the temporary
// file is gone.
func writeFileAtomic(path string, data []byte) (err error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
