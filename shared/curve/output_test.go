package curve

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// handResult is a two-seed curve with a control, its figures chosen so
// that every summary can be worked by hand.
func handResult() *Result {
	pt := func(n int64, ideal, loss float64) Point {
		return Point{N: n, Scored: n, CodedBits: int64(ideal) + 8, IdealBits: ideal, TestLoss: loss,
			EDL: float64(int64(ideal)+8) - float64(n)*loss, EDLIdeal: ideal - float64(n)*loss}
	}
	r := &Result{Spec: spec.Default(), Grid: []int64{10, 20},
		Runs: []Run{
			{Seed: 1, Points: []Point{pt(10, 30, 1), pt(20, 40, 1)}},
			{Seed: 2, Points: []Point{pt(10, 34, 1), pt(20, 44, 1)}},
		},
		Controls: []Run{{Seed: 1, RandomLabels: true, Points: []Point{pt(10, 20, 2), pt(20, 40, 2)}}},
	}
	r.Summary, r.ControlSummary = Summarize(r.Runs), Summarize(r.Controls)
	return r
}

// curve.csv: a header and one row per run and grid point, real labels
// first; EDL/n is EDL over n.
func TestResultCSV(t *testing.T) {
	rows := handResult().CSV()
	if len(rows) != 1+3*2 {
		t.Fatalf("%d rows, want 7", len(rows))
	}
	head := rows[0]
	col := func(name string) int { return slices.Index(head, name) }
	for _, r := range rows {
		if len(r) != len(head) {
			t.Fatalf("row %v has %d cells for %d columns", r, len(r), len(head))
		}
	}
	// Seed 2 at n = 20: ideal 44, loss 1, EDL ideal 24, per example 1.2.
	r := rows[4]
	if r[col("labels")] != "real" || r[col("seed")] != "2" || r[col("n")] != "20" || r[col("edl_ideal_bits")] != "24" ||
		r[col("edl_ideal_per_example_bits")] != "1.2" || r[col("coded_bits")] != "52" {
		t.Errorf("row %v", r)
	}
	if rows[5][col("labels")] != "random" {
		t.Errorf("controls after the runs: %v", rows[5])
	}
}

// summary.csv: mean, sample sd, min and max over the seeds, the control's
// beside: seeds with EDL ideal 20 and 24 at n = 10 give mean 22, sd √8.
func TestResultSummaryCSV(t *testing.T) {
	rows := handResult().SummaryCSV()
	head := rows[0]
	if len(head) != 1+2*len(summaryQuantities)*4 || len(rows) != 3 {
		t.Fatalf("%d columns, %d rows", len(head), len(rows))
	}
	at := func(row int, name string) string { return rows[row][slices.Index(head, name)] }
	if at(1, "edl_ideal_bits_mean") != "22" || at(1, "edl_ideal_bits_sd") != Cell(math.Sqrt(8)) || at(1, "edl_ideal_bits_min") != "20" ||
		at(1, "edl_ideal_bits_max") != "24" || at(1, "control_edl_ideal_bits_mean") != "0" || at(2, "control_edl_ideal_bits_sd") != "0" {
		t.Errorf("row %v", rows[1])
	}
	r := handResult()
	r.ControlSummary = nil
	if got := len(r.SummaryCSV()[0]); got != 1+len(summaryQuantities)*4 {
		t.Errorf("without controls: %d columns", got)
	}
}

// A NaN cell is empty; others keep ten significant digits.
func TestCell(t *testing.T) {
	for v, want := range map[float64]string{math.NaN(): "", 1.5: "1.5", 1.0 / 3: "0.3333333333", -2e-12: "-2e-12"} {
		if got := Cell(v); got != want {
			t.Errorf("Cell(%v) = %q, want %q", v, got, want)
		}
	}
}

// curve.json names the spec by its canonical fields and hash.
func TestDocument(t *testing.T) {
	r := handResult()
	d := r.Document("edl curve --x")
	h := r.Spec.Hash()
	if d.Command != "edl curve --x" || d.SpecHash != fmt.Sprintf("%x", h[:]) || d.Spec["task"] != r.Spec.Task || d.Spec["n"] != fmt.Sprint(r.Spec.N) {
		t.Errorf("document %+v", d)
	}
	if _, err := json.Marshal(d); err != nil {
		t.Error(err)
	}
}

// The table has one line per grid point under two header lines, the
// control's EDL/n last: 0 at n = 10 (EDL ideal 20 − 10·2).
func TestResultTable(t *testing.T) {
	lines := strings.Split(strings.TrimSuffix(handResult().Table(), "\n"), "\n")
	if len(lines) != 4 || !strings.Contains(lines[0], "control EDL/n") {
		t.Fatalf("table:\n%s", strings.Join(lines, "\n"))
	}
	f := strings.Fields(lines[2])
	if f[0] != "10" || f[len(f)-1] != "0.00000" || f[len(f)-3] != "2.20000" {
		t.Errorf("line %q", lines[2])
	}
}

// RunEach runs every index once on any number of workers, reports progress
// up to the total and returns the first failed index's error.
func TestRunEach(t *testing.T) {
	for _, workers := range []int{0, 1, 3, 50} {
		var calls atomic.Int64
		seen := make([]int, 20)
		last := 0
		e5, e9 := errors.New("five"), errors.New("nine")
		err := RunEach(20, workers, func(done, total int) {
			if total != 20 || done != last+1 {
				t.Errorf("workers %d: progress %d/%d after %d", workers, done, total, last)
			}
			last = done
		}, func(i int) error {
			calls.Add(1)
			seen[i]++
			switch i {
			case 9:
				return e9
			case 5:
				return e5
			}
			return nil
		})
		if err != e5 || calls.Load() != 20 || last != 20 || slices.ContainsFunc(seen, func(c int) bool { return c != 1 }) {
			t.Errorf("workers %d: err %v, %d calls, progress %d, seen %v", workers, err, calls.Load(), last, seen)
		}
	}
	if err := RunEach(0, 4, nil, func(int) error { return errors.New("called") }); err != nil {
		t.Error(err)
	}
}

func TestSeedRange(t *testing.T) {
	if got := SeedRange(7, 3); !slices.Equal(got, []uint64{7, 8, 9}) {
		t.Errorf("SeedRange(7, 3) = %v", got)
	}
	if got := SeedRange(1, 0); len(got) != 0 {
		t.Errorf("SeedRange(1, 0) = %v", got)
	}
}
