package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestCLI_THIN: the commands stay thin — no function under cmd/ (test
// files aside) is longer than 40 lines, from its func line to its closing
// brace; the work lives in the packages.
func TestCLI_THIN(t *testing.T) {
	const limit = 40
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			seen++
			if n := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1; n > limit {
				t.Errorf("%s: %s is %d lines (at most %d under cmd/)", path, fn.Name.Name, n, limit)
			}
		}
		return nil
	})
	if err != nil || seen < 30 {
		t.Fatalf("walked %d functions under cmd/: %v", seen, err)
	}
}

// TestCLI_THIN_RulesApart: the game's rules (dispute/) import none of its
// agents or trace providers (dispute/sim, dispute/trace, dispute/play).
func TestCLI_THIN_RulesApart(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/opcity-spec/opcity/dispute").Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/opcity-spec/opcity/spec") {
		t.Fatalf("go list -deps found no spec among %d packages: the check sees nothing", len(deps))
	}
	for _, d := range deps {
		if strings.HasPrefix(d, "github.com/opcity-spec/opcity/dispute/") {
			t.Errorf("dispute imports %s", d)
		}
	}
}
