package curve

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/edlwire/edlwire/shared/spec"
)

// What a measured curve becomes on disk and on a terminal, as values: the
// rows of curve.csv and summary.csv, curve.json's document and the
// readable table. Nothing in them depends on the clock or the machine (no
// elapsed time), so a merged sweep writes the very same bytes as one
// machine; the edl command writes them.

// Document is curve.json: the spec, the curves and their summary.
type Document struct {
	Command          string            `json:"command"`
	Spec             map[string]string `json:"spec"`
	SpecHash         string            `json:"spec_hash"`
	Units            string            `json:"units"`
	Grid             []int64           `json:"grid"`
	Signature        Regime            `json:"signature"`
	ControlSignature Regime            `json:"control_signature,omitempty"`
	Runs             []Run             `json:"runs"`
	Controls         []Run             `json:"controls,omitempty"`
	Summary          []Stat            `json:"summary"`
	ControlSummary   []Stat            `json:"control_summary,omitempty"`
}

// Document is the result as curve.json, recording the command line.
func (res *Result) Document(command string) Document {
	h := res.Spec.Hash()
	return Document{Command: command, Spec: SpecMap(res.Spec), SpecHash: fmt.Sprintf("%x", h[:]),
		Units: "bits; *_per_example in bits/example; test_loss in bits/example; seeds replace spec.seed",
		Grid:  res.Grid, Signature: res.Signature, ControlSignature: res.ControlSignature,
		Runs: res.Runs, Controls: res.Controls, Summary: res.Summary, ControlSummary: res.ControlSummary}
}

// SpecMap is the canonical spec as name → value.
func SpecMap(s spec.Spec) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(s.Canonical()), "\n")[1:] {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// Cell is a CSV cell of v: the shortest 10-digit form, and nothing for NaN
// (the EDL of a scored part, which has no coded length).
func Cell(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// CSV is curve.csv: every run and grid point, real labels then controls.
func (res *Result) CSV() [][]string {
	rows := [][]string{{"labels", "seed", "n", "scored", "coded_bits", "quantized_bits", "ideal_bits", "test_loss_bits", "test_se_bits",
		"edl_bits", "edl_ideal_bits", "edl_se_bits", "edl_per_example_bits", "edl_ideal_per_example_bits", "valid_bits", "epochs", "best_epoch", "test_accuracy"}}
	for _, group := range [][]Run{res.Runs, res.Controls} {
		for _, r := range group {
			kind := "real"
			if r.RandomLabels {
				kind = "random"
			}
			for _, p := range r.Points {
				rows = append(rows, []string{kind, strconv.FormatUint(r.Seed, 10), strconv.FormatInt(p.N, 10), strconv.FormatInt(p.Scored, 10),
					strconv.FormatInt(p.CodedBits, 10), Cell(p.QuantizedBits), Cell(p.IdealBits), Cell(p.TestLoss), Cell(p.TestSE),
					Cell(p.EDL), Cell(p.EDLIdeal), Cell(p.EDLSE), Cell(p.PerN(p.EDL)), Cell(p.PerN(p.EDLIdeal)), Cell(p.ValidBits),
					strconv.FormatInt(p.Epochs, 10), strconv.FormatInt(p.BestEpoch, 10), Cell(p.TestAccuracy)})
			}
		}
	}
	return rows
}

// summaryQuantities are summary.csv's columns, each as mean, sd, min, max.
var summaryQuantities = []struct {
	name string
	pick func(Stat) Spread
}{
	{"edl_bits", func(s Stat) Spread { return s.EDL }},
	{"edl_ideal_bits", func(s Stat) Spread { return s.EDLIdeal }},
	{"edl_per_example_bits", func(s Stat) Spread { return s.EDLPerN }},
	{"edl_ideal_per_example_bits", func(s Stat) Spread { return s.EDLIdealPerN }},
	{"test_loss_bits", func(s Stat) Spread { return s.TestLoss }},
	{"edl_se_bits", func(s Stat) Spread { return s.EDLSE }},
	{"coded_bits", func(s Stat) Spread { return s.CodedBits }},
}

// SummaryCSV is summary.csv: the spread over seeds at every grid point,
// the controls' beside (columns control_*) when there are controls.
func (res *Result) SummaryCSV() [][]string {
	head := []string{"n"}
	sums := [][]Stat{res.Summary}
	prefixes := []string{""}
	if len(res.ControlSummary) > 0 {
		sums, prefixes = append(sums, res.ControlSummary), append(prefixes, "control_")
	}
	for _, pre := range prefixes {
		for _, q := range summaryQuantities {
			for _, st := range []string{"mean", "sd", "min", "max"} {
				head = append(head, pre+q.name+"_"+st)
			}
		}
	}
	rows := [][]string{head}
	for k, st := range res.Summary {
		row := []string{strconv.FormatInt(st.N, 10)}
		for _, sum := range sums {
			for _, q := range summaryQuantities {
				sp := q.pick(sum[k])
				row = append(row, Cell(sp.Mean), Cell(sp.SD), Cell(sp.Min), Cell(sp.Max))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// Table is the readable summary edl curve prints.
func (res *Result) Table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%8s %12s %12s %10s %12s %12s %12s", "n", "MDL coded", "MDL ideal", "L_test", "EDL ±se", "EDL/n", "sd(EDL/n)")
	if len(res.ControlSummary) > 0 {
		fmt.Fprintf(&b, " %14s", "control EDL/n")
	}
	fmt.Fprintf(&b, "\n%8s %12s %12s %10s %12s %12s %12s\n", "", "bits", "bits", "bits/ex", "bits", "bits/ex", "bits/ex")
	for k, st := range res.Summary {
		// A scored part (score = answers) has no coded EDL: its EDL is the
		// ideal one, like EDL/n.
		e := st.EDL.Mean
		if math.IsNaN(e) {
			e = st.EDLIdeal.Mean
		}
		fmt.Fprintf(&b, "%8d %12.1f %12.1f %10.4f %7.1f±%4.1f %12.5f %12.5f", st.N, st.CodedBits.Mean, st.IdealBits.Mean, st.TestLoss.Mean,
			e, st.EDLSE.Mean, st.EDLIdealPerN.Mean, st.EDLIdealPerN.SD)
		if len(res.ControlSummary) > 0 {
			fmt.Fprintf(&b, " %14.5f", res.ControlSummary[k].EDLIdealPerN.Mean)
		}
		b.WriteByte('\n')
	}
	if res.Spec.Score == spec.ScoreAnswers {
		b.WriteString("answers scored: MDL ideal, L_test and EDL count −log₂ p(y | y ∈ S) (ideal bits); MDL coded is the full label stream\n")
	}
	return b.String()
}
