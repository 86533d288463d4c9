package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/curve"
)

// The command writes a toy's JSON and plots, and exits 0 when it passes.
func TestToyCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"toy", "hypothesis", "--quick", "--out", dir}, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "[PASS]") {
		t.Errorf("no PASS line:\n%s", out.String())
	}
	for _, f := range []string{"toy.json", "analytic.png", "analytic.svg", "edl_per_example.png"} {
		if _, err := os.Stat(filepath.Join(dir, "hypothesis", f)); err != nil {
			t.Error(err)
		}
	}
	if code := run([]string{"toy", "nonesuch"}, &out, &errb); code != 2 {
		t.Errorf("unknown toy: exit %d, want 2", code)
	}
}

// edl run prints alice's report; its coded bits are the README demo's
// (payload: the pass's 719 bytes plus the 223 of the test labels).
func TestRunReport(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"run", "--quiet"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep map[string]any
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep["coded_bits"] != 5752.0 || rep["payload_bytes"] != 942.0 || rep["heldout_bits"] != 1784.0 {
		t.Errorf("coded %v bits, %v bytes, held-out %v bits; want 5752, 942, 1784 (the demo's)", rep["coded_bits"], rep["payload_bytes"], rep["heldout_bits"])
	}
	if e, ok := rep["edl_bits"].(float64); !ok || math.Abs(e-2186.8) > 0.1 {
		t.Errorf("edl_bits %v, want 2186.8", rep["edl_bits"])
	}
}

// edl curve writes the CSV, JSON and plots of a task and its control.
func TestCurveCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	args := []string{"curve", "--n", "1000", "--test", "1000", "--grid", "log:8", "--seeds", "2", "--out", dir}
	if code := run(args, &out, &errb); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, f := range []string{"curve.csv", "summary.csv", "curve.json", "loss.png", "loss.svg", "edl_per_example.png", "edl_per_example.svg", "edl_cumulative.png", "edl_cumulative.svg"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "curve.json"))
	if err != nil {
		t.Fatal(err)
	}
	var j curve.Document
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.Runs) != 2 || len(j.Controls) != 2 || len(j.Summary) != len(j.Grid) || j.Signature == "" {
		t.Errorf("curve.json: %d runs, %d controls, %d summary rows for %d grid points, signature %q", len(j.Runs), len(j.Controls), len(j.Summary), len(j.Grid), j.Signature)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "curve.csv"))
	if lines := strings.Count(string(csv), "\n"); lines != 1+4*len(j.Grid) {
		t.Errorf("curve.csv has %d lines, want %d", lines, 1+4*len(j.Grid))
	}
	if code := run([]string{"curve", "--n", "100"}, &out, &errb); code != 2 {
		t.Errorf("curve without --out: exit %d, want 2", code)
	}
}

func TestParseGrid(t *testing.T) {
	g, err := parseGrid("log:5", 1000, 10)
	if err != nil || g[len(g)-1] != 1000 {
		t.Fatalf("%v %v", g, err)
	}
	if g, err := parseGrid("10,20,30", 30, 10); err != nil || len(g) != 3 {
		t.Fatalf("%v %v", g, err)
	}
	if _, err := parseGrid("log:x", 10, 1); err == nil {
		t.Error("log:x accepted")
	}
}
