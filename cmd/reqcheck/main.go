// Command reqcheck fails when a requirement of docs/requirements.md has no
// test that names it.
//
//	go run ./cmd/reqcheck docs/requirements.md DIR...
//
// A requirement is a table row whose first cell is an ID such as
// `QUIRK-HILO-RD`. A test names it when a Go test file under one of the DIRs
// declares a Test, Fuzz or Benchmark function whose name contains the ID
// with '-' written as '_' (TestQUIRK_HILO_RD_MultZeroesRd), or passes a
// string containing the ID itself to t.Run. Rows whose status cell says
// "planned" are listed but not enforced. Exit status: 0 all covered, 1 some
// ID uncovered, 2 usage or read error.
package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

var (
	rowID    = regexp.MustCompile("^\\|\\s*`?([A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+)`?\\s*\\|")
	testFunc = regexp.MustCompile(`func\s+(?:\([^)]*\)\s*)?((?:Test|Fuzz|Benchmark)\w*)\s*\(`)
	runName  = regexp.MustCompile(`\.Run\(\s*"([^"]*)"`)
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: reqcheck REQUIREMENTS.md DIR...")
		os.Exit(2)
	}
	ids, planned, err := readIDs(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "reqcheck:", err)
		os.Exit(2)
	}
	names, err := testNames(os.Args[2:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "reqcheck:", err)
		os.Exit(2)
	}
	missing := uncovered(ids, names)
	fmt.Printf("reqcheck: %d requirements enforced, %d planned, %d without a test\n", len(ids), planned, len(missing))
	for _, id := range missing {
		fmt.Printf("  %s: no test names it (want a test function containing %s)\n", id, strings.ReplaceAll(id, "-", "_"))
	}
	if len(missing) > 0 {
		os.Exit(1)
	}
}

// readIDs returns the enforced IDs of the requirements table and the count of planned rows.
func readIDs(path string) ([]string, int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	var ids []string
	planned := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m := rowID.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		if strings.Contains(strings.ToLower(sc.Text()), "planned") {
			planned++
			continue
		}
		ids = append(ids, m[1])
	}
	return ids, planned, sc.Err()
}

// testNames collects test function names and t.Run names from *_test.go files.
func testNames(dirs []string) ([]string, error) {
	var names []string
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range testFunc.FindAllStringSubmatch(string(b), -1) {
				names = append(names, m[1])
			}
			for _, m := range runName.FindAllStringSubmatch(string(b), -1) {
				names = append(names, m[1])
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}

func uncovered(ids, names []string) []string {
	var missing []string
	for _, id := range ids {
		under := strings.ReplaceAll(id, "-", "_")
		if !containsAny(names, id, under) {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	return missing
}

func containsAny(names []string, subs ...string) bool {
	for _, n := range names {
		for _, s := range subs {
			if strings.Contains(n, s) {
				return true
			}
		}
	}
	return false
}
