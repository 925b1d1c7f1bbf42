package play

import (
	"math"
	"slices"
)

// Quartiles are min, lower quartile, median, upper quartile, max and mean
// of one figure over a class's games. RelErr is 0 when they are exact;
// otherwise the Quartiles are the exact order statistics rounded toward
// zero to a relative precision better than RelErr, and the mean is exact
// up to floating-point rounding (dist).
type Quartiles struct {
	Min, Q1, Median, Q3, Max, Mean float64
	RelErr                         float64 `json:",omitempty"`
}

// distCap is the most distinct values a dist holds exactly.
const distCap = 4096

// dist is the distribution of one figure over a class's games, in memory
// that does not grow with the games (requirement DISPUTE-SIM-STREAM): a
// count per distinct value. The figures take few distinct values (times
// in whole ticks, integer gas and bonds: at most 39 per class in the
// 10,000-game batches of docs/dispute-report.md), so a dist is exact
// while it holds at most distCap values; beyond that every value is
// rounded toward zero by clearing the low bits of its float64 encoding,
// one more bit at a time until at most distCap remain. The rounding keeps
// the order, so a quartile is still the exact order statistic, rounded:
// with s low bits cleared, its relative error is below 2^(s−52).
type dist struct {
	buckets  map[float64]bucket
	shift    uint // low bits of the float64 encoding cleared
	n        int
	min, max float64
}

// bucket is the games of one (rounded) value: their number and the sum of
// their exact values.
type bucket struct {
	count int
	sum   float64
}

func newDist() *dist { return &dist{buckets: map[float64]bucket{}} }

// add counts one game's value (finite).
func (d *dist) add(x float64) {
	if d.n == 0 || x < d.min {
		d.min = x
	}
	if d.n == 0 || x > d.max {
		d.max = x
	}
	d.n++
	k := d.round(x)
	b := d.buckets[k]
	d.buckets[k] = bucket{b.count + 1, b.sum + x}
	for len(d.buckets) > distCap {
		d.coarsen()
	}
}

// round clears the low d.shift bits of x's encoding (toward zero).
func (d *dist) round(x float64) float64 {
	if d.shift == 0 {
		return x
	}
	return math.Float64frombits(math.Float64bits(x) &^ (1<<min(d.shift, 63) - 1))
}

// coarsen clears one more low bit of every value.
func (d *dist) coarsen() {
	d.shift++
	old := d.buckets
	d.buckets = make(map[float64]bucket, len(old))
	for k, b := range old {
		r := d.round(k)
		c := d.buckets[r]
		d.buckets[r] = bucket{c.count + b.count, c.sum + b.sum}
	}
}

// Quartiles returns the Quartiles: the value of rank round(q·(n−1)) for
// q = 1/4, 1/2, 3/4, and the mean. While exact, the mean is the sum of
// the values in ascending order, divided by n.
func (d *dist) Quartiles() Quartiles {
	if d.n == 0 {
		return Quartiles{}
	}
	keys := make([]float64, 0, len(d.buckets))
	for k := range d.buckets {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	q := Quartiles{Min: d.min, Max: d.max}
	ranks := []int{d.rank(0.25), d.rank(0.5), d.rank(0.75)}
	at := []*float64{&q.Q1, &q.Median, &q.Q3}
	var sum float64
	seen := 0
	for _, k := range keys {
		b := d.buckets[k]
		for j, r := range ranks {
			if r >= seen && r < seen+b.count {
				*at[j] = k
			}
		}
		seen += b.count
		sum = d.addTo(sum, k, b)
	}
	q.Mean = sum / float64(d.n)
	if d.shift > 0 {
		q.RelErr = math.Ldexp(1, int(d.shift)-52)
	}
	return q
}

// rank is the rank (from 0) of the q-quantile.
func (d *dist) rank(q float64) int { return int(q*float64(d.n-1) + 0.5) }

// addTo returns sum plus the bucket's values: while exact, its value
// added count times, one by one, as a running sum in ascending order adds
// it; once rounded, the sum of its exact values.
func (d *dist) addTo(sum, k float64, b bucket) float64 {
	if d.shift > 0 {
		return sum + b.sum
	}
	for range b.count {
		sum += k
	}
	return sum
}
