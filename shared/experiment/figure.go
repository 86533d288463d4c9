package experiment

import "github.com/edlwire/edlwire/shared/curve"

// Figure is a plot described by its numbers: what a toy wants drawn, for
// the edl command to render (gonum/plot, PNG and SVG) under Name.
type Figure struct {
	Name                  string // file name, without extension
	Title, XLabel, YLabel string // the axes' labels carry the units
	LogX, LogY            bool
	Series                []Series
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
