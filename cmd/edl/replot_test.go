package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/experiment"
)

var replot = flag.Bool("replot", false, "TestReplot: redraw the figures of docs/experiments in place from their JSON")

// TestReplot redraws, with -replot, the figures of the committed long runs
// (edl elicit, intervene, capacity, both targets) from the JSON they wrote,
// so a change to the plots does not need the 26 minutes of make
// experiments: go test ./cmd/edl -run TestReplot -replot. The per-arm
// loss.png needs each example's code length, which curve.json does not
// keep; those, like everything else, come back with make experiments.
func TestReplot(t *testing.T) {
	if !*replot {
		t.Skip("redraws docs/experiments only with -replot")
	}
	root := filepath.Join("..", "..", "docs", "experiments")
	read := func(path string, v any) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, v)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	elicits, _ := filepath.Glob(filepath.Join(root, "*", "elicit.json"))
	for _, path := range elicits {
		dir := filepath.Dir(path)
		var rep experiment.ElicitReport
		read(path, &rep)
		for _, a := range rep.Arms {
			var cj curve.Document
			read(filepath.Join(dir, a.Dir, "curve.json"), &cj)
			res := &curve.Result{Grid: cj.Grid, Runs: cj.Runs, Controls: cj.Controls, Summary: cj.Summary,
				ControlSummary: cj.ControlSummary, Signature: cj.Signature, ControlSignature: cj.ControlSignature}
			if _, err := drawFigures(experiment.CurveFigures(res, cj.Spec["task"]+"/"+cj.Spec["model"]), filepath.Join(dir, a.Dir)); err != nil {
				t.Fatal(err)
			}
		}
		if err := elicitPlot(&rep, dir); err != nil {
			t.Fatal(err)
		}
	}
	capacities, _ := filepath.Glob(filepath.Join(root, "*", "capacity.json"))
	for _, path := range capacities {
		var rep experiment.CapacityReport
		read(path, &rep)
		if _, err := drawFigures(rep.Figures(), filepath.Dir(path)); err != nil {
			t.Fatal(err)
		}
	}
	if len(elicits) == 0 || len(capacities) == 0 {
		t.Errorf("found %d elicit.json and %d capacity.json under %s", len(elicits), len(capacities), root)
	}
}
