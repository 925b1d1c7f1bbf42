package report

import (
	"bytes"
	"fmt"
	"math"
)

// stepsChart draws the VM steps of every node under both profiles as
// grouped horizontal bars on a log scale, in SVG with no dependencies.
func stepsChart(rows []nodeRow) []byte {
	const (
		left, top, barH, gap, width = 230.0, 40.0, 11.0, 8.0, 900.0
		lo, hi                      = 4.0, 8.0 // log10 of the axis: 10^4 to 10^8 steps
	)
	height := top + float64(len(rows))*(2*barH+gap) + 40
	x := func(steps uint64) float64 {
		v := math.Log10(math.Max(float64(steps), 1))
		return left + (math.Min(math.Max(v, lo), hi)-lo)/(hi-lo)*(width-left-20)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", width, height)
	fmt.Fprintf(&b, `<text x="%.0f" y="20" font-size="13">VM steps per node from the prestate (log scale): base (grey) vs OPcity (blue)</text>`+"\n", left)
	for e := lo; e <= hi; e++ {
		px := left + (e-lo)/(hi-lo)*(width-left-20)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/><text x="%.1f" y="%.0f" text-anchor="middle">1e%.0f</text>`+"\n", px, top-5, px, height-30, px, height-15, e)
	}
	y := top
	for _, r := range rows {
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s %d %s</text>`+"\n", left-6, y+barH+3, r.model, r.node, r.op)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="#999"/>`+"\n", left, y, x(r.base.steps)-left, barH)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="#3b6fd4"/>`+"\n", left, y+barH, x(r.opcity.steps)-left, barH)
		y += 2*barH + gap
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

// disputeChart draws, for each model and profile, the mean claims per game
// and the mean honest gas of the simulated batches as horizontal bars.
func disputeChart(figs []disputeFigures) []byte {
	const left, top, barH, gap, panelW = 170.0, 50.0, 16.0, 6.0, 300.0
	height := top + float64(len(figs))*(barH+gap) + 40
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`+"\n", left+2*panelW+60, height)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="13">Dispute game, simulated batches: base (grey) vs OPcity (blue)</text>`+"\n")
	panels := []struct {
		title string
		value func(disputeFigures) float64
		unit  string
	}{
		{"mean claims per game", func(d disputeFigures) float64 { return d.agg.MeanClaims }, ""},
		{"mean honest gas (millions)", func(d disputeFigures) float64 { return d.agg.MeanHonestGas / 1e6 }, "M"},
	}
	for p, panel := range panels {
		x0 := left + float64(p)*(panelW+30)
		peak := 0.0
		for _, d := range figs {
			peak = math.Max(peak, panel.value(d))
		}
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">%s</text>`+"\n", x0, top-12, panel.title)
		y := top
		for _, d := range figs {
			if p == 0 {
				fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s, %s</text>`+"\n", left-8, y+barH-4, d.model, d.profile)
			}
			fill := "#999"
			if d.profile != "base" {
				fill = "#3b6fd4"
			}
			v := panel.value(d)
			w := v / peak * (panelW - 60)
			fmt.Fprintf(&b, `<rect x="%.0f" y="%.1f" width="%.1f" height="%.0f" fill="%s"/><text x="%.1f" y="%.1f">%.1f%s</text>`+"\n", x0, y, w, barH, fill, x0+w+4, y+barH-4, v, panel.unit)
			y += barH + gap
		}
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}
