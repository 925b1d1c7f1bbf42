package main

import (
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/vectors"
)

// vectorsCommand: opcity vectors (commands.go). It writes the
// conformance vectors to DIR/v1/*.json; the example programs are built
// from the repository at --root (default: the current directory).
func vectorsCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("vectors", stderr)
	out := fs.String("out", "", "directory to write the vectors to")
	root := fs.String("root", ".", "repository root holding examples/")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if *out == "" || fs.NArg() != 0 {
		return badUsage("vectors", fmt.Errorf("want --out DIR and no arguments"), stderr)
	}
	if err := vectors.CheckWritable(*out); err != nil {
		fmt.Fprintln(stderr, "opcity vectors: --out:", err)
		return exitBadInput
	}
	files, err := vectors.Generate(*root)
	if err != nil {
		fmt.Fprintln(stderr, "opcity vectors:", err)
		return exitBadInput
	}
	if err := vectors.Write(*out, files); err != nil {
		fmt.Fprintln(stderr, "opcity vectors:", err)
		return exitBadInput
	}
	n := 0
	for _, f := range files {
		n += len(f.Vectors)
		fmt.Fprintf(stdout, "%-13s %4d vectors\n", f.Group, len(f.Vectors))
	}
	fmt.Fprintf(stdout, "wrote %d vectors to %s/v%d\n", n, *out, vectors.Version)
	return exitOK
}
