package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
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
