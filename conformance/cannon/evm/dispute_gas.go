package evm

import (
	"sort"

	"github.com/opcity-spec/opcity/dispute"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// DisputeGas is the gas of the dispute game's transactions, measured by
// replaying simulated games (docs/report/dispute-gas.json): per action
// kind over the accepted transactions, resolveClaim's cost split into a
// per-call base and a per-child slope (least squares over its calls), and
// each scenario's total per side.
type DisputeGas struct {
	Source  string                 `json:"source"`
	Kinds   []KindGas              `json:"kinds"`
	Resolve ResolveFit             `json:"resolve_claim_fit"`
	Games   []GameGas              `json:"games"`
	Notes   map[string]interface{} `json:"notes,omitempty"`
	// Model is dispute.GasModel fitted to these transactions (FitGasModel,
	// written to dispute/gas_measured.go), and ModelErrors its error on
	// every replayed action, per kind.
	Model       dispute.GasModel `json:"model"`
	ModelErrors []ModelError     `json:"model_errors"`
}

// KindGas is one action kind's transaction gas (21,000 + calldata +
// execution) over its accepted transactions.
type KindGas struct {
	Kind             string `json:"kind"`
	Count            int    `json:"count"`
	Min, Median, Max uint64
}

// ResolveFit is resolveClaim's gas as base + perChild·children, fitted by
// least squares to every accepted call (children scanned in the call).
type ResolveFit struct {
	Calls    int     `json:"calls"`
	Base     float64 `json:"base"`
	PerChild float64 `json:"per_child"`
	MaxError float64 `json:"max_abs_error"`
}

// GameGas is one replayed game's transaction gas, honest parties and the
// others, over every transaction (accepted or not: a reverted transaction
// is paid too).
type GameGas struct {
	World    string `json:"world"`
	Scenario string `json:"scenario"`
	Seed     uint64 `json:"seed"`
	Honest   uint64 `json:"honest"`
	Others   uint64 `json:"others"`
}

// MeasureDisputeGas aggregates the gas records of replays.
func MeasureDisputeGas(source string, worlds []string, replays [][]Replay) DisputeGas {
	out := DisputeGas{Source: source}
	byKind := map[string][]uint64{}
	var xs, ys []float64
	for wi, rs := range replays {
		for _, r := range rs {
			gg := GameGas{World: worlds[wi], Scenario: r.Scenario, Seed: r.Seed}
			for _, g := range r.Gas {
				if sim.IsHonest(g.Party) {
					gg.Honest += g.Tx()
				} else {
					gg.Others += g.Tx()
				}
				if !g.Accepted {
					continue
				}
				byKind[g.Kind] = append(byKind[g.Kind], g.Tx())
				if g.Kind == "resolve-claim" {
					xs, ys = append(xs, float64(g.Children)), append(ys, float64(g.Tx()))
				}
			}
			out.Games = append(out.Games, gg)
		}
	}
	var kinds []string
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		v := byKind[k]
		sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
		out.Kinds = append(out.Kinds, KindGas{Kind: k, Count: len(v), Min: v[0], Median: v[len(v)/2], Max: v[len(v)-1]})
	}
	out.Resolve = fitLine(xs, ys)
	return out
}

// fitLine fits y = a + b·x by least squares.
func fitLine(xs, ys []float64) ResolveFit {
	n := float64(len(xs))
	if n == 0 {
		return ResolveFit{}
	}
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	f := ResolveFit{Calls: len(xs)}
	if den := n*sxx - sx*sx; den != 0 {
		f.PerChild = (n*sxy - sx*sy) / den
	}
	f.Base = (sy - f.PerChild*sx) / n
	for i := range xs {
		e := ys[i] - (f.Base + f.PerChild*xs[i])
		if e < 0 {
			e = -e
		}
		f.MaxError = max(f.MaxError, e)
	}
	f.Base, f.PerChild, f.MaxError = round1(f.Base), round1(f.PerChild), round1(f.MaxError)
	return f
}

func round1(v float64) float64 { return float64(int64(v*10+0.5)) / 10 }
