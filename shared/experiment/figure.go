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
// prediction or a threshold, not a measurement).
type Series struct {
	Name      string
	Key       string
	X, Y      []float64
	Lo, Hi    []float64 // optional band
	Dashed    bool
	Points    bool
	Reference bool
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
