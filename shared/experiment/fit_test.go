package experiment

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// Linfit by hand on an exact line, and against gonum's regression and R²
// on noisy points.
func TestLinfit(t *testing.T) {
	a, b, r2 := Linfit([]float64{0, 1, 2, 3}, []float64{1, 3, 5, 7}) // y = 2x + 1
	near(t, "slope", a, 2, 1e-12)
	near(t, "intercept", b, 1, 1e-12)
	near(t, "R²", r2, 1, 1e-12)
	// x = 0, 1, 2; y = 0, 2, 1: slope Σdxdy/Σdx² = (−1·−1 + 1·0)/2 = ½,
	// intercept 1 − ½·1 = ½, residuals −½, 1, −½: R² = 1 − 1.5/2 = ¼.
	a, b, r2 = Linfit([]float64{0, 1, 2}, []float64{0, 2, 1})
	near(t, "slope", a, 0.5, 1e-12)
	near(t, "intercept", b, 0.5, 1e-12)
	near(t, "R²", r2, 0.25, 1e-12)
	rng := rand.New(rand.NewPCG(1, 2))
	x, y := make([]float64, 50), make([]float64, 50)
	for i := range x {
		x[i] = rng.Float64()
		y[i] = 0.3*x[i] + 0.01 + 0.05*(rng.Float64()-0.5)
	}
	a, b, r2 = Linfit(x, y)
	ga, gb := stat.LinearRegression(x, y, nil, false) // intercept, slope
	near(t, "slope against gonum", a, gb, 1e-12)
	near(t, "intercept against gonum", b, ga, 1e-12)
	near(t, "R² against gonum", r2, stat.RSquared(x, y, nil, ga, gb), 1e-12)
}

// ParabolaMax by hand on an exact parabola, against a least-squares fit by
// gonum's QR on noisy points, and its fallbacks.
func TestParabolaMax(t *testing.T) {
	f := func(x float64) float64 { return -3*(x-2)*(x-2) + 5 } // vertex (2, 5)
	var x, y []float64
	for _, v := range []float64{0.5, 1, 1.7, 2.9, 3.5} {
		x, y = append(x, v), append(y, f(v))
	}
	vx, vy := ParabolaMax(x, y)
	near(t, "vertex x", vx, 2, 1e-9)
	near(t, "vertex y", vy, 5, 1e-9)

	rng := rand.New(rand.NewPCG(3, 4))
	x, y = nil, nil
	for i := range 12 {
		v := 4.5 + 0.1*float64(i) // like log n around a peak
		x, y = append(x, v), append(y, -0.7*(v-5)*(v-5)+1.2+0.01*(rng.Float64()-0.5))
	}
	design := mat.NewDense(len(x), 3, nil)
	for i, v := range x {
		design.SetRow(i, []float64{1, v, v * v})
	}
	var coef mat.VecDense
	if err := coef.SolveVec(design, mat.NewVecDense(len(y), y)); err != nil {
		t.Fatal(err)
	}
	c, b, a := coef.AtVec(0), coef.AtVec(1), coef.AtVec(2)
	wx := -b / (2 * a)
	vx, vy = ParabolaMax(x, y)
	near(t, "vertex x against gonum", vx, wx, 1e-7)
	near(t, "vertex y against gonum", vy, c+b*wx+a*wx*wx, 1e-9)

	// Opening upward, or two points: the largest point.
	vx, vy = ParabolaMax([]float64{1, 2, 3}, []float64{4, 1, 3})
	if vx != 1 || vy != 4 {
		t.Errorf("upward parabola: (%g, %g), want the largest point (1, 4)", vx, vy)
	}
	vx, vy = ParabolaMax([]float64{1, 2}, []float64{1, 2})
	if vx != 2 || vy != 2 {
		t.Errorf("two points: (%g, %g), want (2, 2)", vx, vy)
	}
}

// Bump on curves drawn by hand.
func TestBump(t *testing.T) {
	x := []float64{1, 2, 5, 10, 20, 50, 100, 200}
	for _, c := range []struct {
		name  string
		v     []float64
		peakX float64
		drop  float64
		ok    bool
	}{
		// Max 2 at x = 5, lowest after it within x ≤ 50: 1.5: a 25% fall.
		{"bump", []float64{1, 1.5, 2, 1.8, 1.6, 1.5, 0.1, 0.1}, 5, 0.25, true},
		// Falls from the first point: no interior maximum.
		{"falling", []float64{3, 2, 1.5, 1.2, 1, 0.8, 0.5, 0.4}, 1, 1 - 0.8/3, false},
		// Interior max, but only 5% down within the window.
		{"shallow", []float64{1, 1.5, 2, 1.95, 1.92, 1.9, 0.1, 0.1}, 5, 0.05, false},
		// The max at the window's last point (x = 50): no fall inside it.
		{"rising", []float64{1, 1.2, 1.4, 1.6, 1.8, 2, 0.1, 0.1}, 50, 0, false},
	} {
		px, _, drop, ok := Bump(x, c.v, 50)
		if px != c.peakX || math.Abs(drop-c.drop) > 1e-12 || ok != c.ok {
			t.Errorf("%s: peak at %g, drop %g, bump %v; want %g, %g, %v", c.name, px, drop, ok, c.peakX, c.drop, c.ok)
		}
	}
}
