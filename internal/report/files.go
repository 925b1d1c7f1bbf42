package report

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/opcity-spec/opcity/format"
	"github.com/opcity-spec/opcity/spec/transition"
)

// writeOutputs renders the report and its two plots and writes them into
// out: report/dispute.svg, report/steps.svg, then report.md, each
// completely or not at all (format.WriteFile).
func writeOutputs(out string, image int, rows []nodeRow, sizes map[transition.Profile]int, figs []disputeFigures, gas chainGas) error {
	var md bytes.Buffer
	writeReport(&md, rows, sizes, image)
	writeDispute(&md, figs)
	writeChainGas(&md, gas)
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
		if err := format.WriteFile(f.path, f.data); err != nil {
			return err
		}
	}
	return nil
}
