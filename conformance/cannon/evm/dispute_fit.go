package evm

import (
	"bytes"
	"fmt"
	"go/format"
	"math"
	"reflect"
	"sort"

	"github.com/opcity-spec/opcity/dispute"
)

// GasSample is one action the Go rules accepted in a replay, with the
// games before and after it and its transactions on chain.
type GasSample struct {
	Before, After dispute.Game
	Action        dispute.Action
	Txs           []GasRecord
	// RealVM is set for a real game's samples: the game type's VM is
	// MIPS64.sol or MIPS64OPcity, not SyntheticStepper.
	RealVM bool
}

// kind returns the sample's action kind: its transaction's, with the VM
// named for a real game's step.
func (s GasSample) kind() string {
	k := s.main().Kind
	if k == "step" && s.RealVM {
		k += " (MIPS64.sol)"
		if s.Before.Config().Profile != 0 {
			k = "step (MIPS64OPcity)"
		}
	}
	return k
}

// main returns the sample's transaction of the action itself (a VM step
// is preceded by its addLocalData transactions).
func (s GasSample) main() GasRecord { return s.Txs[len(s.Txs)-1] }

// Measured returns the sample's gas on chain: the sum of its transactions.
func (s GasSample) Measured() uint64 {
	var n uint64
	for _, t := range s.Txs {
		n += t.Tx()
	}
	return n
}

// netExec returns a transaction's execution gas net of its refund, as the
// receipt shows it (gas used − 21,000 − calldata), and false when the
// EIP-7623 floor was charged instead (the execution is then not visible).
func netExec(r GasRecord) (uint64, bool) {
	tx := r.Tx()
	if tx <= 21000+r.Floor {
		return 0, false
	}
	return tx - 21000 - r.Calldata, true
}

// PreimageGas is one upload of a preimage of Bytes bytes to the oracle.
type PreimageGas struct {
	Bytes int
	Tx    GasRecord
}

// VMStepGas is the VM's own step execution by profile (MIPS64.sol for
// base, MIPS64OPcity for OPcity), measured outside the game.
type VMStepGas [2]uint64

