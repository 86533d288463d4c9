package experiment

import (
	"math"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/spec"
)

// The targets' defaults, and a clear error for an unknown one.
func TestOptionsFor(t *testing.T) {
	if o, err := OptionsFor(spec.NotationAnswersPermuted, true); err != nil || o != Defaults(true) {
		t.Errorf("answers-permuted: %+v %v", o, err)
	}
	if o, err := OptionsFor(spec.NotationUntagged, false); err != nil || o.Target != spec.NotationUntagged || o.Scripts != 4 {
		t.Errorf("untagged: %+v %v", o, err)
	}
	if _, err := OptionsFor("nonesuch", false); err == nil || !strings.Contains(err.Error(), `"nonesuch"`) {
		t.Errorf("unknown target: %v", err)
	}
}

// Override sets exactly what was given; epochs bring early stopping
// unless patience and validation are given, none with zero epochs.
func TestOverride(t *testing.T) {
	given := func(names ...string) map[string]bool {
		m := map[string]bool{}
		for _, n := range names {
			m[n] = true
		}
		return m
	}
	o := Defaults(false)
	o.Override(Options{P: 31, Hidden: 999, Seeds: 5}, given("p", "seeds"))
	if o.P != 31 || o.Seeds != 5 || o.Hidden != Defaults(false).Hidden {
		t.Errorf("p and seeds given: %+v", o)
	}
	o = Defaults(false) // stops at the pass: epochs bring the protocol's stopping
	o.Override(Options{Epochs: 2}, given("epochs"))
	if o.Epochs != 2 || o.Patience != 2 || o.Validation != ThetaValidation {
		t.Errorf("epochs 2 on the pass defaults: %+v", o)
	}
	o = LatentDefaults(false)
	o.Override(Options{Epochs: 0}, given("epochs"))
	if o.Patience != 0 || o.Validation != 0 {
		t.Errorf("epochs 0: patience %d, validation %d", o.Patience, o.Validation)
	}
	o = LatentDefaults(false)
	o.Override(Options{Epochs: 10, Patience: 7, Validation: 300}, given("epochs", "patience", "validation"))
	if o.Epochs != 10 || o.Patience != 7 || o.Validation != 300 {
		t.Errorf("all three given: %+v", o)
	}
}

func TestElicitArms(t *testing.T) {
	if a := ElicitArms("elicit"); len(a) != 2 || a[0].Name != ArmElicit.Name || a[1].Name != ArmTeach.Name {
		t.Errorf("elicit arms %v", a)
	}
	if a := ElicitArms("intervene"); len(a) != 4 || a[0].Name != ArmTeach.Name || a[3].Name != ArmUnrelated.Name {
		t.Errorf("intervene arms %v", a)
	}
}

// The units: per arm, (1 pass + one θ*ₙ per grid point) per seed and
// control, then a single-example test per seed.
func TestElicitUnits(t *testing.T) {
	o := Defaults(true)
	o.Seeds, o.GridPoints = 2, 3
	e := &ElicitRun{Options: o, Mode: "intervene", Arms: ElicitArms("intervene")}
	g := len(e.Grid())
	per := 2*2*(1+g) + 2
	units := e.Units()
	if len(units) != 4*per {
		t.Fatalf("%d units, want %d", len(units), 4*per)
	}
	if u := units[per-1]; u.Arm != 0 || u.Curve != nil || u.Single != 2 {
		t.Errorf("the first arm's last unit %+v, want the single-example test of seed 2", u)
	}
	if _, err := e.RunUnit(ElicitUnit{Arm: 4}); err == nil {
		t.Error("arm 4 of 4 accepted")
	}
	if _, _, err := e.Assemble(nil); err == nil {
		t.Error("no results assembled")
	}
}

// elicit.csv puts each arm's ratio beside its seeds and none beside the
// teaching arm's.
func TestElicitReportCSV(t *testing.T) {
	rep := &ElicitReport{Grid: []int64{10, 100},
		Arms: []ArmResult{
			{Arm: ArmElicit, Runs: []RunSummary{{Seed: 1, EDL: 10}, {Seed: 2, EDL: 20}}},
			{Arm: ArmTeach, Runs: []RunSummary{{Seed: 1, EDL: 40}, {Seed: 2, EDL: 50}}},
		},
		Ratios: []Ratio{{Arm: ArmElicit.Name, PerSeed: []float64{4, 2.5}, Mean: 3}},
	}
	rows := rep.CSV()
	if len(rows) != 5 {
		t.Fatalf("%d rows", len(rows))
	}
	c := 12 // teaching_over_arm_edl
	if rows[0][c] != "teaching_over_arm_edl" || rows[1][c] != "4" || rows[2][c] != "2.5" || rows[3][c] != "" || rows[1][7] != "100" {
		t.Errorf("rows %v", rows)
	}
	if tab := rep.Table(); !strings.Contains(tab, "EDL(teaching)/EDL(elicitation) at n=100: 3.00 (per seed 4.00 2.50)") {
		t.Errorf("table:\n%s", tab)
	}
}

// The capacity learning rates are the target's and its fractions.
func TestCapacityLRs(t *testing.T) {
	full, quick := CapacityLRs(0.03, false), CapacityLRs(0.02, true)
	if len(full) != 3 || full[0] != 0.03 || math.Abs(full[1]-0.01) > 1e-18 || math.Abs(full[2]-0.003) > 1e-18 {
		t.Errorf("full %v", full)
	}
	if len(quick) != 2 || quick[1] != 0.005 {
		t.Errorf("quick %v", quick)
	}
}

