package main

import (
	"fmt"
	"io"

	"github.com/opcity-spec/opcity/internal/demo"
)

// demoCommand: opcity demo (commands.go), what `make demo` runs.
func demoCommand(args []string, stdout, stderr io.Writer) int {
	fs := flagSet("demo", stderr)
	o := demo.Default
	fs.StringVar(&o.Root, "root", o.Root, "repository root, where the guest programs are built from")
	fs.IntVar(&o.Image, "image", o.Image, "MNIST test image of parts 2 and 3, 0-9998")
	fs.IntVar(&o.Node, "node", o.Node, "the MLP node part 2 recomputes in the VM, 0-3")
	fs.IntVar(&o.LieNode, "lie-node", o.LieNode, "the MLP node whose output part 3's proposer lies about, 0-3")
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
