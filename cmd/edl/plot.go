package main

import (
	"fmt"
	"image/color"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/experiment"
)

// okabeIto is the Okabe–Ito palette (as the teaching demo uses), safe for
// the common colour-vision deficiencies, in the order colours are handed
// out: blue, orange, bluish green, vermillion, reddish purple, sky blue,
// yellow. Black is kept for references.
var okabeIto = []color.NRGBA{
	{0x00, 0x72, 0xB2, 0xFF}, {0xE6, 0x9F, 0x00, 0xFF}, {0x00, 0x9E, 0x73, 0xFF}, {0xD5, 0x5E, 0x00, 0xFF},
	{0xCC, 0x79, 0xA7, 0xFF}, {0x56, 0xB4, 0xE9, 0xFF}, {0xF0, 0xE4, 0x42, 0xFF},
}

// newPlot draws series on one plot; the axes' labels carry the units. The
// legend goes beside the data, never over it (save draws it).
func newPlot(title, xlabel, ylabel string, logx bool, ss []experiment.Series) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.X.Tick.Marker = niceTicks{}
	p.Y.Tick.Marker = niceTicks{}
	if logx {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	p.Add(plotter.NewGrid())
	return p, plotSeries(p, ss)
}

// plotSeries adds series to p, with their legend entries.
func plotSeries(p *plot.Plot, ss []experiment.Series) error {
	keys := map[string]int{}
	for _, s := range ss {
		key := s.Key
		if key == "" {
			key = s.Name
		}
		k, ok := keys[key]
		if !ok && !s.Reference {
			k = len(keys)
			keys[key] = k
		}
		c := okabeIto[k%len(okabeIto)]
		if s.Reference {
			c = color.NRGBA{A: 0xFF}
		}
		// Past the palette's seven colours the markers change shape: filled
		// circle, box, pyramid; hollow (dashed series) ring, square, triangle.
		shape := k / len(okabeIto) % 3
		if len(s.Lo) == len(s.X) && len(s.Hi) == len(s.X) && len(s.X) > 1 {
			band := c
			band.A = 45
			if err := fill(p, s.X, s.Lo, s.Hi, band, ""); err != nil {
				return err
			}
		}
		xys := make(plotter.XYs, len(s.X))
		for k := range s.X {
			xys[k] = plotter.XY{X: s.X[k], Y: s.Y[k]}
		}
		l, err := plotter.NewLine(xys)
		if err != nil {
			return err
		}
		l.Color = c
		l.Width = vg.Points(1.5)
		if s.Dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		p.Add(l)
		if s.Points {
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return err
			}
			sc.GlyphStyle.Color = c
			sc.GlyphStyle.Shape = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.PyramidGlyph{}}[shape]
			if s.Dashed {
				sc.GlyphStyle.Shape = []draw.GlyphDrawer{draw.RingGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}}[shape]
			}
			sc.GlyphStyle.Radius = vg.Points(2.2)
			p.Add(sc)
			p.Legend.Add(s.Name, l, sc)
		} else {
			p.Legend.Add(s.Name, l)
		}
	}
	return nil
}

// save writes p as DIR/NAME.png and DIR/NAME.svg and returns the paths.
// The data take a 16 × 10 cm panel; the legend, if any, a column to its
// right, as wide as its longest entry.
func save(p *plot.Plot, dir, name string) ([]string, error) {
	leg := p.Legend
	p.Legend = plot.NewLegend() // empty: p.Draw would put it over the data
	defer func() { p.Legend = leg }()
	leg.Top, leg.Left = true, true
	leg.TextStyle.Font.Size = vg.Points(9)
	leg.Padding = vg.Points(2)
	const panelW, h = 16 * vg.Centimeter, 10 * vg.Centimeter
	var legW vg.Length
	if r := leg.Rectangle(draw.Canvas{}); r.Max.X > r.Min.X {
		legW = r.Max.X - r.Min.X + vg.Points(12)
	}
	var out []string
	for _, ext := range []string{"png", "svg"} {
		path := filepath.Join(dir, name+"."+ext)
		c, err := draw.NewFormattedCanvas(panelW+legW, h, ext)
		if err != nil {
			return nil, fmt.Errorf("edl: plot %s: %w", path, err)
		}
		dc := draw.New(c)
		p.Draw(draw.Crop(dc, 0, -legW, 0, 0))
		// The legend's top at the data's: below the title.
		top := -p.Title.TextStyle.Height(p.Title.Text) - p.Title.Padding - vg.Points(6)
		leg.Draw(draw.Crop(dc, panelW+vg.Points(6), 0, 0, top))
		if err := writeFile(path, c); err != nil {
			return nil, err
		}
		out = append(out, path)
	}
	return out, nil
}

// writeFile writes what w writes to path.
func writeFile(path string, w io.WriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("edl: %w", err)
	}
	if _, err := w.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("edl: plot %s: %w", path, err)
	}
	return f.Close()
}

