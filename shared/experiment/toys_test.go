package experiment

import (
	"math"
	"slices"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
)

// Every toy at its reduced size meets the criteria: the measured
// curves against EDL.md's closed forms.
func TestToysQuick(t *testing.T) {
	for _, toy := range Toys {
		t.Run(toy.Name, func(t *testing.T) {
			t.Parallel()
			res, err := RunToy(toy, ToyOptions{Quick: true, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Checks) == 0 {
				t.Fatal("no criteria checked")
			}
			for _, c := range res.Checks {
				if !c.Pass {
					t.Errorf("%s: measured %s, predicted %s; criterion %s", c.Name, c.Measured, c.Predicted, c.Criterion)
				}
			}
			if !res.Pass || res.Name != toy.Name {
				t.Errorf("result %q pass %v", res.Name, res.Pass)
			}
			if len(res.Figures) == 0 {
				t.Error("nothing to draw")
			}
		})
	}
}

// RunToy's verdict is the conjunction of the checks.
func TestRunToyVerdict(t *testing.T) {
	for _, c := range []struct {
		checks []bool
		want   bool
	}{{nil, true}, {[]bool{true, true}, true}, {[]bool{true, false}, false}} {
		toy := Toy{Name: "t", Run: func(ToyOptions) (*ToyResult, error) {
			r := &ToyResult{}
			for _, p := range c.checks {
				r.Checks = append(r.Checks, Check{Pass: p})
			}
			return r, nil
		}}
		r, err := RunToy(toy, ToyOptions{})
		if err != nil || r.Pass != c.want || r.Name != "t" {
			t.Errorf("checks %v: pass %v, want %v (%v)", c.checks, r.Pass, c.want, err)
		}
	}
}

// The coupon grid is the log grid joined with every step of the dense
// range, sorted and without repeats.
func TestCouponGrid(t *testing.T) {
	g := couponGrid(1000, 30, 120, 260, 4)
	if !slices.IsSorted(g) || g[0] != 1 || g[len(g)-1] != 1000 {
		t.Fatalf("grid %v: not sorted from 1 to n", g)
	}
	for i := 1; i < len(g); i++ {
		if g[i] == g[i-1] {
			t.Fatalf("repeated %d", g[i])
		}
	}
	for _, v := range curve.LogGrid(1000, 1, 30) {
		if !slices.Contains(g, v) {
			t.Errorf("log grid point %d missing", v)
		}
	}
	for v := int64(120); v <= 260; v += 4 {
		if !slices.Contains(g, v) {
			t.Errorf("dense point %d missing", v)
		}
	}
	if want := len(curve.LogGrid(1000, 1, 30)) + 36; len(g) > want {
		t.Errorf("%d points, more than the %d of both sets", len(g), want)
	}
}

// PeakArgmax on an exact parabola in log x finds its vertex, wherever the
// grid puts the raw maximum; on the exact discrete coupon curve it finds
// the peak near the true argmax 177 (the design's remark).
func TestPeakArgmax(t *testing.T) {
	var x, y []float64
	for v := 100.0; v <= 300; v += 10 {
		d := math.Log(v) - math.Log(177)
		x, y = append(x, v), append(y, 2-3*d*d)
	}
	raw, argmax, peak, points := PeakArgmax(x, y)
	if x[raw] != 180 || math.Abs(argmax-177) > 1e-6 || math.Abs(peak-2) > 1e-9 || points < 3 {
		t.Errorf("raw %v, argmax %v, peak %v over %d points; want 180, 177, 2", x[raw], argmax, peak, points)
	}
	x, y = nil, nil
	for n := int64(120); n <= 260; n += 2 {
		x, y = append(x, float64(n)), append(y, CouponEDLDiscrete(100, 1, n)/float64(n))
	}
	if _, argmax, _, _ := PeakArgmax(x, y); math.Abs(argmax-177) > 1.5 {
		t.Errorf("discrete coupon curve: argmax %.2f, want 177 ± 1.5", argmax)
	}
}
