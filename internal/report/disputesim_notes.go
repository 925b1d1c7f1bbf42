package report

import (
	"fmt"
	"io"
	"path"
	"reflect"
	"strconv"
	"strings"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// writeReading writes how to read the per-class tables: the accounting's
// terms, which classes' games differ in resolution time, what the CNN's
// geometry changes, and the duration bound.
func writeReading(w io.Writer, batches []simBatch) {
	fmt.Fprintln(w)
	para(w, `Reading the tables. Honest claims and bonds are summed over the class's
games (the root counts when an honest party proposed it); "bonds conserved"
counts the games whose payouts equal the bonds posted. Capital "locked" is
the time integral of the honest bonds from posting to resolution plus the
%s-day withdrawal delay; the peak counts the bonds posted by the address
`+"`honest`"+` only%s. Spend is gas × %d gwei plus bonds lost. Within a class the
games differ in the faulty block, node and divergence step; %s.%s %s`, days(sim.DefaultPlay.WithdrawalDelay), twoHonestClause(batches[0].out), sim.DefaultPlay.GasPrice,
		sameTimeClause(batches), modelClause(batches), boundClause(batches))
}

// days formats seconds as days, with no trailing zeros.
func days(s uint64) string { return strconv.FormatFloat(float64(s)/86400, 'f', -1, 64) }

// twoHonestClause says what o's `two-honest` row shows as its peak, if o
// has the class.
func twoHonestClause(o play.Output) string {
	c, ok := classOf(o, "two-honest")
	if !ok {
		return ""
	}
	return fmt.Sprintf(", which is why `two-honest` shows %.2f ETH (there the second solver, `honest-2`, posts the moves; its bonds are in the per-claim columns)", c.Aggregate.MeanHonestPeakETH)
}

// sameTimeClause names the classes, in any batch, whose games do not all
// resolve after the same time.
func sameTimeClause(batches []simBatch) string {
	var differ []string
	seen := map[string]bool{}
	for _, b := range batches {
		for _, c := range b.out.Classes {
			if c.Resolution.Min != c.Resolution.Max && !seen[c.Scenario] {
				seen[c.Scenario] = true
				differ = append(differ, c.Scenario)
			}
		}
	}
	if len(differ) == 0 {
		return "every game of a class resolves after the same time"
	}
	return "every game of a class resolves after the same time, except in " + ticks(differ) + " (its min and max differ)"
}

// modelClause compares the first two models' base batches: the claims of
// a `wrong-node` game, the tree geometry, and the classes whose honest
// claims per game differ.
func modelClause(batches []simBatch) string {
	pairs := modelPairs(batches)
	if len(pairs) < 2 {
		return ""
	}
	m, c := pairs[0].base, pairs[1].base
	s := ""
	if mc, ok := classOf(m.out, "wrong-node"); ok {
		cc, _ := classOf(c.out, "wrong-node")
		s = fmt.Sprintf(" A `wrong-node` game takes %.1f claims with the %s and %.1f with the %s (MaxDepth %d, phase 2 at depths %d–%d, against %d, %d–%d).",
			cc.Aggregate.MeanClaims, pairs[1].name, mc.Aggregate.MeanClaims, pairs[0].name, c.geom.maxDepth, c.geom.split1+1, c.geom.split2, m.geom.maxDepth, m.geom.split1+1, m.geom.split2)
	}
	var differ []string
	for _, mc := range m.out.Classes {
		cc, ok := classOf(c.out, mc.Scenario)
		if mh, ch := perGame(mc.Aggregate), perGame(cc.Aggregate); ok && mh != ch && mc.Scenario != "exhaustive" {
			differ = append(differ, fmt.Sprintf("`%s` (%s against %s)", mc.Scenario, num(ch), num(mh)))
		}
	}
	if len(differ) == 0 {
		return s
	}
	s += fmt.Sprintf(" Honest claims per game differ between the %s and the %s (besides `exhaustive`) in %s", pairs[1].name, pairs[0].name, strings.Join(differ, ", "))
	if c.geom.maxDepth%2 != m.geom.maxDepth%2 {
		even := pairs[1].name
		if m.geom.maxDepth%2 == 0 {
			even = pairs[0].name
		}
		s += fmt.Sprintf(": the max-depth claim is the defender's when MaxDepth is even and the challenger's when it is odd, so with the %s the honest defender posts it and the challenger's lie ends at resolution, not in a step", even)
	}
	return s + "."
}

// perGame is a's honest claims per game.
func perGame(a sim.Aggregate) float64 {
	if a.Games == 0 {
		return 0
	}
	return float64(a.HonestClaims) / float64(a.Games)
}

// boundClause says whether every batch's longest resolution is within its
// geometry's Config.MaxDuration, with the bounds and the longest ones.
func boundClause(batches []simBatch) string {
	var bounds, over []string
	for _, p := range modelPairs(batches) {
		bounds = append(bounds, fmt.Sprintf("%.2f d for the %s geometry", float64(p.base.geom.maxDuration)/86400, p.name))
	}
	var longest []batchPick
	for _, b := range batches {
		if b.out.Aggregate.MaxResolvedDays*86400 > float64(b.geom.maxDuration) {
			over = append(over, fmt.Sprintf("%s (%.2f d)", b.label, b.out.Aggregate.MaxResolvedDays))
		}
		p := longestResolution(b)
		p.detail = fmt.Sprintf("%.2f d", b.out.Aggregate.MaxResolvedDays)
		longest = append(longest, p)
	}
	head := "Every resolution time is within"
	if len(over) > 0 {
		head = "**Not every resolution time is within**"
	}
	s := fmt.Sprintf("%s the analytic bound `Config.MaxDuration()` = 2·%s d + Σ ext(d) (DISPUTE-DURATION, docs/dispute.md §6.1) = %s", head, days(batches[0].geom.maxClock), strings.Join(bounds, " and "))
	if len(over) > 0 {
		s += "; over it: " + strings.Join(over, ", ")
	}
	return s + "; the longest: " + pickSentence(longest) + "."
}

// writeRejected writes the rejected actions per model (per batch when a
// model's profiles differ) and class, and what the adversaries that check
// their actions first show.
func writeRejected(w io.Writer, batches []simBatch) {
	fmt.Fprint(w, "\n## Rejected actions\n\n")
	para(w, "Illegal actions submitted, every one rejected with its typed error, by class (a class not named had none):")
	fmt.Fprintln(w)
	for _, p := range modelPairs(batches) {
		if reflect.DeepEqual(classRejected(p.base.out), classRejected(p.opcity.out)) {
			fmt.Fprintf(w, "- %s batches (both profiles the same): %s.\n", p.name, classRejections(p.base.out))
			continue
		}
		for _, b := range []simBatch{p.base, p.opcity} {
			fmt.Fprintf(w, "- %s: %s.\n", b.label, classRejections(b.out))
		}
	}
	for _, b := range batches {
		if c, ok := classOf(b.out, "poisoned-prestate"); ok && c.Aggregate.Rejected["valid step"] > 0 {
			fmt.Fprintln(w)
			para(w, "A `valid step` is a step that does not disprove the claim it attacks: where the poisoned challenger faces the honest max-depth claim (an even MaxDepth), its steps from its own witness-less states do not disprove it.")
			break
		}
	}
	writeTransitionNote(w, batches)
}

// classRejected returns o's rejected actions by class, for the classes
// that had any.
func classRejected(o play.Output) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, c := range o.Classes {
		if rejectedSum(c.Aggregate) > 0 {
			out[c.Scenario] = c.Aggregate.Rejected
		}
	}
	return out
}

