package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
)

func pts(n []int64, edl, loss []float64) []curve.Point {
	var out []curve.Point
	for i := range n {
		out = append(out, curve.Point{N: n[i], EDLIdeal: edl[i], TestLoss: loss[i]})
	}
	return out
}

// One adapter against the reference, worked by hand.
func TestNewCapacityCurve(t *testing.T) {
	n := []int64{10, 100, 1000, 5000}
	// Reference: EDL 10, 100, 200, 300 bits; test loss from L₀ = 4 down to
	// 3, 2, 1, 1. Adapter of P = 100 parameters: EDL 10, 97, 150, 330;
	// test loss 3.5, 2.5, 1.3, 0.7.
	ref := pts(n, []float64{10, 100, 200, 300}, []float64{3, 2, 1, 1})
	run := pts(n, []float64{10, 97, 150, 330}, []float64{3.5, 2.5, 1.3, 0.7})
	cc := NewCapacityCurve(Adapter{Name: "lora-r1"}, 100, 0.01, run, ref, 4)
	want := []CapacityPoint{
		// density EDL_ref/P; capacity EDL/EDL_ref; PGR (4 − L_P)/(4 − L_ref)
		{N: 10, EDL: 10, EDLRef: 10, Density: 0.1, Capacity: 1, PGR: 0.5 / 1, TestLoss: 3.5},
		{N: 100, EDL: 97, EDLRef: 100, Density: 1, Capacity: 0.97, PGR: 1.5 / 2, TestLoss: 2.5},
		{N: 1000, EDL: 150, EDLRef: 200, Density: 2, Capacity: 0.75, PGR: 2.7 / 3, TestLoss: 1.3},
		{N: 5000, EDL: 330, EDLRef: 300, Density: 3, Capacity: 1.1, PGR: 3.3 / 3, TestLoss: 0.7},
	}
	for k, w := range want {
		g := cc.Points[k]
		if g.N != w.N || g.EDL != w.EDL || g.EDLRef != w.EDLRef || math.Abs(g.Density-w.Density) > 1e-12 ||
			math.Abs(g.Capacity-w.Capacity) > 1e-12 || math.Abs(g.PGR-w.PGR) > 1e-12 || g.TestLoss != w.TestLoss {
			t.Errorf("point %d: %+v, want %+v", k, g, w)
		}
	}
	// The first drop below 0.95 where EDL_ref ≥ 50 bits: n = 1000 (0.97 at
	// n = 100 is not one), at density 2.
	if cc.Threshold != 2 || cc.Trainable != 100 || cc.LR != 0.01 {
		t.Errorf("threshold %g (P %d, lr %g), want 2", cc.Threshold, cc.Trainable, cc.LR)
	}
	// Below 50 bits of reference EDL no threshold is read, whatever the
	// ratio; a reference with no EDL gives capacity 0, one whose test loss
	// did not fall below L₀ gives PGR 0.
	cc = NewCapacityCurve(Adapter{}, 10, 0, pts(n[:2], []float64{1, 5}, []float64{4, 4}), pts(n[:2], []float64{0, 40}, []float64{4, 5}), 4)
	if cc.Threshold != 0 || cc.Points[0].Capacity != 0 || cc.Points[1].Capacity != 5.0/40 || cc.Points[0].PGR != 0 || cc.Points[1].PGR != 0 {
		t.Errorf("degenerate reference: %+v", cc)
	}
}

func curveAt(name string, threshold, density, pgr float64) CapacityCurve {
	return CapacityCurve{Adapter: Adapter{Name: name}, Threshold: threshold, Points: []CapacityPoint{{Density: density, PGR: pgr}}}
}

// P* and the PGR bracket of an arm, worked by hand.
func TestThresholds(t *testing.T) {
	a := CapacityArm{Curves: []CapacityCurve{
		curveAt("a", 0, 0.01, 1.0),   // never drops; works
		curveAt("b", 0.3, 0.1, 0.97), // works: the largest working density
		curveAt("c", 0.1, 1, 0.5),    // fails: the smallest failing density above 0.1
		curveAt("d", 0.2, 10, 0.2),   // fails
	}}
	a.Thresholds()
	// Thresholds 0.1, 0.2, 0.3: median 0.2, range 0.1–0.3, three drop.
	if a.PStar != 0.2 || a.PStarLo != 0.1 || a.PStarHi != 0.3 || a.Dropped != 3 {
		t.Errorf("P* %g (%g–%g, %d dropped), want 0.2 (0.1–0.3, 3)", a.PStar, a.PStarLo, a.PStarHi, a.Dropped)
	}
	// PGR works up to 0.1 and fails from 1: P*_PGR = √(0.1·1).
	if a.PGRLo != 0.1 || a.PGRHi != 1 || math.Abs(a.PStarPGR-math.Sqrt(0.1)) > 1e-15 || len(a.PGRConflict) != 0 {
		t.Errorf("PGR bracket %g–%g, P*_PGR %g, conflicts %q; want 0.1–1, %g", a.PGRLo, a.PGRHi, a.PStarPGR, a.PGRConflict, math.Sqrt(0.1))
	}
	// Two thresholds: the upper median.
	b := CapacityArm{Curves: []CapacityCurve{curveAt("a", 0.4, 1, 1), curveAt("b", 0.1, 1, 1)}}
	b.Thresholds()
	if b.PStar != 0.4 || b.Dropped != 2 {
		t.Errorf("two thresholds: P* %g, want 0.4", b.PStar)
	}
	// An adapter that fails below a working one: no single threshold.
	a.Curves = append(a.Curves, curveAt("e", 0, 0.05, 0.5))
	a.PGRLo, a.PGRHi, a.PStarPGR = 0, 0, 0
	a.Thresholds()
	if a.PStarPGR != 0 || len(a.PGRConflict) != 1 || !strings.HasPrefix(a.PGRConflict[0], "e at 0.05 bits/param") {
		t.Errorf("conflict: P*_PGR %g, %q", a.PStarPGR, a.PGRConflict)
	}
	// No adapter works: no bracket.
	c := CapacityArm{Curves: []CapacityCurve{curveAt("a", 0, 1, 0.5)}}
	c.Thresholds()
	if c.PStar != 0 || c.PStarPGR != 0 || c.PGRLo != 0 || c.PGRHi != 1 {
		t.Errorf("nothing works: %+v", c)
	}
}

func TestChooseLR(t *testing.T) {
	if got := ChooseLR([]float64{0.1, 0.03, 0.01}, []float64{500, 420, 450}); got != 0.03 {
		t.Errorf("got %g, want 0.03 (the shortest code)", got)
	}
	if got := ChooseLR([]float64{0.1, 0.03}, []float64{420, 420}); got != 0.1 {
		t.Errorf("tie: got %g, want the first, 0.1", got)
	}
}

func TestAdapters(t *testing.T) {
	var names []string
	for _, a := range Adapters(true) {
		names = append(names, a.Name)
	}
	if got := strings.Join(names, " "); got != "full lora-r1 lora-r4 sparse-100" {
		t.Errorf("quick adapters %q", got)
	}
	if n := len(Adapters(false)); n != 1+6+3 {
		t.Errorf("%d adapters, want the reference, 6 ranks and 3 subsets", n)
	}
}
