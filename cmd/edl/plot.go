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

// plotSeries adds series to p, with their legend entries.
func plotSeries(p *plot.Plot, ss []experiment.Series) error {
	// The lines take the palette's colours by key, in order; the areas the
	// colours after them.
	keyOf := func(s experiment.Series) string {
		if s.Key == "" {
			return s.Name
		}
		return s.Key
	}
	keys := map[string]int{}
	for _, area := range []bool{false, true} {
		for _, s := range ss {
			if _, ok := keys[keyOf(s)]; !ok && s.Area == area && !s.Reference {
				keys[keyOf(s)] = len(keys)
			}
		}
	}
	for _, s := range ss {
		k := keys[keyOf(s)]
		c := okabeIto[k%len(okabeIto)]
		if s.Reference {
			c = color.NRGBA{A: 0xFF}
		}
		if s.Area {
			c.A = 90
			if err := fill(p, s.X, s.Lo, s.Hi, c, s.Name); err != nil {
				return err
			}
			continue
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
// The axes' labels carry the units; the legend goes beside the data, never
// over it (save draws it).
func drawFigure(f experiment.Figure, dir string) ([]string, error) {
	p := plot.New()
	p.Title.Text, p.X.Label.Text, p.Y.Label.Text = f.Title, f.XLabel, f.YLabel
	p.X.Tick.Marker, p.Y.Tick.Marker = niceTicks{}, niceTicks{}
	if f.LogX {
		p.X.Scale, p.X.Tick.Marker = plot.LogScale{}, logTicks{}
	}
	p.Add(plotter.NewGrid())
	if f.YFromZero {
		p.Y.Min = 0 // before the data: the axis reaches zero, no clip
	}
	if err := plotSeries(p, f.Series); err != nil {
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

// drawFigures draws each figure into dir and returns the files written.
func drawFigures(figs []experiment.Figure, dir string) ([]string, error) {
	var files []string
	for _, f := range figs {
		more, err := drawFigure(f, dir)
		if err != nil {
			return nil, err
		}
		files = append(files, more...)
	}
	return files, nil
}
