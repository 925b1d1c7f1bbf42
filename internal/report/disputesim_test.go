package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/opcity-spec/opcity/dispute/play"
	"github.com/opcity-spec/opcity/dispute/sim"
)

// simOutput is a hand-made two-class batch: `none` (2 games, all well)
// and `wrong-node` (3 games: one decided wrongly, one honest claim of
// 0.098 ETH countered and its bond kept, one game not conserving bonds).
var simOutput = play.Output{
	Games: 5,
	Classes: []play.ClassSummary{
		{Scenario: "none", Resolution: play.Quartiles{Min: 3.5, Max: 3.5}, Aggregate: sim.Aggregate{
			Games: 2, Correct: 2, HonestRoots: 2, HonestClaims: 2, HonestBonds: 160_000_000, HonestReturned: 160_000_000,
			MeanResolvedDays: 3.5, MaxResolvedDays: 3.5, MeanClaims: 1, MeanHonestGas: 150_000, MeanHonestPeakETH: 0.08, MeanHonestLockedETHDays: 0.84}},
		{Scenario: "wrong-node", Resolution: play.Quartiles{Min: 4, Max: 4.25}, Aggregate: sim.Aggregate{
			Games: 3, Correct: 2, WrongRoots: 3, WrongDefeated: 2, NotConserved: 1,
			HonestClaims: 51, HonestCountered: 1, HonestCounteredBonds: 98_000_000, HonestBonds: 544_043_493_000, HonestReturned: 543_945_493_000,
			HonestCounteredGames: 1, WorstGameScenario: "wrong-node", WorstGameSeed: 0xabc, WorstGameCountered: 1, HonestNetGwei: -1_234_567_890,
			MeanResolvedDays: 4.1666, MaxResolvedDays: 4.25, MeanClaims: 34.333, MeanHonestGas: 6_340_000, MeanAdversaryGas: 3_280_000,
			MeanHonestPeakETH: 1181.35, MeanHonestLockedETHDays: 1927.4, SpendRatio: 117.64, Rejected: map[string]int{"bad depth": 1200, "wrong bond": 34}}},
	},
	Aggregate: sim.Aggregate{
		Games: 5, Correct: 4, WrongRoots: 3, WrongDefeated: 2, HonestRoots: 2, NotConserved: 1,
		HonestClaims: 53, HonestCountered: 1, HonestCounteredBonds: 98_000_000, HonestBonds: 544_203_493_000, HonestReturned: 544_105_493_000,
		HonestNetGwei: -1_234_567_890, MeanResolvedDays: 4, MaxResolvedDays: 4.25, MeanClaims: 21, MeanHonestGas: 3_864_000, MeanAdversaryGas: 1_968_000,
		MeanHonestPeakETH: 708.84, MeanHonestLockedETHDays: 1156.78, SpendRatio: 117.64, Rejected: map[string]int{"bad depth": 1200, "wrong bond": 34}},
}

// TestWriteClassTable: one per-claim row per class and the batch's row,
// ETH to three decimals, the net signed, conserved as games − not
// conserved over games.
func TestWriteClassTable(t *testing.T) {
	want := "| class | games | correct | honest claims | honest claims countered (count / gwei) | honest bonds (ETH) | honest bonds returned (ETH) | bonds conserved | mean / max resolution (d) | honest net (net, for reference; ETH) |\n" +
		"|---|---|---|---|---|---|---|---|---|---|\n" +
		"| `none` | 2 | 2 | 2 | 0 / 0 | 0.160 | 0.160 | 2 / 2 | 3.50 / 3.50 | +0.000 |\n" +
		"| `wrong-node` | 3 | 2 | 51 | 1 / 98,000,000 | 544.043 | 543.945 | 2 / 3 | 4.17 / 4.25 | -1.235 |\n" +
		"| **all** | 5 | 4 | 53 | 1 / 98,000,000 | 544.203 | 544.105 | 4 / 5 | 4.00 / 4.25 | -1.235 |\n"
	var b bytes.Buffer
	writeClassTable(&b, simOutput)
	if got := b.String(); got != want {
		t.Errorf("writeClassTable wrote\n%s\nwant\n%s", got, want)
	}
}