// niceTicks labels a linear axis at steps of 1, 2 or 5 × 10^k, about five
// of them, with as few decimals as the step needs (0.5, not 0.50; 12.5
// never appears as a step's multiple of 2.5), and unlabelled minor ticks
// between.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: tickLabel(lo, 0)}}
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	decimals := max(0, int(-math.Floor(math.Log10(step)+1e-9)))
	var ticks []plot.Tick
	for k := math.Ceil(lo / step); k*step <= hi+step*1e-9; k++ {
		v := k * step
		ticks = append(ticks, plot.Tick{Value: v, Label: tickLabel(v, decimals)})
		if minor := v + step/2; minor <= hi {
			ticks = append(ticks, plot.Tick{Value: minor})
		}
	}
	if first := math.Ceil(lo/step)*step - step/2; first >= lo {
		ticks = append(ticks, plot.Tick{Value: first})
	}
	return ticks
}

// logTicks labels a log axis at the powers of ten, and at 2 and 5 times
// them when the axis spans less than three decades; the other multiples
// are minor ticks.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if lo <= 0 || hi <= lo {
		return plot.LogTicks{Prec: -1}.Ticks(max(lo, 1e-300), max(hi, 1e-300))
	}
	first, last := math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi))
	few := last-first <= 3
	var ticks []plot.Tick
	for d := first; d <= last; d++ {
		p := math.Pow(10, d)
		for i := 1; i < 10; i++ {
			v := float64(i) * p
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if i == 1 || few && (i == 2 || i == 5) {
				t.Label = tickLabel(v, max(0, int(-d)))
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// tickLabel formats v with the given decimals, and never as "-0".
func tickLabel(v float64, decimals int) string {
	s := strconv.FormatFloat(v, 'f', decimals, 64)
	if strings.Trim(s, "-0.") == "" {
		return strings.TrimPrefix(s, "-")
	}
	return s
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
		p, err := newPlot(fmt.Sprintf("%s: prequential loss, seed %d", title, r.Seed), "example i", "loss (bits/example)", false, nil)
		if err == nil {
			p.Y.Min = 0 // a loss in bits: the area down to L_test reads against zero
			// The area first, so that the lines stay on top of it.
			area := okabeIto[1]
			area.A = 90
			err = fill(p, x, ltest, y, area, fmt.Sprintf("EDL area: %.0f bits (ideal code)", last.EDLIdeal))
		}
		if err == nil {
			err = plotSeries(p, []experiment.Series{
				{Name: fmt.Sprintf("prequential loss (moving mean over %d)", w), X: x, Y: y},
				{Name: fmt.Sprintf("L_test(θ*) = %.4f bits/example", last.TestLoss), X: x, Y: ltest, Dashed: true, Reference: true},
			})
		}
		if err := add(p, err, "loss"); err != nil {
			return nil, err
		}
	}
	// 2. EDL/n against n, log axis, with the random-label control.
	ss := []experiment.Series{experiment.StatSeries(fmt.Sprintf("real labels (mean, min–max over %d seeds)", seeds), "run", res.Summary,
		func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, false)}
	if len(res.ControlSummary) > 0 {
		ss = append(ss, experiment.StatSeries("random-label control", "run", res.ControlSummary, func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }, true))
	}
	p, err := newPlot(fmt.Sprintf("%s: EDL(n)/n (%s)", title, res.Signature), "n (examples, log scale)", "EDL/n (bits/example)", true, ss)
	if err := add(p, err, "edl_per_example"); err != nil {
		return nil, err
	}
	// 3. Cumulative EDL against n.
	ss = []experiment.Series{experiment.StatSeries("real labels", "run", res.Summary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, false)}
	if len(res.ControlSummary) > 0 {
		ss = append(ss, experiment.StatSeries("random-label control", "run", res.ControlSummary, func(s curve.Stat) curve.Spread { return s.EDLIdeal }, true))
	}
	p, err = newPlot(title+": cumulative EDL(n)", "n (examples)", "EDL (bits)", false, ss)
	if err := add(p, err, "edl_cumulative"); err != nil {
		return nil, err
	}
	return files, nil
}

// fill shades the area between lo and hi in colour c, under the lines
// added after it, with a legend entry when name is not empty.
func fill(p *plot.Plot, x, lo, hi []float64, c color.Color, name string) error {
	var ring plotter.XYs
	for k := range x {
		ring = append(ring, plotter.XY{X: x[k], Y: hi[k]})
	}
	for k := len(x) - 1; k >= 0; k-- {
		ring = append(ring, plotter.XY{X: x[k], Y: lo[k]})
	}
	poly, err := plotter.NewPolygon(ring)
	if err != nil {
		return err
	}
	poly.Color = c
	poly.LineStyle.Width = 0
	p.Add(poly)
	if name != "" {
		p.Legend.Add(name, poly)
	}
	return nil
}

// drawFigure draws a figure the library described as DIR/NAME.png and .svg.
func drawFigure(f experiment.Figure, dir string) ([]string, error) {
	p, err := newPlot(f.Title, f.XLabel, f.YLabel, f.LogX, f.Series)
	if err != nil {
		return nil, err
	}
	if f.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	}
	if len(f.YRange) == 2 {
		p.Y.Min, p.Y.Max = f.YRange[0], f.YRange[1]
	}
	return save(p, dir, f.Name)
}

// drawFigures draws each figure into dir.
func drawFigures(figs []experiment.Figure, dir string) error {
	for _, f := range figs {
		if _, err := drawFigure(f, dir); err != nil {
			return err
		}
	}
	return nil
}