// classRejections formats o's rejected actions by class, in class order.
func classRejections(o play.Output) string {
	var parts []string
	for _, c := range o.Classes {
		if n := rejectedSum(c.Aggregate); n > 0 {
			parts = append(parts, fmt.Sprintf("`%s` %s (%s)", c.Scenario, commasInt(n), rejectedList(c.Aggregate)))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// writeTransitionNote writes why the adversaries that check their actions
// show no rejections, with the transition-step classes' rejected actions
// and honest claims countered over every batch.
func writeTransitionNote(w io.Writer, batches []simBatch) {
	rejected, countered := 0, 0
	for _, b := range batches {
		for _, name := range []string{"transition-step", "transition-step-challenge"} {
			if c, ok := classOf(b.out, name); ok {
				rejected += rejectedSum(c.Aggregate)
				countered += c.Aggregate.HonestCountered
			}
		}
	}
	accepted := "none is accepted, which shows"
	if countered > 0 {
		accepted = "**some are accepted**, which shows"
	}
	fmt.Fprintln(w)
	para(w, `The other adversaries check their actions against the game before
submitting them, so their attempts that the rules refuse do not appear as
rejected actions. In particular the `+"`transition-step`"+` and
`+"`transition-step-challenge`"+` adversaries try a transition step, attack and
defense, against every uncountered honest phase-2 leaf on every turn and
submit only those the game accepts; under the current rule (a transition
step cannot counter a well-formed graph transition) %s in their rows
as %s rejected actions and %s honest claims countered over the %d batches.`, accepted, commasInt(rejected), commasInt(countered), len(batches))
}

// writeExtensions writes each batch's clock extensions by class.
func writeExtensions(w io.Writer, batches []simBatch) {
	fmt.Fprint(w, "\n## Clock extensions\n\nClock extensions by class (a class not named triggers none):\n\n")
	for _, b := range batches {
		var parts []string
		for _, c := range b.out.Classes {
			if a := c.Aggregate; a.Extensions > 0 {
				parts = append(parts, fmt.Sprintf("`%s` %s (%s per game)", c.Scenario, commasInt(a.Extensions), num(float64(a.Extensions)/float64(a.Games))))
			}
		}
		if len(parts) == 0 {
			parts = []string{"none"}
		}
		fmt.Fprintf(w, "- %s: %s.\n", b.label, strings.Join(parts, ", "))
	}
}

// writePlots writes the first batch's plots and where the others' are.
func writePlots(w io.Writer, batches []simBatch) {
	var others []string
	for _, b := range batches[1:] {
		others = append(others, "`"+path.Join("dispute-sim", b.sub)+"/`")
	}
	dir := path.Join("dispute-sim", batches[0].sub)
	fmt.Fprint(w, "\n## Plots\n\n")
	para(w, "Box plots per class (box: quartiles; bar: median; dot: mean; whiskers: min–max), %s batch; the other batches' are in their folders (%s).", batches[0].label, strings.Join(others, ", "))
	fmt.Fprintf(w, `
![resolution time](%s/resolution.svg)

![gas](%s/gas.svg)

![honest capital](%s/capital.svg)
`, dir, dir, dir)
}