// TestWriteClassDetails: roots, claims, gas in millions, capital, spend
// and the sum of the rejected actions per class and for the batch.
func TestWriteClassDetails(t *testing.T) {
	want := "| class | wrong roots defeated | honest roots lost | mean claims | mean gas honest / adversary (M) | mean honest capital peak (ETH) / locked (ETH·d) | adv/honest spend | rejected actions |\n" +
		"|---|---|---|---|---|---|---|---|\n" +
		"| `none` | 0 / 0 | 0 / 2 | 1.0 | 0.15 / 0.00 | 0.08 / 1 | 0.0 | 0 |\n" +
		"| `wrong-node` | 2 / 3 | 0 / 0 | 34.3 | 6.34 / 3.28 | 1181.35 / 1,927 | 117.6 | 1,234 |\n" +
		"| **all** | 2 / 3 | 0 / 2 | 21.0 | 3.86 / 1.97 | 708.84 / 1,157 | 117.6 | 1,234 |\n"
	var b bytes.Buffer
	writeClassDetails(&b, simOutput)
	if got := b.String(); got != want {
		t.Errorf("writeClassDetails wrote\n%s\nwant\n%s", got, want)
	}
}

// TestWriteWorstClass: the class with a countered honest claim is named
// with its count, bonds, games and worst game; the longest resolution and
// the most honest bonds are picked per class (compared with the words
// reflowed, since para decides the line breaks).
func TestWriteWorstClass(t *testing.T) {
	want := "**Worst class.** The most honest claims countered are `wrong-node`'s in every batch " +
		"(MLP, base: 1 honest claims countered (98,000,000 gwei) in 1 of its 3 games; worst game seed 0000000000000abc, 1 countered). " +
		"By the other two measures: the longest resolution is `wrong-node`'s in every batch " +
		"(MLP, base: 4.25 d (min 4.00 d), 0 clock extensions per game), " +
		"and the most honest capital is `wrong-node`'s in every batch " +
		"(MLP, base: 544 ETH of honest bonds over its 3 games, 98,000,000 gwei not returned; " +
		"a mean honest peak of 1,181 ETH per game, against 591 ETH in the batch's median class)."
	var b bytes.Buffer
	writeWorstClass(&b, []simBatch{{simBatchSpec: simBatchSpec{label: "MLP, base"}, out: simOutput}})
	if got := strings.Join(strings.Fields(b.String()), " "); got != want {
		t.Errorf("writeWorstClass wrote\n%s\nwant\n%s", got, want)
	}
}

// TestVerdict: a failing class is named with every failure, not hidden
// in the batch's totals.
func TestVerdict(t *testing.T) {
	want := "**Not every class kept every honest claim and bond**: MLP, base `wrong-node`: " +
		"1 honest claims countered (98,000,000 gwei) in 1 games, 543,945,493,000 of 544,043,493,000 gwei of honest bonds returned, " +
		"1 of 3 games decided wrongly, 1 games not conserving bonds. Per batch:"
	if got := verdict([]simBatch{{simBatchSpec: simBatchSpec{label: "MLP, base"}, out: simOutput}}); got != want {
		t.Errorf("verdict\n%s\nwant\n%s", got, want)
	}
}

// TestPara: 20 words of 9 letters reflow into lines of 7, 7 and 6 words
// (7 words take 69 columns, 8 would take 79 > 76).
func TestPara(t *testing.T) {
	words := strings.Repeat("abcdefghi ", 20)
	line := func(n int) string { return strings.TrimSpace(strings.Repeat("abcdefghi ", n)) }
	want := line(7) + "\n" + line(7) + "\n" + line(6) + "\n"
	var b bytes.Buffer
	para(&b, "%s", words)
	if got := b.String(); got != want {
		t.Errorf("para wrote\n%q\nwant\n%q", got, want)
	}
}

// TestFcommas: separators, rounding, the sign kept only when the rounded
// value is not zero.
func TestFcommas(t *testing.T) {
	for _, c := range []struct {
		x    float64
		dec  int
		want string
	}{{0, 3, "0.000"}, {999.9996, 3, "1,000.000"}, {1234567.891, 0, "1,234,568"}, {-1234.5678, 2, "-1,234.57"}, {-0.0001, 3, "0.000"}} {
		if got := fcommas(c.x, c.dec); got != c.want {
			t.Errorf("fcommas(%v, %d) = %q, want %q", c.x, c.dec, got, c.want)
		}
	}
	if got := signed(-0.0001, 3); got != "+0.000" {
		t.Errorf("signed(-0.0001, 3) = %q, want +0.000", got)
	}
}
