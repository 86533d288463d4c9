package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
)

// The centred moving mean, worked by hand: window 3 over 1, 2, 6, 7 is
// (1+2)/2, (1+2+6)/3, (2+6+7)/3, (6+7)/2 (the ends average what the
// window covers); window 1 is the identity.
func TestMovingMean(t *testing.T) {
	got := movingMean([]float64{1, 2, 6, 7}, 3)
	for i, want := range []float64{1.5, 3, 5, 6.5} {
		if math.Abs(got[i]-want) > 1e-15 {
			t.Errorf("mean %d = %v, want %v", i, got[i], want)
		}
	}
	if got := movingMean([]float64{4, 5}, 1); got[0] != 4 || got[1] != 5 {
		t.Errorf("window 1: %v", got)
	}
}

// A curve's figures: the loss figure only with the per-example losses,
// its EDL area between θ*'s test loss and the smoothed loss; EDL/n and the
// cumulative EDL, each with the control beside the real labels.
func TestCurveFigures(t *testing.T) {
	pt := func(n int64, edl float64) curve.Point {
		return curve.Point{N: n, TestLoss: 0.5, EDLIdeal: edl}
	}
	run := curve.Run{Seed: 3, Points: []curve.Point{pt(2, 1), pt(4, 3)}}
	res := &curve.Result{Runs: []curve.Run{run}, Controls: []curve.Run{run}, Signature: curve.Teaching}
	res.Summary, res.ControlSummary = curve.Summarize(res.Runs), curve.Summarize(res.Controls)
	figs := CurveFigures(res, "t")
	if len(figs) != 2 || figs[0].Name != "edl_per_example" || figs[1].Name != "edl_cumulative" || !figs[0].LogX || len(figs[0].Series) != 2 {
		t.Fatalf("without losses: %+v", figs)
	}
	if s := figs[0].Series; s[0].Y[1] != 0.75 || !s[1].Dashed || s[0].Key != s[1].Key || !strings.Contains(figs[0].Title, "teaching") {
		t.Errorf("EDL/n series %+v", s)
	}
	res.Runs[0].Losses = []float64{1, 2, 6, 7}
	figs = CurveFigures(res, "t")
	loss := figs[0]
	if len(figs) != 3 || loss.Name != "loss" || !loss.YFromZero || len(loss.Series) != 3 {
		t.Fatalf("with losses: %+v", figs)
	}
	area, line, ltest := loss.Series[0], loss.Series[1], loss.Series[2]
	if !area.Area || area.Hi[2] != 6 || area.Lo[0] != 0.5 || !strings.Contains(area.Name, "3 bits") {
		t.Errorf("area %+v", area)
	}
	if line.X[0] != 1 || line.Y[3] != 7 || !ltest.Reference || ltest.Y[3] != 0.5 {
		t.Errorf("lines %+v %+v", line, ltest)
	}
}
