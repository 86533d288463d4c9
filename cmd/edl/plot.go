package main

import (
	"fmt"
	"image/color"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/edlwire/edlwire/shared/curve"
)

// series is one curve of a plot: a line, optionally with a shaded band
// (lo..hi) and point markers.
type series struct {
	name   string
	x, y   []float64
	lo, hi []float64 // optional band
	dashed bool
	points bool
}

// newPlot draws series on one plot; the axes' labels carry the units.
func newPlot(title, xlabel, ylabel string, logx bool, ss []series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	if logx {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = plot.LogTicks{Prec: -1}
	}
	p.Add(plotter.NewGrid())
	for i, s := range ss {
		c := plotutil.Color(i)
		if len(s.lo) == len(s.x) && len(s.hi) == len(s.x) && len(s.x) > 1 {
			var ring plotter.XYs
			for k := range s.x {
				ring = append(ring, plotter.XY{X: s.x[k], Y: s.hi[k]})
			}
			for k := len(s.x) - 1; k >= 0; k-- {
				ring = append(ring, plotter.XY{X: s.x[k], Y: s.lo[k]})
			}
			poly, err := plotter.NewPolygon(ring)
			if err != nil {
				return nil, err
			}
			r, g, b, _ := c.RGBA()
			poly.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: 50}
			poly.LineStyle.Width = 0
			p.Add(poly)
		}
		xys := make(plotter.XYs, len(s.x))
		for k := range s.x {
			xys[k] = plotter.XY{X: s.x[k], Y: s.y[k]}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return nil, err
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		if s.dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		if s.points {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, err
			}
			sc.GlyphStyle.Color = c
			sc.GlyphStyle.Shape = draw.CircleGlyph{}
			sc.GlyphStyle.Radius = vg.Points(2)
			p.Add(sc)
			p.Legend.Add(s.name, l, sc)
		} else {
			p.Legend.Add(s.name, l)
		}
	}
	return p, nil
}

// save writes p as DIR/NAME.png and DIR/NAME.svg and returns the paths.
func save(p *plot.Plot, dir, name string) ([]string, error) {
	var out []string
	for _, ext := range []string{"png", "svg"} {
		path := filepath.Join(dir, name+"."+ext)
		if err := p.Save(16*vg.Centimeter, 10*vg.Centimeter, path); err != nil {
			return nil, fmt.Errorf("edl: plot %s: %w", path, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// smooth is the centred moving average of v over window w.
func smooth(v []float64, w int) []float64 {
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

// statSeries is the mean of one quantity over the seeds, with its min–max band.
func statSeries(name string, stats []curve.Stat, pick func(curve.Stat) curve.Spread, dashed bool) series {
	s := series{name: name, dashed: dashed, points: true}
	for _, st := range stats {
		sp := pick(st)
		s.x = append(s.x, float64(st.N))
		s.y = append(s.y, sp.Mean)
		s.lo = append(s.lo, sp.Min)
		s.hi = append(s.hi, sp.Max)
	}
	return s
}

// curvePlots draws a measured curve's three figures into dir.
func curvePlots(res *curve.Result, dir, title string) ([]string, error) {
	var files []string
	add := func(p *plot.Plot, err error, name string) error {
		if err != nil {
			return err
		}
		f, err := save(p, dir, name)
		files = append(files, f...)
		return err
	}
	seeds := len(res.Runs)
	// 1. The prequential loss of the first seed, smoothed, with the final
	// test-loss line; the area between them is the EDL.
	if r := res.Runs[0]; len(r.Losses) > 0 {
		last := r.Points[len(r.Points)-1]
		w := max(1, len(r.Losses)/100)
		sm := smooth(r.Losses, w)
		var x, y []float64
		step := max(1, len(sm)/2000)
		for i := 0; i < len(sm); i += step {
			x = append(x, float64(i+1))
			y = append(y, sm[i])
		}
		ltest := make([]float64, len(x))
		for i := range ltest {
			ltest[i] = last.TestLoss
		}
		p, err := newPlot(fmt.Sprintf("%s: prequential loss, seed %d", title, r.Seed), "example i", "loss (bits/example)", false, []series{
			{name: fmt.Sprintf("prequential loss (moving mean over %d)", w), x: x, y: y},
			{name: fmt.Sprintf("L_test(θ*) = %.4f bits/example", last.TestLoss), x: x, y: ltest, dashed: true},
		})
		if err == nil {
			shade(p, x, ltest, y, "EDL area: "+fmt.Sprintf("%.0f bits (ideal code)", last.EDLIdeal))
		}
		if err := add(p, err, "loss"); err != nil {
			return nil, err
		}
	}
	// 2. EDL/n against n, log axis, with the random-label control.
	ss := []series{statSeries(fmt.Sprintf("real labels (mean, min–max over %d seeds)", seeds), res.Summary,
		func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, false)}
	if len(res.ControlSummary) > 0 {
		ss = append(ss, statSeries("random-label control", res.ControlSummary, func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, true))
	}
	p, err := newPlot(fmt.Sprintf("%s: EDL(n)/n (%s)", title, res.Signature), "n (examples, log scale)", "EDL/n (bits/example)", true, ss)
	if err := add(p, err, "edl_per_example"); err != nil {
		return nil, err
	}
	// 3. Cumulative EDL against n.
	ss = []series{statSeries("real labels", res.Summary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, false)}
	if len(res.ControlSummary) > 0 {
		ss = append(ss, statSeries("random-label control", res.ControlSummary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, true))
	}
	p, err = newPlot(title+": cumulative EDL(n)", "n (examples)", "EDL (bits)", false, ss)
	if err := add(p, err, "edl_cumulative"); err != nil {
		return nil, err
	}
	return files, nil
}

// shade fills the area between lo and hi under the existing lines.
func shade(p *plot.Plot, x, lo, hi []float64, name string) {
	var ring plotter.XYs
	for k := range x {
		ring = append(ring, plotter.XY{X: x[k], Y: hi[k]})
	}
	for k := len(x) - 1; k >= 0; k-- {
		ring = append(ring, plotter.XY{X: x[k], Y: lo[k]})
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return
	}
	poly.Color = color.NRGBA{R: 255, G: 140, B: 0, A: 90}
	poly.LineStyle.Width = 0
	// Draw the fill first so the lines stay on top.
	p.Add(poly)
	p.Legend.Add(name, poly)
}

func plot_LogScale() plot.Normalizer { return plot.LogScale{} }
func plotLogTicks() plot.Ticker      { return plot.LogTicks{Prec: -1} }