// FitGasModel fits dispute.GasModel to the replays' samples (PageSize 0:
// one resolveClaim call per claim), the payout transactions (claimCredit
// unlock and withdraw), the preimage uploads and the VM's step gas, by
// least squares on the net execution of each action's own transaction:
// moves on one intercept per kind and a shared first-child term;
// resolveClaim on its children, a new credit and a counter; uploads on
// their words; the rest as medians (addLocalData's whole transactions,
// split by whether the step's context was stepped before). The fixed
// figures (21,000, 4/16 per calldata byte, 10 per floor token) and the
// assumed large-preimage ones are dispute's.
func FitGasModel(samples []GasSample, payout []GasRecord, preimages []PreimageGas, vm VMStepGas) (dispute.GasModel, error) {
	m := dispute.GasModel{Tx: 21000, ZeroByte: 4, NonzeroByte: 16, FloorToken: 10, VMStep: vm,
		LargeMin: dispute.MeasuredGas.LargeMin, LargeBase: dispute.MeasuredGas.LargeBase, LargeBlock: dispute.MeasuredGas.LargeBlock}
	moveKinds := []string{"move phase 1", "move phase 2", "move phase 3", "move phase-2 root", "move phase-3 root"}
	byKind := map[string][]uint64{}
	var mv, rc, te, pre lsq
	for _, s := range samples {
		r := s.main()
		if r.Kind == "step" {
			k := "add-local-data"
			if dispute.SteppedContext(s.Before, s.Action.Claim) {
				k += " again"
			}
			for _, t := range s.Txs[:len(s.Txs)-1] {
				byKind[k] = append(byKind[k], t.Tx())
			}
		}
		e, ok := netExec(r)
		if !ok {
			continue
		}
		switch r.Kind {
		case "resolve-claim":
			rc.add(float64(e), 1, float64(r.Children), b2f(dispute.NewCredits(s.Before, s.After) > 0), b2f(dispute.CounteredAtResolution(s.Before, s.After, s.Action.Claim)))
		case "upload-tensor":
			te.add(float64(e), 1, float64(words(len(s.Action.Data))))
		case "step":
			if !s.RealVM {
				byKind[r.Kind] = append(byKind[r.Kind], e-r.VMGas)
			}
		default:
			if k := indexOf(moveKinds, r.Kind); k >= 0 {
				x := make([]float64, len(moveKinds)+1)
				x[k] = 1
				x[len(moveKinds)] = b2f(len(s.Before.Claim(s.Action.Move.Parent).Children) == 0)
				mv.add(float64(e), x...)
				continue
			}
			byKind[r.Kind] = append(byKind[r.Kind], e)
		}
	}
	for _, p := range preimages {
		if e, ok := netExec(p.Tx); ok {
			pre.add(float64(e), 1, float64(words(p.Bytes)))
		}
	}
	for _, r := range payout {
		byKind[r.Kind] = append(byKind[r.Kind], r.Tx())
	}
	var err error
	set := func(dst *uint64, kind string) {
		if err != nil {
			return
		}
		if len(byKind[kind]) == 0 {
			err = fmt.Errorf("no %s measured", kind)
			return
		}
		*dst = median(byKind[kind])
	}
	set(&m.LocalData, "add-local-data")
	set(&m.LocalDataAgain, "add-local-data again")
	set(&m.Step, "step")
	set(&m.StepGraph, "step-transition")
	set(&m.Resolve, "resolve")
	var unlock, withdraw uint64
	set(&unlock, "claim-credit unlock")
	set(&withdraw, "claim-credit withdraw")
	if err != nil {
		return m, err
	}
	m.ClaimCredit = unlock + withdraw
	fits := map[string]*lsq{"moves": &mv, "resolveClaim": &rc, "tensor uploads": &te, "preimage uploads": &pre}
	coef := map[string][]uint64{}
	for name, f := range fits {
		c, err := f.solve()
		if err != nil {
			return m, fmt.Errorf("%s: %v", name, err)
		}
		coef[name] = c
	}
	c := coef["moves"]
	m.Move, m.PhaseRoot, m.FirstChild = [3]uint64{c[0], c[1], c[2]}, [2]uint64{c[3], c[4]}, c[5]
	c = coef["resolveClaim"]
	m.ResolveClaim, m.ResolveChild, m.NewCredit, m.Counter = c[0], c[1], c[2], c[3]
	m.TensorBase, m.TensorWord = coef["tensor uploads"][0], coef["tensor uploads"][1]
	m.PreimageBase, m.PreimageWord = coef["preimage uploads"][0], coef["preimage uploads"][1]
	return m, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func words(n int) int { return (n + 31) / 32 }

func indexOf(v []string, s string) int {
	for i, x := range v {
		if x == s {
			return i
		}
	}
	return -1
}

// lsq accumulates the normal equations of a least-squares fit y ≈ x·c.
type lsq struct {
	xtx [][]float64
	xty []float64
	n   int
}

func (l *lsq) add(y float64, x ...float64) {
	if l.xtx == nil {
		l.xtx, l.xty = make([][]float64, len(x)), make([]float64, len(x))
		for i := range x {
			l.xtx[i] = make([]float64, len(x))
		}
	}
	for i := range x {
		for j := range x {
			l.xtx[i][j] += x[i] * x[j]
		}
		l.xty[i] += x[i] * y
	}
	l.n++
}

// solve returns the coefficients, rounded to whole gas (negative ones to
// 0), by Gaussian elimination with partial pivoting; an error when the
// samples do not determine them.
func (l *lsq) solve() ([]uint64, error) {
	k := len(l.xty)
	if l.n <= k {
		return nil, fmt.Errorf("%d samples for %d coefficients", l.n, k)
	}
	a := make([][]float64, k)
	for i := range a {
		a[i] = append(append([]float64(nil), l.xtx[i]...), l.xty[i])
	}
	for col := range k {
		p := col
		for r := col + 1; r < k; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-9 {
			return nil, fmt.Errorf("coefficient %d is not determined by the samples", col)
		}
		a[col], a[p] = a[p], a[col]
		for r := range k {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c <= k; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	out := make([]uint64, k)
	for i := range k {
		out[i] = roundGas(a[i][k] / a[i][i])
	}
	return out, nil
}

func median(v []uint64) uint64 {
	w := append([]uint64(nil), v...)
	sort.Slice(w, func(i, j int) bool { return w[i] < w[j] })
	return w[len(w)/2]
}

func roundGas(v float64) uint64 {
	if v < 0 {
		return 0
	}
	return uint64(math.Round(v))
}

// ModelError is the gas model's error on one action kind: over its
// accepted actions, the measured and modelled medians and the worst
// action each way: the model's largest excess over the measured gas
// (Over, relative to the measured) and its largest shortfall (Under).
type ModelError struct {
	Kind           string   `json:"kind"`
	Actions        int      `json:"actions"`
	MeasuredMedian uint64   `json:"measured_median"`
	ModelMedian    uint64   `json:"model_median"`
	Over           WorstFit `json:"worst_over"`
	Under          WorstFit `json:"worst_under"`
}

// WorstFit is one action's measured and modelled gas and the relative
// difference |model − measured| / measured.
type WorstFit struct {
	Measured uint64  `json:"measured"`
	Model    uint64  `json:"model"`
	Relative float64 `json:"relative"`
}

// ModelErrors compares m's Cost with every sample's measured gas, per
// action kind (its main transaction's kind), sorted by kind.
//
// A step of a synthetic replay is priced with the VM's gas it measured
// (SyntheticStepper's, not a real VM's); a real game's step with m.VMStep.
func ModelErrors(m dispute.GasModel, samples []GasSample) []ModelError {
	type pair struct{ measured, model uint64 }
	by := map[string][]pair{}
	for _, s := range samples {
		mm := m
		if s.main().Kind == "step" && !s.RealVM {
			mm.VMStep = [2]uint64{s.main().VMGas, s.main().VMGas}
		}
		by[s.kind()] = append(by[s.kind()], pair{s.Measured(), mm.Cost(s.Before, s.After, s.Action)})
	}
	var out []ModelError
	for k, ps := range by {
		e := ModelError{Kind: k, Actions: len(ps)}
		var ms, mo []uint64
		for _, p := range ps {
			ms, mo = append(ms, p.measured), append(mo, p.model)
			rel := math.Round(math.Abs(float64(p.model)-float64(p.measured))/float64(p.measured)*1e4) / 1e4
			w := WorstFit{Measured: p.measured, Model: p.model, Relative: rel}
			if p.model >= p.measured && rel > e.Over.Relative {
				e.Over = w
			}
			if p.model < p.measured && rel > e.Under.Relative {
				e.Under = w
			}
		}
		e.MeasuredMedian, e.ModelMedian = median(ms), median(mo)
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

// GasModelSource returns dispute/gas_measured.go for m.
func GasModelSource(m dispute.GasModel) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by make gas-dispute (TestEVM_DISPUTE_GAS in conformance/cannon/evm); DO NOT EDIT.\n\n")
	b.WriteString("package dispute\n\n")
	b.WriteString("// MeasuredGas is the gas model fitted to OPcityDisputeGame's transactions in\n")
	b.WriteString("// go-ethereum's EVM (docs/report/dispute-gas.json).\n")
	b.WriteString("var MeasuredGas = GasModel{\n")
	v, t := reflect.ValueOf(m), reflect.TypeOf(m)
	for i := range t.NumField() {
		f := v.Field(i)
		if f.Kind() == reflect.Array {
			fmt.Fprintf(&b, "\t%s: %s{", t.Field(i).Name, f.Type())
			for j := range f.Len() {
				if j > 0 {
					b.WriteString(", ")
				}
				fmt.Fprintf(&b, "%d", f.Index(j).Uint())
			}
			b.WriteString("},\n")
			continue
		}
		fmt.Fprintf(&b, "\t%s: %d,\n", t.Field(i).Name, f.Uint())
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}
