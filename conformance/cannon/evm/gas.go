package evm

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
)

// GasTable collects the execution gas and calldata cost of step calls by
// Class; it is safe for concurrent use.
type GasTable struct {
	mu   sync.Mutex
	rows map[Class]*gasRow
}

type gasRow struct {
	gas, calldata, floor []uint64
	sources              map[string]int
	// floorBinds counts the steps whose EIP-7623 floor exceeds calldata
	// gas plus execution gas: a transaction calling step pays the floor.
	floorBinds int
}

// Add records result r of a step of class c taken from source (vectors,
// programs). Reverted steps are recorded too: the chain pays for them.
func (g *GasTable) Add(c Class, source string, r Result) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.rows == nil {
		g.rows = map[Class]*gasRow{}
	}
	row := g.rows[c]
	if row == nil {
		row = &gasRow{sources: map[string]int{}}
		g.rows[c] = row
	}
	row.gas = append(row.gas, r.Gas)
	row.calldata = append(row.calldata, r.Calldata.Gas)
	row.floor = append(row.floor, r.Calldata.FloorGas)
	row.sources[source]++
	if r.Calldata.FloorGas > r.Calldata.Gas+r.Gas {
		row.floorBinds++
	}
}

// spread returns the minimum, the median (lower middle) and the maximum.
func spread(v []uint64) (lo, mid, hi uint64) {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[0], s[(len(s)-1)/2], s[len(s)-1]
}

// WriteMarkdown writes the table: one row per class, family then name, with
// the sample counts by source and min/median/max of execution gas,
// calldata gas (EIP-2028) and the EIP-7623 floor, and the number of steps
// whose floor binds; one row per family first.
func (g *GasTable) WriteMarkdown(w io.Writer) {
	g.mu.Lock()
	defer g.mu.Unlock()
	classes := make([]Class, 0, len(g.rows))
	families := map[string]*gasRow{}
	for c, row := range g.rows {
		classes = append(classes, c)
		f := families[c.Family]
		if f == nil {
			f = &gasRow{sources: map[string]int{}}
			families[c.Family] = f
		}
		f.gas, f.calldata, f.floor = append(f.gas, row.gas...), append(f.calldata, row.calldata...), append(f.floor, row.floor...)
		for s, n := range row.sources {
			f.sources[s] += n
		}
		f.floorBinds += row.floorBinds
	}
	sort.Slice(classes, func(i, j int) bool {
		if classes[i].Family != classes[j].Family {
			return classes[i].Family < classes[j].Family
		}
		return classes[i].Name < classes[j].Name
	})
	header := "| %s | vectors | programs | gas min | gas median | gas max | calldata gas median | floor gas median | floor binds |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	fmt.Fprintf(w, header, "family")
	names := make([]string, 0, len(families))
	for f := range families {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		writeRow(w, f, families[f])
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, header, "instruction or syscall")
	for _, c := range classes {
		writeRow(w, c.String(), g.rows[c])
	}
}

func writeRow(w io.Writer, label string, row *gasRow) {
	lo, mid, hi := spread(row.gas)
	_, cd, _ := spread(row.calldata)
	_, fl, _ := spread(row.floor)
	fmt.Fprintf(w, "| %s | %d | %d | %d | %d | %d | %d | %d | %d |\n", label, row.sources["vectors"], row.sources["programs"], lo, mid, hi, cd, fl, row.floorBinds)
}
