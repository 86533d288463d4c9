package experiment

import (
	"math"
	"strings"
	"testing"

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
