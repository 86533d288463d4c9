package curve

import "testing"

// perN builds points whose EDL/n are v at n = 1, 2, … with the test term's
// standard error per example se everywhere.
func perN(se float64, v ...float64) []Point {
	var out []Point
	for i, x := range v {
		n := float64(i + 1)
		out = append(out, Point{N: int64(i + 1), EDLIdeal: x * n, EDLSE: se * n})
	}
	return out
}

// PeakOf on curves drawn by hand: the tolerance is max(0.05, 2·SE) bits per
// example.
func TestPeakOf(t *testing.T) {
	for _, c := range []struct {
		name string
		pts  []Point
		peak int
		want Shape
	}{
		{"falls from the start", perN(0, 3, 2, 1), 0, ShapeFalling},
		// A rise of 0.04 to the peak is within 0.05: still falling.
		{"plateau then fall", perN(0, 3, 3.04, 1), 1, ShapeFalling},
		// The same rise with no floor would count; 0.06 does.
		{"small rise then fall", perN(0, 3, 3.06, 1), 1, ShapeRisingFalling},
		{"rises to the end", perN(0, 1, 2, 3), 2, ShapeRising},
		// The peak inside, but the last within 0.05 of it: rising.
		{"rise then level", perN(0, 1, 3, 2.96), 1, ShapeRising},
		{"level", perN(0, 2, 2.03, 1.98), 1, ShapeFlat},
		// SE 0.5: tolerance 1, so a rise of 0.8 and a fall of 0.9 are noise.
		{"noisy", perN(0.5, 2, 2.8, 1.9), 1, ShapeFlat},
		{"noisy, then a real fall", perN(0.5, 2, 2.8, 0.5), 1, ShapeFalling},
		{"one point", perN(0, 2), 0, ShapeFlat},
	} {
		peak, got := PeakOf(c.pts)
		if peak != c.peak || got != c.want {
			t.Errorf("%s: peak %d, %s; want %d, %s", c.name, peak, got, c.peak, c.want)
		}
	}
	if peak, got := PeakOf(nil); peak != 0 || got != ShapeFlat {
		t.Errorf("no points: %d %s", peak, got)
	}
}

// ShapeOf and PeakOf share the definition of a rise and a fall: on curves
// whose steps are all well beyond either tolerance, a curve falls for one
// exactly when it falls for the other, and rises then falls likewise.
func TestShapeOfAndPeakOfAgree(t *testing.T) {
	for _, v := range [][]float64{
		{5, 4, 3, 2, 1},
		{1, 3, 5, 3, 1},
		{1, 2, 3, 4},
		{4, 4, 4},
	} {
		_, peak := PeakOf(perN(0.01, v...))
		if step := ShapeOf(perN(0.01, v...)); step != peak {
			t.Errorf("%v: ShapeOf %s, PeakOf %s", v, step, peak)
		}
	}
}
