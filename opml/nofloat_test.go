package opml_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/internal/mipsbuild"
)

// TestOPML_NOFLOAT: no source of the package (tests excepted) mentions a
// floating-point or complex type or literal, imports math (math/bits is
// integer-only), unsafe or a package that computes in floats, carries a
// build constraint, or is assembly. This is what makes native and in-VM
// (GOMIPS64=softfloat) results identical by construction.
func TestOPML_NOFLOAT(t *testing.T) {
	checkDirNoFloat(t, ".", false)
}

// checkDirNoFloat applies checkNoFloat to every non-test Go file of dir and
// reports assembly files.
func checkDirNoFloat(t *testing.T, dir string, allowUnsafe bool) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, ".s") {
			t.Errorf("%s: assembly", name)
		}
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		checkNoFloat(t, fset, f, allowUnsafe)
	}
}

// checkNoFloat reports the float-related constructs of one file, and its
// imports of math, math/big and (unless allowUnsafe) unsafe.
func checkNoFloat(t *testing.T, fset *token.FileSet, f *ast.File, allowUnsafe bool) {
	banned := map[string]bool{"float32": true, "float64": true, "complex64": true, "complex128": true,
		"complex": true, "real": true, "imag": true}
	for _, imp := range f.Imports {
		if p := strings.Trim(imp.Path.Value, `"`); p == "math" || (p == "unsafe" && !allowUnsafe) || p == "math/big" {
			t.Errorf("%s: imports %s", fset.Position(imp.Pos()), p)
		}
	}
	for _, cg := range f.Comments {
		for _, c := range cg.List {
			if strings.HasPrefix(c.Text, "//go:build") || strings.HasPrefix(c.Text, "// +build") {
				t.Errorf("%s: build constraint", fset.Position(c.Pos()))
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if banned[n.Name] {
				t.Errorf("%s: %s", fset.Position(n.Pos()), n.Name)
			}
		case *ast.BasicLit:
			if n.Kind == token.FLOAT || n.Kind == token.IMAG {
				t.Errorf("%s: literal %s", fset.Position(n.Pos()), n.Value)
			}
		}
		return true
	})
}

// TestOPML_NOFLOAT_MIPS64: the package builds for the VM's target. Skipped
// with -short or without a go command.
func TestOPML_NOFLOAT_MIPS64(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(gobin, "build", "-o", os.DevNull, ".")
	cmd.Env = mipsbuild.Env()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("GOARCH=mips64 GOMIPS64=softfloat go build: %v\n%s", err, out)
	}
}

// inferencePath lists the import paths the VM programs (the node program,
// the tensor node program and the whole-inference program) link, with
// `go list -deps`: opml and every package of this module they reach,
// sub-packages included.
func inferencePath(t *testing.T) []string {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(gobin, "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}} {{.Dir}}{{end}}",
		"../opml/nodevm/node", "../opml/nodevm/nodetensor", "../opml/nodevm/infer")
	cmd.Dir = "."
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	return strings.Fields(string(out))
}

// TestOPML_NOFLOAT_PATH: every package of this module on the inference
// path — what the VM programs link, opml and its sub-packages among them —
// passes the checks of TestOPML_NOFLOAT, and the model-construction package
// opml/ibert (which derives I-BERT's integer constants with float64) is not
// on it. The guest package may import unsafe, for the pointers its raw
// syscalls pass (it does I/O and no arithmetic); nothing else on the path
// may. Packages outside the module (golang.org/x/crypto's Keccak) are
// not checked: they hash bytes and compute no kernel.
func TestOPML_NOFLOAT_PATH(t *testing.T) {
	const module = "github.com/opcity-spec/opcity/"
	f := inferencePath(t)
	checked := 0
	for i := 0; i+1 < len(f); i += 2 {
		pkg, dir := f[i], f[i+1]
		if pkg == module+"opml/ibert" {
			t.Errorf("%s is on the inference path", pkg)
		}
		if !strings.HasPrefix(pkg, module) {
			continue
		}
		checkDirNoFloat(t, dir, pkg == module+"opml/nodevm/guest")
		checked++
	}
	if checked < 6 {
		t.Fatalf("only %d packages of the module on the path: %v", checked, f)
	}
	t.Logf("%d packages of the module on the inference path checked", checked)
}
