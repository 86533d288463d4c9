package main

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/spec"
)

// parseGrid reads "log:K" (about K log-spaced points from the batch size to
// n) or a comma-separated list of prefix sizes.
func parseGrid(v string, n, batch int64) ([]int64, error) {
	if rest, ok := strings.CutPrefix(v, "log:"); ok {
		k, err := strconv.Atoi(rest)
		if err != nil || k < 1 {
			return nil, fmt.Errorf("edl: --grid %q: want log:K with K >= 1", v)
		}
		return curve.LogGrid(n, batch, k), nil
	}
	g, err := spec.ParseInts(v)
	if err != nil || len(g) == 0 {
		return nil, fmt.Errorf("edl: --grid %q: want log:K or a list such as 10,100,1000", v)
	}
	return g, nil
}

func seedList(first uint64, k int) []uint64 {
	out := make([]uint64, k)
	for i := range out {
		out[i] = first + uint64(i)
	}
	return out
}

// curveArgs is a parsed edl curve command line.
type curveArgs struct {
	cfg       curve.Config
	out, plan string
}

// parseCurve parses edl curve's arguments into a validated configuration;
// on failure it has told stderr why and returns the exit code.
func parseCurve(args []string, stderr io.Writer) (*curveArgs, int) {
	fs := flag.NewFlagSet("edl curve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sf := registerSpec(fs)
	seeds := fs.Int("seeds", 3, "number of seeds: --seed, --seed+1, …")
	grid := fs.String("grid", "log:25", "prefix sizes n: log:K (K log-spaced points up to --n) or a list 10,100,1000 (multiples of --batch)")
	out := fs.String("out", "", "directory for curve.csv, summary.csv, curve.json and the plots (this or --plan)")
	plan := fs.String("plan", "", "write a sweep plan into this directory instead of running: one shard per coded pass or θ*ₙ run (edl submit, edl shard, edl merge)")
	control := fs.Bool("control", true, "run the random-label control beside every seed")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "θ* runs at once (changes speed, never results)")
	if err := fs.Parse(args); err != nil {
		return nil, 2
	}
	if fs.NArg() > 0 || (*out == "") == (*plan == "") || *seeds < 1 {
		fmt.Fprintln(stderr, "edl curve: one of --out DIR and --plan DIR is required, --seeds at least 1, no positional arguments")
		return nil, 2
	}
	sp, build, base, err := sf.resolve()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	g, err := parseGrid(*grid, sp.N, sp.Batch)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	cfg := curve.Config{Spec: sp, Grid: g, Base: base, Seeds: seedList(sp.Seed, *seeds), Control: *control, Workers: *workers,
		Build: build, KeepLosses: true}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	return &curveArgs{cfg: cfg, out: *out, plan: *plan}, 0
}

func cmdCurve(args []string, stdout, stderr io.Writer) int {
	ca, code := parseCurve(args, stderr)
	if ca == nil {
		return code
	}
	if ca.plan != "" {
		units := ca.cfg.Units()
		jobs := make([]any, len(units))
		for i, u := range units {
			jobs[i] = u
		}
		return planned(stdout, stderr, ca.plan, "curve", args, curvePlanConfig(ca.cfg), jobs)
	}
	cfg := ca.cfg
	cfg.Progress = newProgress(stderr, "edl curve").Update
	start := time.Now()
	res, err := curve.Measure(cfg)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	elapsed := time.Since(start).Seconds()
	files, err := writeCurve(res, ca.out, "edl curve "+strings.Join(args, " "))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, curveTable(res))
	fmt.Fprintf(stdout, "signature %s (control: %s); %.1f s; wrote %s\n", res.Signature, res.ControlSignature, elapsed, strings.Join(files, ", "))
	return 0
}

// curvePlanConfig is a curve plan's configuration in plan.json: what a
// shard's own parse of the arguments must reproduce.
func curvePlanConfig(c curve.Config) any {
	h := c.Spec.Hash()
	b := sha256.Sum256(c.Base)
	return struct {
		Spec       string   `json:"spec"`
		SpecHash   string   `json:"spec_hash"`
		BaseSHA256 string   `json:"base_file_sha256"`
		Grid       []int64  `json:"grid"`
		Seeds      []uint64 `json:"seeds"`
		Control    bool     `json:"control"`
		KeepLosses bool     `json:"keep_losses"`
	}{string(c.Spec.Canonical()), hex.EncodeToString(h[:]), hex.EncodeToString(b[:]), c.Grid, c.Seeds, c.Control, c.KeepLosses}
}

