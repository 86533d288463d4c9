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

// ShapeOf classifies the ideal-code EDL(n)/n of one run's points. A step
// between neighbouring grid points is a rise (fall) when it exceeds (is
// below minus) twice the larger standard error of the test term at its
// ends, and flat otherwise.
func ShapeOf(points []Point) Shape {
	var steps []int
	for k := 0; k+1 < len(points); k++ {
		a, b := points[k], points[k+1]
		d := b.PerN(b.EDLIdeal) - a.PerN(a.EDLIdeal)
		tol := 2 * max(a.PerN(a.EDLSE), b.PerN(b.EDLSE))
		switch {
		case d > tol:
			steps = append(steps, 1)
		case d < -tol:
			steps = append(steps, -1)
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
