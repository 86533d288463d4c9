package curve

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// Units run one by one, in reverse order, their results stored as JSON
// and read back, assemble into exactly Measure's result: a sweep's shards
// give the one-machine curve.
func TestUnitsAssembleToMeasure(t *testing.T) {
	s := softmaxSpec()
	cfg := Config{Spec: s, Grid: LogGrid(s.N, s.Batch, 4), Seeds: []uint64{3, 5}, Control: true, KeepLosses: true}
	want := measure(t, cfg)
	units := cfg.Units()
	if len(units) != 2*2*(1+len(cfg.Grid)) || units[0] != (Unit{Seed: 3}) || units[1] != (Unit{Seed: 3, N: cfg.Grid[0]}) {
		t.Fatalf("units %v", units)
	}
	results := make([]UnitResult, len(units))
	for j := len(units) - 1; j >= 0; j-- {
		r, err := RunUnit(cfg, units[j])
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &results[j]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Assemble(cfg, results)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("assembled units differ from Measure")
	}
	if len(got.Controls[0].Losses) != 0 || len(got.Runs[1].Losses) != int(s.N) {
		t.Error("losses kept for the wrong runs")
	}
	// Results out of place are refused, not assembled.
	results[0], results[1] = results[1], results[0]
	if _, err := Assemble(cfg, results); err == nil || !strings.Contains(err.Error(), "not a pass") {
		t.Errorf("swapped units: %v", err)
	}
	if _, err := RunUnit(cfg, Unit{Seed: 4}); err == nil {
		t.Error("a seed outside the configuration ran")
	}
	if _, err := RunUnit(cfg, Unit{Seed: 3, N: 7}); err == nil {
		t.Error("a prefix off the grid ran")
	}
}