// curveKind runs edl curve's units as shards and merges them.
var curveKind = sweep.Kind{
	Shard: func(p *sweep.Plan, job json.RawMessage) (json.RawMessage, error) {
		cfg, err := replan(p, parseCurveConfig)
		if err != nil {
			return nil, err
		}
		var u curve.Unit
		if err := json.Unmarshal(job, &u); err != nil {
			return nil, fmt.Errorf("edl: curve shard: %w", err)
		}
		r, err := curve.RunUnit(cfg, u)
		if err != nil {
			return nil, err
		}
		return json.Marshal(r)
	},
	Merge: func(p *sweep.Plan, args []string, results []json.RawMessage, out string, stdout io.Writer) ([]string, error) {
		cfg, err := replan(p, parseCurveConfig)
		if err != nil {
			return nil, err
		}
		units := make([]curve.UnitResult, len(results))
		for i, r := range results {
			if err := json.Unmarshal(r, &units[i]); err != nil {
				return nil, fmt.Errorf("edl: curve shard %d: %w", i, err)
			}
		}
		res, err := curve.Assemble(cfg, units)
		if err != nil {
			return nil, err
		}
		files, err := writeCurve(res, out, "edl curve "+strings.Join(args, " "))
		if err != nil {
			return nil, err
		}
		fmt.Fprint(stdout, curveTable(res))
		fmt.Fprintf(stdout, "signature %s (control: %s); wrote %s\n", res.Signature, res.ControlSignature, strings.Join(files, ", "))
		return files, nil
	},
}

// parseCurveConfig is parseCurve for a plan's arguments.
func parseCurveConfig(args []string, stderr io.Writer) (curve.Config, any, bool) {
	ca, _ := parseCurve(args, stderr)
	if ca == nil {
		return curve.Config{}, nil, false
	}
	return ca.cfg, curvePlanConfig(ca.cfg), true
}

// curveJSON is curve.json: the spec, the curves and their summary.
type curveJSON struct {
	Command          string            `json:"command"`
	Spec             map[string]string `json:"spec"`
	SpecHash         string            `json:"spec_hash"`
	Units            string            `json:"units"`
	Grid             []int64           `json:"grid"`
	Signature        curve.Regime      `json:"signature"`
	ControlSignature curve.Regime      `json:"control_signature,omitempty"`
	Runs             []curve.Run       `json:"runs"`
	Controls         []curve.Run       `json:"controls,omitempty"`
	Summary          []curve.Stat      `json:"summary"`
	ControlSummary   []curve.Stat      `json:"control_summary,omitempty"`
}

// specMap is the canonical spec as name → value.
func specMap(s spec.Spec) map[string]string {
	m := map[string]string{}
	for _, line := range strings.Split(string(s.Canonical()), "\n")[1:] {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = v
		}
	}
	return m
}

// finite replaces NaN (EDL of a scored part, which has no coded length) by
// nothing in CSV cells.
func cell(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', 10, 64)
}

