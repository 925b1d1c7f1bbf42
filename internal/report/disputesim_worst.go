package report

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute/play"
)

// batchPick is one batch's worst class by some measure ("" when no class
// counts) and what the report says about it.
type batchPick struct {
	label, class, detail string
}

// worstClass returns o's class with the largest key, the first of equals;
// false when every class's key is 0.
func worstClass(o play.Output, key func(play.ClassSummary) float64) (play.ClassSummary, bool) {
	var best play.ClassSummary
	found := false
	for _, c := range o.Classes {
		if k := key(c); k > 0 && (!found || k > key(best)) {
			best, found = c, true
		}
	}
	return best, found
}

// pickSentence joins the picks, naming the class once when it is the same
// in every batch: "`c`'s in every batch (label: detail; …)", otherwise
// "label: `c` (detail); …" ("label: none" for a batch without one).
func pickSentence(picks []batchPick) string {
	same := picks[0].class != ""
	for _, p := range picks {
		same = same && p.class == picks[0].class
	}
	var parts []string
	for _, p := range picks {
		switch {
		case same:
			parts = append(parts, p.label+": "+p.detail)
		case p.class == "":
			parts = append(parts, p.label+": none")
		default:
			parts = append(parts, fmt.Sprintf("%s: `%s` (%s)", p.label, p.class, p.detail))
		}
	}
	if same {
		return fmt.Sprintf("`%s`'s in every batch (%s)", picks[0].class, strings.Join(parts, "; "))
	}
	return strings.Join(parts, "; ")
}

// writeWorstClass writes the worst class of every batch by honest claims
// countered, by the longest resolution and by the honest bonds posted.
func writeWorstClass(w io.Writer, batches []simBatch) {
	var countered, longest, capital []batchPick
	for _, b := range batches {
		countered = append(countered, mostCountered(b))
		longest = append(longest, longestResolution(b))
		capital = append(capital, mostCapital(b))
	}
	first := "No class has a countered honest claim in any batch (0 in every row below; every batch's worst game is none), so there is no worst class by that measure."
	for _, p := range countered {
		if p.class != "" {
			first = "The most honest claims countered are " + pickSentence(countered) + "."
			break
		}
	}
	fmt.Fprintln(w)
	para(w, "**Worst class.** %s By the other two measures: the longest resolution is %s, and the most honest capital is %s.",
		first, pickSentence(longest), pickSentence(capital))
}

// mostCountered picks b's class with the most honest claims countered.
func mostCountered(b simBatch) batchPick {
	c, ok := worstClass(b.out, func(c play.ClassSummary) float64 { return float64(c.Aggregate.HonestCountered) })
	if !ok {
		return batchPick{label: b.label}
	}
	a := c.Aggregate
	return batchPick{b.label, c.Scenario, fmt.Sprintf("%s honest claims countered (%s gwei) in %s of its %s games; worst game seed %016x, %d countered",
		commasInt(a.HonestCountered), commas(a.HonestCounteredBonds), commasInt(a.HonestCounteredGames), commasInt(a.Games), a.WorstGameSeed, a.WorstGameCountered)}
}

// longestResolution picks b's class with the longest resolution.
func longestResolution(b simBatch) batchPick {
	c, ok := worstClass(b.out, func(c play.ClassSummary) float64 { return c.Aggregate.MaxResolvedDays })
	if !ok {
		return batchPick{label: b.label}
	}
	a := c.Aggregate
	return batchPick{b.label, c.Scenario, fmt.Sprintf("%.2f d (min %.2f d), %s clock extensions per game",
		a.MaxResolvedDays, c.Resolution.Min, num(float64(a.Extensions)/float64(a.Games)))}
}

// mostCapital picks b's class with the most honest bonds posted.
func mostCapital(b simBatch) batchPick {
	c, ok := worstClass(b.out, func(c play.ClassSummary) float64 { return float64(c.Aggregate.HonestBonds) })
	if !ok {
		return batchPick{label: b.label}
	}
	a := c.Aggregate
	back := "all returned"
	if a.HonestReturned != a.HonestBonds {
		back = fmt.Sprintf("%s gwei not returned", commas(a.HonestBonds-a.HonestReturned))
	}
	return batchPick{b.label, c.Scenario, fmt.Sprintf("%s ETH of honest bonds over its %s games, %s; a mean honest peak of %s ETH per game, against %s ETH in the batch's median class",
		fcommas(eth(a.HonestBonds), 0), commasInt(a.Games), back, fcommas(a.MeanHonestPeakETH, 0), fcommas(medianPeak(b.out), 0))}
}

// medianPeak is the median over o's classes of the mean honest capital
// peak (ETH).
func medianPeak(o play.Output) float64 {
	var v []float64
	for _, c := range o.Classes {
		v = append(v, c.Aggregate.MeanHonestPeakETH)
	}
	if len(v) == 0 {
		return 0
	}
	sort.Float64s(v)
	if n := len(v); n%2 == 0 {
		return (v[n/2-1] + v[n/2]) / 2
	}
	return v[len(v)/2]
}

// commasInt formats n with thousands separators.
func commasInt(n int) string {
	if n < 0 {
		return "-" + commas(uint64(-n))
	}
	return commas(uint64(n))
}

// signedInt formats n with its sign and thousands separators.
func signedInt(n int64) string {
	if n < 0 {
		return "-" + commas(uint64(-n))
	}
	return "+" + commas(uint64(n))
}

// fcommas formats x with dec decimals and thousands separators.
func fcommas(x float64, dec int) string {
	s := strconv.FormatFloat(math.Abs(x), 'f', dec, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	for i := len(intPart) - 3; i > 0; i -= 3 {
		intPart = intPart[:i] + "," + intPart[i:]
	}
	if frac != "" {
		intPart += "." + frac
	}
	if x < 0 && strings.Trim(s, "0.") != "" {
		return "-" + intPart
	}
	return intPart
}

// signed is fcommas with the sign always written.
func signed(x float64, dec int) string {
	s := fcommas(x, dec)
	if strings.HasPrefix(s, "-") {
		return s
	}
	return "+" + s
}

// eth converts gwei to ETH.
func eth(gwei uint64) float64 { return float64(gwei) / 1e9 }

// num formats x as an integer when it is one, else with two decimals.
func num(x float64) string {
	if x == math.Trunc(x) && math.Abs(x) < 1e15 {
		return commasInt(int(x))
	}
	return fmt.Sprintf("%.2f", x)
}
