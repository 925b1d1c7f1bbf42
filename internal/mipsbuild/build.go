// Package mipsbuild is the one builder of guest programs: the example
// programs, the node programs and the inference program, compiled for
// Cannon's MIPS64 with a pinned Go toolchain, so that their ELF files, and
// the initial states and absolute prestates that hash them, are the same
// on every machine.
package mipsbuild

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/opcity-spec/opcity/format/limits"
)

// Toolchain is the Go release that builds every guest program. The go
// command runs exactly this release (GOTOOLCHAIN), downloading it from the
// module proxy when the installed Go is another one, so a newer or older
// local Go cannot move the node programs' absolute prestates; changing it
// moves them, and the golden test of opml/nodevm says so.
const Toolchain = "go1.26.8"

// Env returns the environment of a guest build: the caller's, with
// GOOS=linux GOARCH=mips64 GOMIPS64=softfloat CGO_ENABLED=0 and
// GOTOOLCHAIN=Toolchain.
func Env() []string {
	return append(os.Environ(), "GOOS=linux", "GOARCH=mips64", "GOMIPS64=softfloat", "CGO_ENABLED=0", "GOTOOLCHAIN="+Toolchain)
}

// Build compiles package pkg (a path relative to the repository root, such
// as ./opml/nodevm/node) of the repository at root with -trimpath (so the
// binary does not depend on where the repository lives) into
// dir/<base of pkg>.elf and returns the ELF bytes. Errors: the go command's
// output when the build fails.
func Build(root, pkg, dir string) ([]byte, error) {
	out := filepath.Join(dir, filepath.Base(pkg)+".elf")
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	cmd.Dir = root
	cmd.Env = Env()
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building %s with %s: %v\n%s", pkg, Toolchain, err, msg)
	}
	return limits.ReadFile(out, limits.ELF)
}