// edl capacity's sizes: one seed, 8 grid points (quick 5), the
// adapters and rates of its target.
func TestNewCapacityRun(t *testing.T) {
	c, err := NewCapacityRun(spec.NotationUntagged, true)
	if err != nil || c.Options.Seeds != 1 || c.Options.GridPoints != 5 || c.Options.Target != spec.NotationUntagged ||
		len(c.Adapters) != len(Adapters(true)) || c.LRs[0] != LatentDefaults(true).LR || len(c.LRs) != 2 {
		t.Errorf("quick untagged: %+v %v", c, err)
	}
	if c, _ := NewCapacityRun(spec.NotationAnswersPermuted, false); c.Options.GridPoints != 8 || len(c.LRs) != 3 {
		t.Errorf("full: %+v", c)
	}
	if _, err := NewCapacityRun("nonesuch", false); err == nil {
		t.Error("unknown target accepted")
	}
}

// capacity.csv has one row per arm, adapter and grid point, NaN empty;
// the table prints each arm's P*.
func TestCapacityReportCSV(t *testing.T) {
	ad := Adapter{Name: "lora-1", Kind: "lora", Rank: 1}
	rep := &CapacityReport{Grid: []int64{10, 20}, Options: Defaults(true), Arms: []CapacityArm{{Arm: "elicitation", PStar: 0.5,
		Curves: []CapacityCurve{{Adapter: ad, Trainable: 46, Points: []CapacityPoint{{N: 10, EDL: 1, PGR: math.NaN()}, {N: 20, EDL: 2, Capacity: 0.5}}}}}}}
	rows := rep.CSV()
	if len(rows) != 3 || rows[1][1] != "lora-1" || rows[1][2] != "46" || rows[1][9] != "" || rows[2][6] != "0.5" {
		t.Errorf("rows %v", rows)
	}
	if tab := rep.Table(); !strings.Contains(tab, "elicitation  P* = 0.5 bits/param") {
		t.Errorf("table:\n%s", tab)
	}
	c := &CapacityRun{Options: Defaults(true), Adapters: Adapters(true)}
	if len(c.Units()) != len(CapacityArms)*len(c.Adapters) {
		t.Errorf("%d units", len(c.Units()))
	}
	if _, err := c.RunUnit(CapacityUnit{Arm: 0, Adapter: len(c.Adapters)}); err == nil {
		t.Error("adapter out of range accepted")
	}
	if _, err := c.Assemble(nil); err == nil {
		t.Error("no results assembled")
	}
}

// The capacity figures keep the points the thresholds read (density > 0,
// EDL_ref ≥ MinRefBits, a finite ratio), a line only with two of them,
// and mark P* where it was found; no line, no figure.
func TestCapacityFigures(t *testing.T) {
	ad := Adapter{Name: "lora-1", Kind: "lora", Rank: 1}
	pts := []CapacityPoint{
		{N: 10, Density: 0.1, EDLRef: MinRefBits - 1, Capacity: 1, PGR: 1}, // the reference has not learned enough
		{N: 20, Density: 0.2, EDLRef: MinRefBits, Capacity: 0.9, PGR: math.NaN()},
		{N: 40, Density: 0.4, EDLRef: 2 * MinRefBits, Capacity: 0.5, PGR: 0.7},
	}
	rep := &CapacityReport{Arms: []CapacityArm{
		{Arm: ArmElicit.Name, PStar: 0.3, Curves: []CapacityCurve{{Adapter: ad, Points: pts}}},
		{Arm: ArmTeach.Name, Curves: []CapacityCurve{{Adapter: ad, Points: pts}}},
	}}
	figs := rep.Figures()
	if len(figs) != 1 || figs[0].Name != "capacity" {
		t.Fatalf("figures %+v: want capacity only (PGR has one finite point per line)", figs)
	}
	f := figs[0]
	if len(f.YRange) != 2 || f.YRange[0] != -0.2 || f.YRange[1] != 3 || !f.LogX || len(f.Series) != 3 {
		t.Fatalf("figure %+v", f)
	}
	el, star, te := f.Series[0], f.Series[1], f.Series[2]
	if len(el.X) != 2 || el.X[0] != 0.2 || el.Y[1] != 0.5 || el.Dashed || !te.Dashed {
		t.Errorf("lines %+v %+v", el, te)
	}
	if !star.Reference || star.X[0] != 0.3 || star.X[1] != 0.3 {
		t.Errorf("P* marker %+v", star)
	}
}

// The elicit figures: per arm its curve and its control in one colour
// (same key), without markers, and the cumulative EDL.
func TestElicitFigures(t *testing.T) {
	st := []curve.Stat{{N: 10, EDLIdealPerN: curve.Spread{Mean: 2, Min: 1, Max: 3}, EDLIdeal: curve.Spread{Mean: 20}}}
	ctl := []curve.Stat{{N: 10, EDLIdealPerN: curve.Spread{Mean: 0.1}}}
	rep := &ElicitReport{Mode: "elicit", Arms: []ArmResult{{Arm: ArmElicit}, {Arm: ArmTeach}}}
	figs := rep.Figures([]curve.Document{{Summary: st, ControlSummary: ctl}, {Summary: st, ControlSummary: ctl}})
	if len(figs) != 2 || len(figs[0].Series) != 4 || len(figs[1].Series) != 2 {
		t.Fatalf("figures %+v", figs)
	}
	per := figs[0].Series
	if per[0].Key != per[1].Key || per[0].Dashed || !per[1].Dashed || per[0].Points || per[0].Y[0] != 2 || per[0].Lo[0] != 1 || per[1].Y[0] != 0.1 {
		t.Errorf("per-example series %+v", per[:2])
	}
	if figs[1].Series[0].Y[0] != 20 || !figs[1].Series[0].Points {
		t.Errorf("cumulative series %+v", figs[1].Series[0])
	}
}