// writeCurve writes curve.csv (every run and grid point), summary.csv
// (spread over seeds), curve.json and the plots into dir.
//
// Nothing in them depends on the clock or the machine (no elapsed time: it
// is printed on stdout), so a merged sweep writes the very same bytes.
func writeCurve(res *curve.Result, dir, command string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	var files []string
	// curve.csv
	rows := [][]string{{"labels", "seed", "n", "scored", "coded_bits", "quantized_bits", "ideal_bits", "test_loss_bits", "test_se_bits",
		"edl_bits", "edl_ideal_bits", "edl_se_bits", "edl_per_example_bits", "edl_ideal_per_example_bits", "valid_bits", "epochs", "best_epoch", "test_accuracy"}}
	for _, group := range [][]curve.Run{res.Runs, res.Controls} {
		for _, r := range group {
			kind := "real"
			if r.RandomLabels {
				kind = "random"
			}
			for _, p := range r.Points {
				rows = append(rows, []string{kind, strconv.FormatUint(r.Seed, 10), strconv.FormatInt(p.N, 10), strconv.FormatInt(p.Scored, 10),
					strconv.FormatInt(p.CodedBits, 10), cell(p.QuantizedBits), cell(p.IdealBits), cell(p.TestLoss), cell(p.TestSE),
					cell(p.EDL), cell(p.EDLIdeal), cell(p.EDLSE), cell(p.PerN(p.EDL)), cell(p.PerN(p.EDLIdeal)), cell(p.ValidBits),
					strconv.FormatInt(p.Epochs, 10), strconv.FormatInt(p.BestEpoch, 10), cell(p.TestAccuracy)})
			}
		}
	}
	if err := writeCSV(filepath.Join(dir, "curve.csv"), rows); err != nil {
		return nil, err
	}
	files = append(files, filepath.Join(dir, "curve.csv"))
	// summary.csv
	head := []string{"n"}
	quantities := []struct {
		name string
		pick func(curve.Stat) curve.Spread
	}{
		{"edl_bits", func(s curve.Stat) curve.Spread { return s.EDL }},
		{"edl_ideal_bits", func(s curve.Stat) curve.Spread { return s.EDLIdeal }},
		{"edl_per_example_bits", func(s curve.Stat) curve.Spread { return s.EDLPerN }},
		{"edl_ideal_per_example_bits", func(s curve.Stat) curve.Spread { return s.EDLIdealPerN }},
		{"test_loss_bits", func(s curve.Stat) curve.Spread { return s.TestLoss }},
		{"edl_se_bits", func(s curve.Stat) curve.Spread { return s.EDLSE }},
		{"coded_bits", func(s curve.Stat) curve.Spread { return s.CodedBits }},
	}
	prefixes := []string{""}
	if len(res.ControlSummary) > 0 {
		prefixes = append(prefixes, "control_")
	}
	for _, pre := range prefixes {
		for _, q := range quantities {
			for _, st := range []string{"mean", "sd", "min", "max"} {
				head = append(head, pre+q.name+"_"+st)
			}
		}
	}
	rows = [][]string{head}
	for k, st := range res.Summary {
		row := []string{strconv.FormatInt(st.N, 10)}
		for i, sums := range [][]curve.Stat{res.Summary, res.ControlSummary}[:len(prefixes)] {
			_ = i
			for _, q := range quantities {
				sp := q.pick(sums[k])
				row = append(row, cell(sp.Mean), cell(sp.SD), cell(sp.Min), cell(sp.Max))
			}
		}
		rows = append(rows, row)
	}
	if err := writeCSV(filepath.Join(dir, "summary.csv"), rows); err != nil {
		return nil, err
	}
	files = append(files, filepath.Join(dir, "summary.csv"))
	// curve.json
	h := res.Spec.Hash()
	j := curveJSON{Command: command, Spec: specMap(res.Spec), SpecHash: fmt.Sprintf("%x", h[:]),
		Units: "bits; *_per_example in bits/example; test_loss in bits/example; seeds replace spec.seed",
		Grid:  res.Grid, Signature: res.Signature, ControlSignature: res.ControlSignature,
		Runs: res.Runs, Controls: res.Controls, Summary: res.Summary, ControlSummary: res.ControlSummary}
	b, err := json.MarshalIndent(j, "", " ")
	if err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "curve.json"), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	files = append(files, filepath.Join(dir, "curve.json"))
	plots, err := curvePlots(res, dir, fmt.Sprintf("%s/%s", res.Spec.Task, res.Spec.Model))
	if err != nil {
		return nil, err
	}
	return append(files, plots...), nil
}

func writeCSV(path string, rows [][]string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("edl: %w", err)
	}
	w := csv.NewWriter(f)
	if err := w.WriteAll(rows); err != nil {
		f.Close()
		return fmt.Errorf("edl: %w", err)
	}
	return f.Close()
}

// curveTable is the readable summary printed on stdout.
func curveTable(res *curve.Result) string {
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
