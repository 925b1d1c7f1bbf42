package main

import (
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/internal/demo"
)

// demoCommand: opcity demo (commands.go), what `make demo` runs.
func demoCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("demo", stderr)
	o := demo.Default
	fs.StringVar(&o.Root, "root", o.Root, "repository root, where the guest programs are built from")
	intVar(fs, &o.Image, "image", o.Image, 0, play.MaxImage, "MNIST test image of parts 2 and 3")
	intVar(fs, &o.Node, "node", o.Node, 0, demo.MLPNodes-1, "the MLP node part 2 recomputes in the VM")
	intVar(fs, &o.LieNode, "lie-node", o.LieNode, 0, demo.MLPNodes-1, "the MLP node whose output part 3's proposer lies about")
	if ok, code := parse(fs, args, stdout, stderr); !ok {
		return code
	}
	if fs.NArg() != 0 {
		return badUsage("demo", fmt.Errorf("unexpected arguments %q", fs.Args()), stderr)
	}
	if err := demo.Run(stdout, o); err != nil {
		fmt.Fprintln(stderr, "opcity demo:", err)
		return exitRejected
	}
	return exitOK
}
