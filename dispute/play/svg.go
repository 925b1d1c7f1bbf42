package play

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// series is one box per class in a box chart: its legend name, colour and
// the Quartiles it draws.
type series struct {
	name  string
	color string
	of    func(ClassSummary) Quartiles
}

// boxChart draws a horizontal box plot, one row per class and one box per
// series: whiskers from min to max, the box from the lower to the upper
// quartile, a bar at the median and a dot at the mean. Standard library
// only; the axis starts at 0.
func boxChart(title, unit string, classes []ClassSummary, ss ...series) string {
	const left, right, top, rowH, boxH = 150.0, 30.0, 50.0, 34.0, 10.0
	width := 760.0
	plotW := width - left - right
	height := top + rowH*float64(len(classes)) + 60
	hi := 0.0
	for _, c := range classes {
		for _, s := range ss {
			hi = math.Max(hi, s.of(c).Max)
		}
	}
	step := niceStep(hi / 6)
	hi = math.Max(step, math.Ceil(hi/step)*step)
	x := func(v float64) float64 { return left + plotW*v/hi }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", width, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="%.0f" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, html.EscapeString(title))
	bottom := top + rowH*float64(len(classes))
	for v := 0.0; v <= hi+step/2; v += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", x(v), top, x(v), bottom)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" text-anchor="middle">%s</text>`+"\n", x(v), bottom+16, trimFloat(v))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">%s</text>`+"\n", left+plotW/2, bottom+36, html.EscapeString(unit))
	for i, c := range classes {
		y0 := top + rowH*float64(i)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" text-anchor="end">%s (%d)</text>`+"\n", left-8, y0+rowH/2+4, html.EscapeString(c.Scenario), c.Aggregate.Games)
		for j, s := range ss {
			q := s.of(c)
			y := y0 + rowH/2 + (float64(j)-float64(len(ss)-1)/2)*(boxH+3)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`+"\n", x(q.Min), y, x(q.Max), y, s.color)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.5" stroke="%s"/>`+"\n", x(q.Q1), y-boxH/2, math.Max(1, x(q.Q3)-x(q.Q1)), boxH, s.color, s.color)
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="black" stroke-width="2"/>`+"\n", x(q.Median), y-boxH/2, x(q.Median), y+boxH/2)
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2.5" fill="black"/>`+"\n", x(q.Mean), y)
		}
	}
	for j, s := range ss {
		lx := left + float64(j)*200
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="10" fill="%s" fill-opacity="0.5" stroke="%s"/><text x="%.0f" y="%.0f">%s</text>`+"\n", lx, height-16, s.color, s.color, lx+16, height-7, html.EscapeString(s.name))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="end" fill="#666">box: Quartiles; bar: median; dot: mean; whiskers: min–max</text>`+"\n", width-right, height-7)
	b.WriteString("</svg>\n")
	return b.String()
}

// niceStep rounds a tick step up to 1, 2 or 5 times a power of ten.
func niceStep(s float64) float64 {
	if s <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(s)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= s {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), ".")
}
