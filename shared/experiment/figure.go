package experiment

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/curve"
)

// Figure is a plot described by its numbers: what a toy wants drawn, for
// the edl command to render (gonum/plot, PNG and SVG) under Name.
type Figure struct {
	Name                  string // file name, without extension
	Title, XLabel, YLabel string // the axes' labels carry the units
	LogX, LogY            bool
	// YFromZero lets the y axis reach down to zero whatever the data
	// (a loss in bits, whose area is read against zero).
	YFromZero bool
	// YRange, if not nil, clips the y axis to [YRange[0], YRange[1]]
	// (values outside are not drawn; the CSV files have them all).
	YRange []float64
	Series []Series
}

// Series is one curve of a figure: a line, optionally with a shaded band
// (Lo..Hi) and point markers. Series with the same Key share a colour (an
// arm and its random-label control; a measurement and its prediction), so
// a reader pairs them by colour and tells them apart by the dash; an empty
// Key means the Name. Reference draws the series in black (an analytic
// prediction or a threshold, not a measurement). Area fills Lo..Hi
// instead of drawing a line, in the first colour no line of the figure
// takes, under the series after it.
type Series struct {
	Name      string
	Key       string
	X, Y      []float64
	Lo, Hi    []float64 // optional band
	Dashed    bool
	Points    bool
	Reference bool
	Area      bool
}

// StatSeries is the mean of one quantity of a curve's summary over the
// seeds, against n, with its min–max band; key pairs it with others of the
// same colour (an arm and its control).
func StatSeries(name, key string, stats []curve.Stat, pick func(curve.Stat) curve.Spread, dashed bool) Series {
	s := Series{Name: name, Key: key, Dashed: dashed, Points: true}
	for _, st := range stats {
		sp := pick(st)
		s.X = append(s.X, float64(st.N))
		s.Y = append(s.Y, sp.Mean)
		s.Lo = append(s.Lo, sp.Min)
		s.Hi = append(s.Hi, sp.Max)
	}
	return s
}

// Figures are edl elicit's (or intervene's) two figures: every arm's mean
// EDL/n (min–max band over seeds) with its random-label control, and the
// cumulative EDL; curves holds each arm's curve, in the report's order.
func (rep *ElicitReport) Figures(curves []curve.Document) []Figure {
	var per, cum []Series
	perN := func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }
	for i, ar := range rep.Arms {
		name := ar.Arm.Name
		per = append(per, StatSeries(name, name, curves[i].Summary, perN, false), StatSeries(name+" random-label control", name, curves[i].ControlSummary, perN, true))
		cum = append(cum, StatSeries(name, name, curves[i].Summary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, false))
	}
	for i := range per {
		per[i].Points = false
	}
	return []Figure{
		{Name: "edl_per_example_arms", Title: fmt.Sprintf("edl %s: EDL(n)/n per arm, p=%d", rep.Mode, rep.Options.P), XLabel: "n (examples, log scale)",
			YLabel: "EDL/n (bits/example)", LogX: true, Series: per},
		{Name: "edl_cumulative_arms", Title: fmt.Sprintf("edl %s: cumulative EDL(n) per arm", rep.Mode), XLabel: "n (examples, log scale)",
			YLabel: "EDL (bits)", LogX: true, Series: cum},
	}
}

