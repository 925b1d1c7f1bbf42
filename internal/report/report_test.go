package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestCommas: thousands separators at the edges (no separator below 1,000,
// one at exactly 1,000) and on the largest uint64.
func TestCommas(t *testing.T) {
	for n, want := range map[uint64]string{
		0:                    "0",
		999:                  "999",
		1000:                 "1,000",
		1234567:              "1,234,567",
		100000:               "100,000",
		18446744073709551615: "18,446,744,073,709,551,615",
	} {
		if got := commas(n); got != want {
			t.Errorf("commas(%d) = %q, want %q", n, got, want)
		}
	}
}

// tableRows are three hand-made nodes of two models, for the table tests.
var tableRows = []nodeRow{
	{model: "MLP", node: 0, op: "FullyConnected",
		base:   profileRun{steps: 1000000, seconds: 1.5, peakMiB: 12},
		opcity: profileRun{steps: 250000, seconds: 0.25, peakMiB: 10.5}},
	{model: "MLP", node: 1, op: "ReLU",
		base:   profileRun{steps: 999, seconds: 0.001, peakMiB: 20},
		opcity: profileRun{steps: 1000, seconds: 0.002, peakMiB: 9}},
	{model: "CNN", node: 0, op: "Conv2D",
		base:   profileRun{steps: 1234567, seconds: 2, peakMiB: 1},
		opcity: profileRun{steps: 1234567, seconds: 1, peakMiB: 2}},
}

// TestWriteNodeTable: one row per node, in order, with the steps ratio to
// one decimal.
func TestWriteNodeTable(t *testing.T) {
	want := "## VM steps, trace-generation time and memory per node\n\n" +
		"| model | node | op | base steps | OPcity steps | ratio | base time | OPcity time | base peak heap | OPcity peak heap |\n" +
		"|---|---|---|---|---|---|---|---|---|---|\n" +
		"| MLP | 0 | FullyConnected | 1,000,000 | 250,000 | 4.0× | 1.500 s | 0.250 s | 12.0 MiB | 10.5 MiB |\n" +
		"| MLP | 1 | ReLU | 999 | 1,000 | 1.0× | 0.001 s | 0.002 s | 20.0 MiB | 9.0 MiB |\n" +
		"| CNN | 0 | Conv2D | 1,234,567 | 1,234,567 | 1.0× | 2.000 s | 1.000 s | 1.0 MiB | 2.0 MiB |\n"
	var b bytes.Buffer
	writeNodeTable(&b, tableRows)
	if got := b.String(); got != want {
		t.Errorf("writeNodeTable wrote\n%s\nwant\n%s", got, want)
	}
}

// TestWriteModelTable: one row per model in first-appearance order, steps
// and times summed over its nodes, the largest peak heap of its nodes.
func TestWriteModelTable(t *testing.T) {
	want := "\n| model | nodes | base steps per inference | OPcity steps per inference | mean ratio | base time | OPcity time | base peak heap | OPcity peak heap |\n" +
		"|---|---|---|---|---|---|---|---|---|\n" +
		"| MLP | 2 | 1,000,999 | 251,000 | 3.99× | 1.501 s | 0.252 s | 20.0 MiB | 10.5 MiB |\n" +
		"| CNN | 1 | 1,234,567 | 1,234,567 | 1.00× | 2.000 s | 1.000 s | 1.0 MiB | 2.0 MiB |\n"
	var b bytes.Buffer
	writeModelTable(&b, tableRows)
	if got := b.String(); got != want {
		t.Errorf("writeModelTable wrote\n%s\nwant\n%s", got, want)
	}
}

// TestREPORT_CHAIN_GAS: the committed on-chain figures
// (docs/report/opcity-gas.json, make gas-opcity) parse, and the report's
// section lists a tensor_map and a tensor_root row for each of 64 B, 4 KiB,
// 1 MiB and 16 MiB and the uploads of 1 MiB and 16 MiB.
func TestREPORT_CHAIN_GAS(t *testing.T) {
	g, err := readChainGas("../..")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	writeChainGas(&b, g)
	for _, size := range []string{"64 B", "4 KiB", "1 MiB", "16 MiB"} {
		for _, kind := range []string{"tensor_map", "tensor_root"} {
			if !strings.Contains(b.String(), "| "+kind+" | MIPS64OPcity | "+size+" |") {
				t.Errorf("no %s row at %s", kind, size)
			}
		}
	}
	for _, size := range []string{"1 MiB", "16 MiB"} {
		if !strings.Contains(b.String(), "\n| "+size+" | ") {
			t.Errorf("no upload row for %s", size)
		}
	}
	if _, err := readChainGas(t.TempDir()); err == nil {
		t.Error("a folder without the file: no error")
	}
}
