package main

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/experiment"
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
	cfg := curve.Config{Spec: sp, Grid: g, Base: base, Seeds: curve.SeedRange(sp.Seed, *seeds), Control: *control, Workers: *workers,
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
	fmt.Fprint(stdout, res.Table())
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
var curveKind = unitKind("curve", func(p *sweep.Plan) (curve.Config, error) { return replan(p, parseCurveConfig) }, curve.RunUnit,
	func(cfg curve.Config, units []curve.UnitResult, out, command string) (string, []string, error) {
		res, err := curve.Assemble(cfg, units)
		if err != nil {
			return "", nil, err
		}
		files, err := writeCurve(res, out, command)
		if err != nil {
			return "", nil, err
		}
		return res.Table() + fmt.Sprintf("signature %s (control: %s); wrote %s\n", res.Signature, res.ControlSignature, strings.Join(files, ", ")), files, nil
	})

// parseCurveConfig is parseCurve for a plan's arguments.
func parseCurveConfig(args []string, stderr io.Writer) (curve.Config, any, bool) {
	ca, _ := parseCurve(args, stderr)
	if ca == nil {
		return curve.Config{}, nil, false
	}
	return ca.cfg, curvePlanConfig(ca.cfg), true
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
	for _, f := range []struct {
		name string
		rows [][]string
	}{{"curve.csv", res.CSV()}, {"summary.csv", res.SummaryCSV()}} {
		if err := writeCSV(filepath.Join(dir, f.name), f.rows); err != nil {
			return nil, err
		}
		files = append(files, filepath.Join(dir, f.name))
	}
	if err := writeJSON(filepath.Join(dir, "curve.json"), res.Document(command)); err != nil {
		return nil, err
	}
	files = append(files, filepath.Join(dir, "curve.json"))
	plots, err := drawFigures(experiment.CurveFigures(res, fmt.Sprintf("%s/%s", res.Spec.Task, res.Spec.Model)), dir)
	if err != nil {
		return nil, err
	}
	return append(files, plots...), nil
}

// writeJSON writes v as indented JSON and a newline.
func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return fmt.Errorf("edl: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("edl: %w", err)
	}
	return nil
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