// Figures are edl capacity's figures: capacity and PGR against the
// density (log axis), one line per adapter (solid: elicitation, dashed:
// teaching), over the grid points where the reference's EDL is at least
// MinRefBits (the thresholds' rule), y clipped to [−0.2, 3] (PGR: [−0.2,
// 1.3]), each arm's P* (P*_PGR) marked. A figure with no line is left out.
func (rep *CapacityReport) Figures() []Figure {
	var out []Figure
	for _, q := range []struct {
		name, label string
		pick        func(CapacityPoint) float64
		star        func(CapacityArm) float64
		ymax        float64
	}{
		{"capacity", "capacity EDL/EDL_ref", func(p CapacityPoint) float64 { return p.Capacity }, func(a CapacityArm) float64 { return a.PStar }, 3},
		{"pgr", "PGR (performance gap recovered)", func(p CapacityPoint) float64 { return p.PGR }, func(a CapacityArm) float64 { return a.PStarPGR }, 1.3},
	} {
		var ss []Series
		for _, a := range rep.Arms {
			teaching := a.Arm == ArmTeach.Name
			for _, c := range a.Curves {
				s := Series{Name: a.Arm + " " + c.Adapter.Name, Key: c.Adapter.Name, Points: true, Dashed: teaching}
				for _, p := range c.Points {
					if v := q.pick(p); p.Density > 0 && p.EDLRef >= MinRefBits && !math.IsNaN(v) && !math.IsInf(v, 0) {
						s.X, s.Y = append(s.X, p.Density), append(s.Y, v)
					}
				}
				if len(s.X) > 1 {
					ss = append(ss, s)
				}
			}
			if st := q.star(a); st > 0 {
				ss = append(ss, Series{Name: fmt.Sprintf("P*(%s) = %.3g bits/param", a.Arm, st), X: []float64{st, st}, Y: []float64{0, 1.2}, Dashed: teaching, Reference: true})
			}
		}
		if len(ss) > 0 {
			out = append(out, Figure{Name: q.name, Title: fmt.Sprintf("edl capacity: %s against EDL_ref/P (solid: elicitation, dashed: teaching)", q.name),
				XLabel: "information density EDL_ref/P (bits per trainable parameter, log scale)", YLabel: q.label, LogX: true,
				YRange: []float64{-0.2, q.ymax}, Series: ss})
		}
	}
	return out
}

// CurveFigures are a measured curve's three figures, titled title: the
// prequential loss of the first seed (when its per-example losses were
// kept), smoothed, with θ*'s test loss, the area between them being the
// EDL; EDL/n against n on a log axis; the cumulative EDL; each with the
// random-label control when there is one.
func CurveFigures(res *curve.Result, title string) []Figure {
	var out []Figure
	if r := res.Runs[0]; len(r.Losses) > 0 {
		last := r.Points[len(r.Points)-1]
		w := max(1, len(r.Losses)/100)
		sm := movingMean(r.Losses, w)
		var x, y []float64
		step := max(1, len(sm)/2000) // at most about 2000 points drawn
		for i := 0; i < len(sm); i += step {
			x = append(x, float64(i+1))
			y = append(y, sm[i])
		}
		ltest := make([]float64, len(x))
		for i := range ltest {
			ltest[i] = last.TestLoss
		}
		out = append(out, Figure{Name: "loss", Title: fmt.Sprintf("%s: prequential loss, seed %d", title, r.Seed), XLabel: "example i",
			YLabel: "loss (bits/example)", YFromZero: true, Series: []Series{
				{Name: fmt.Sprintf("EDL area: %.0f bits (ideal code)", last.EDLIdeal), X: x, Lo: ltest, Hi: y, Area: true},
				{Name: fmt.Sprintf("prequential loss (moving mean over %d)", w), X: x, Y: y},
				{Name: fmt.Sprintf("L_test(θ*) = %.4f bits/example", last.TestLoss), X: x, Y: ltest, Dashed: true, Reference: true},
			}})
	}
	both := func(real string, pick func(curve.Stat) curve.Spread) []Series {
		ss := []Series{StatSeries(real, "run", res.Summary, pick, false)}
		if len(res.ControlSummary) > 0 {
			ss = append(ss, StatSeries("random-label control", "run", res.ControlSummary, pick, true))
		}
		return ss
	}
	return append(out,
		Figure{Name: "edl_per_example", Title: fmt.Sprintf("%s: EDL(n)/n (%s)", title, res.Signature), XLabel: "n (examples, log scale)",
			YLabel: "EDL/n (bits/example)", LogX: true,
			Series: both(fmt.Sprintf("real labels (mean, min–max over %d seeds)", len(res.Runs)), func(s curve.Stat) curve.Spread { return s.EDLIdealPerN })},
		Figure{Name: "edl_cumulative", Title: title + ": cumulative EDL(n)", XLabel: "n (examples)", YLabel: "EDL (bits)",
			Series: both("real labels", func(s curve.Stat) curve.Spread { return s.EDLIdeal })})
}

// movingMean is the centred moving average of v over window w (shorter
// at the ends: the mean of what the window covers).
func movingMean(v []float64, w int) []float64 {
	out := make([]float64, len(v))
	prefix := make([]float64, len(v)+1)
	for i, x := range v {
		prefix[i+1] = prefix[i] + x
	}
	for i := range v {
		lo, hi := max(0, i-w/2), min(len(v), i+w/2+1)
		out[i] = (prefix[hi] - prefix[lo]) / float64(hi-lo)
	}
	return out
}
