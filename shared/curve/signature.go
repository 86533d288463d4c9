package curve

// Shape is the form of one run's EDL(n)/n over the grid.
type Shape string

// Shapes.
const (
	ShapeFalling       Shape = "falling"        // no significant rise, at least one fall
	ShapeRisingFalling Shape = "rising-falling" // significant rises, then significant falls, nothing else
	ShapeRising        Shape = "rising"         // only rises
	ShapeFlat          Shape = "flat"           // no significant step
	ShapeMixed         Shape = "mixed"          // a fall before a rise
)

// Regime is the signature of a set of runs (EDL.md, "Elicitation versus
// teaching").
type Regime string

// Regimes.
const (
	Elicitation  Regime = "elicitation"  // EDL/n falls over the whole grid in every seed
	Teaching     Regime = "teaching"     // EDL/n rises then falls in every seed
	Undetermined Regime = "undetermined" // the seeds disagree, or another shape
)

// change is the one definition of a significant step of EDL/n from one
// value to another: a rise (+1) when it grows by more than tol, a fall (−1)
// when it shrinks by more than tol, level (0) otherwise. ShapeOf and PeakOf
// differ only in the tolerance they pass.
func change(from, to, tol float64) int {
	switch d := to - from; {
	case d > tol:
		return 1
	case d < -tol:
		return -1
	}
	return 0
}

// ShapeOf classifies the ideal-code EDL(n)/n of one run's points. A step
// between neighbouring grid points is a rise (fall) when it exceeds (is
// below minus) twice the larger standard error of the test term at its
// ends, and flat otherwise.
func ShapeOf(points []Point) Shape {
	var steps []int
	for k := 0; k+1 < len(points); k++ {
		a, b := points[k], points[k+1]
		if s := change(a.PerN(a.EDLIdeal), b.PerN(b.EDLIdeal), 2*max(a.PerN(a.EDLSE), b.PerN(b.EDLSE))); s != 0 {
			steps = append(steps, s)
		}
	}
	rises, falls, fellFirst := 0, 0, false
	for _, s := range steps {
		if s > 0 {
			if falls > 0 {
				fellFirst = true
			}
			rises++
		} else {
			falls++
		}
	}
	switch {
	case len(steps) == 0:
		return ShapeFlat
	case fellFirst:
		return ShapeMixed
	case rises == 0:
		return ShapeFalling
	case falls == 0:
		return ShapeRising
	}
	return ShapeRisingFalling
}

// Classify is the signature of runs: elicitation when every run falls,
// teaching when every run rises then falls, undetermined otherwise (or
// with no runs).
func Classify(runs []Run) Regime {
	if len(runs) == 0 {
		return Undetermined
	}
	all := func(s Shape) bool {
		for _, r := range runs {
			if ShapeOf(r.Points) != s {
				return false
			}
		}
		return true
	}
	switch {
	case all(ShapeFalling):
		return Elicitation
	case all(ShapeRisingFalling):
		return Teaching
	}
	return Undetermined
}

// PeakFloor is the least rise or fall, in bits/example, that PeakOf counts:
// the overall form of a curve should not turn on a wobble that twice the
// test term's standard error would still call significant when the test
// set is large.
const PeakFloor = 0.05

// PeakOf reads the overall form of one run's ideal-code EDL(n)/n from three
// of its points, where ShapeOf reads every step: the first grid point, the
// maximum (its index is returned; the first of equals) and the last. With
// change's rule at tolerance max(PeakFloor, 2·SE) (the test term's standard
// error per example at the point compared against the first, or at the
// peak): falling when the peak is not a rise over the first point and the
// last is a fall from it; flat when neither; rising when the last is not a
// fall from the peak; rising-falling otherwise (an interior peak that rises
// over the first point and falls to the last).
func PeakOf(points []Point) (peak int, shape Shape) {
	if len(points) == 0 {
		return 0, ShapeFlat
	}
	per := func(k int) float64 { return points[k].PerN(points[k].EDLIdeal) }
	for k := range points {
		if per(k) > per(peak) {
			peak = k
		}
	}
	tol := func(k int) float64 { return max(PeakFloor, 2*points[k].PerN(points[k].EDLSE)) }
	last := len(points) - 1
	switch {
	case peak == 0 || change(per(0), per(peak), tol(peak)) != 1:
		if change(per(0), per(last), tol(0)) == -1 {
			return peak, ShapeFalling
		}
		return peak, ShapeFlat
	case peak == last || change(per(peak), per(last), tol(peak)) != -1:
		return peak, ShapeRising
	}
	return peak, ShapeRisingFalling
}
