// Command reqcheck fails when a requirement of docs/requirements.md has no
// test that names it.
//
//	go run ./cmd/reqcheck docs/requirements.md DIR...
//
// A requirement is a table row whose first cell is an ID such as
// `QUIRK-HILO-RD`. A test names it exactly, token by token: a Test, Fuzz
// or Benchmark function declared in a Go test file under one of the DIRs
// whose name, split at '_', holds the ID's '-'-separated tokens as a run of
// whole tokens (TestQUIRK_HILO_RD, TestQUIRK_HILO_RD_MultZeroesRd,
// TestINV_TOTAL_INV_PURE names INV-PURE; TestQUIRK_HILO_RDX and
// TestXQUIRK_HILO_RD name nothing), or a t.Run label one of whose words
// (split at spaces, ':' and '/') is the ID. A test function whose body
// begins with an unconditional t.Skip, t.Skipf or t.SkipNow names nothing.
// A row whose last cell begins with "*planned" is listed but not enforced.
// Exit status: 0 all covered, 1 some ID uncovered, 2 usage or read error.
package main

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

var rowID = regexp.MustCompile("^\\|\\s*`?([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)`?\\s*\\|")

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run is the command with its arguments and outputs; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) < 2 {
		fmt.Fprintln(stderr, "usage: reqcheck REQUIREMENTS.md DIR...")
		return 2
	}
	ids, planned, err := readIDs(args[0])
	if err != nil {
		fmt.Fprintln(stderr, "reqcheck:", err)
		return 2
	}
	names, err := testNames(args[1:])
	if err != nil {
		fmt.Fprintln(stderr, "reqcheck:", err)
		return 2
	}
	missing := uncovered(ids, names)
	fmt.Fprintf(stdout, "reqcheck: %d requirements enforced, %d planned, %d without a test\n", len(ids), planned, len(missing))
	for _, id := range missing {
		fmt.Fprintf(stdout, "  %s: no test names it (want a test function named Test%s or Test%s_…)\n", id, underscored(id), underscored(id))
	}
	if len(missing) > 0 {
		return 1
	}
	return 0
}

func underscored(id string) string { return strings.ReplaceAll(id, "-", "_") }

// readIDs returns the enforced IDs of the requirements tables and the
// count of planned rows.
func readIDs(path string) ([]string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	var ids []string
	planned := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		m := rowID.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if isPlanned(sc.Text()) {
			planned++
			continue
		}
		ids = append(ids, m[1])
	}
	return ids, planned, sc.Err()
}

// isPlanned reports whether a table row's last cell begins with "*planned".
func isPlanned(row string) bool {
	cells := strings.Split(strings.ReplaceAll(strings.TrimSpace(row), `\|`, ""), "|")
	for i := len(cells) - 1; i >= 0; i-- {
		if c := strings.TrimSpace(cells[i]); c != "" {
			return strings.HasPrefix(c, "*planned")
		}
	}
	return false
}

// names are the test names found: function names without their
// Test/Fuzz/Benchmark prefix, and t.Run labels.
type names struct {
	funcs, runs []string
}

// testNames parses the Go test files under dirs.
func testNames(dirs []string) (names, error) {
	var out names
	fset := token.NewFileSet()
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			collect(f, &out)
			return nil
		})
		if err != nil {
			return names{}, err
		}
	}
	return out, nil
}

// collect adds f's test functions (unless they always skip) and t.Run labels.
func collect(f *ast.File, out *names) {
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || fn.Body == nil {
			continue
		}
		for _, prefix := range []string{"Test", "Fuzz", "Benchmark"} {
			if rest, ok := strings.CutPrefix(fn.Name.Name, prefix); ok && rest != "" && !alwaysSkips(fn) {
				out.funcs = append(out.funcs, strings.TrimPrefix(rest, "_"))
			}
		}
	}
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 1 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Run" {
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out.runs = append(out.runs, s)
				}
			}
		}
		return true
	})
}

// alwaysSkips reports whether fn's first statement is t.Skip, t.Skipf or
// t.SkipNow on its parameter.
func alwaysSkips(fn *ast.FuncDecl) bool {
	if len(fn.Body.List) == 0 {
		return false
	}
	es, ok := fn.Body.List[0].(*ast.ExprStmt)
	if !ok {
		return false
	}
	call, ok := es.X.(*ast.CallExpr)
	if !ok {
		return false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	return ok && (sel.Sel.Name == "Skip" || sel.Sel.Name == "Skipf" || sel.Sel.Name == "SkipNow")
}

// covers reports whether n names id exactly.
func (n names) covers(id string) bool {
	want := strings.Split(id, "-")
	for _, f := range n.funcs {
		if holdsRun(strings.Split(f, "_"), want) {
			return true
		}
	}
	for _, r := range n.runs {
		for _, w := range strings.FieldsFunc(r, func(c rune) bool { return c == ' ' || c == ':' || c == '/' }) {
			if w == id {
				return true
			}
		}
	}
	return false
}

// holdsRun reports whether tokens holds want as a contiguous run.
func holdsRun(tokens, want []string) bool {
	for i := 0; i+len(want) <= len(tokens); i++ {
		if slices.Equal(tokens[i:i+len(want)], want) {
			return true
		}
	}
	return false
}

func uncovered(ids []string, n names) []string {
	var missing []string
	for _, id := range ids {
		if !n.covers(id) {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	return missing
}
