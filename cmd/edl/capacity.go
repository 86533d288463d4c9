package main

// edl capacity: how many trainable parameters each regime needs (EDL.md,
// "Capacity"). On the elicitation and teaching arms of edl elicit, only P
// parameters train: LoRA adapters of rank r on every dense layer, or a
// seeded random subset of P parameters; full fine-tuning is the reference.
// capacity(n) = EDL_P(n)/EDL_ref(n), against the information density
// EDL_ref(n)/P in bits per trainable parameter; P* is the density at which
// capacity first drops below 0.95; PGR(n) = (L₀ − L_P(n))/(L₀ − L_ref(n)),
// L₀ the starting model's test loss, and P*_PGR the density between the
// adapters that recover PGR ≥ 0.95 at the largest n and those that do not.
// Each adapter trains at the learning rate (of three) whose pass codes
// shortest. The rules (thresholds, PGR, the learning-rate choice) are in
// shared/experiment; here are the flags, the runs, the files and the plots.

import (
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
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/experiment"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/transmit"
)

type capReport struct {
	Command  string                   `json:"command"`
	Units    string                   `json:"units"`
	Options  experiment.Options       `json:"options"`
	Grid     []int64                  `json:"grid"`
	Arms     []experiment.CapacityArm `json:"arms"`
	Ratio    float64                  `json:"p_star_teaching_over_elicitation"`
	RatioPGR float64                  `json:"p_star_pgr_teaching_over_elicitation"`
}

// capArgs is a parsed edl capacity command line.
type capArgs struct {
	o         experiment.Options
	adapters  []experiment.Adapter
	lrs       []float64
	out, plan string
}

// parseCapacity parses edl capacity's arguments; on failure it has told
// stderr why and returns the exit code.
func parseCapacity(args []string, stderr io.Writer) (*capArgs, int) {
	fs := flag.NewFlagSet("edl capacity", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the reduced size the tests run")
	out := fs.String("out", "", "directory for capacity.json, capacity.csv and the plots (this or --plan)")
	plan := fs.String("plan", "", "write a sweep plan into this directory instead of running: one shard per adapter run of an arm (edl submit, edl shard, edl merge)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "jobs at once (changes speed, never results)")
	points := fs.Int("grid-points", 0, "log-grid points (default 8; --quick 5)")
	n := fs.Int64("n", 0, "target examples, the largest n (default: the target's, as edl elicit)")
	pretrainN := fs.Int64("pretrain-n", 0, "pre-training examples of the base (default: the target's, as edl elicit)")
	target := fs.String("target", spec.NotationAnswersPermuted, "the task pair, as edl elicit's --target: answers-permuted or untagged")
	if err := fs.Parse(args); err != nil {
		return nil, 2
	}
	if fs.NArg() > 0 || (*out == "") == (*plan == "") || *n < 0 || *pretrainN < 0 {
		fmt.Fprintln(stderr, "edl capacity: one of --out DIR and --plan DIR is required, no positional arguments, sizes positive")
		return nil, 2
	}
	o, err := optsFor(*target, *quick)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	o.Workers, o.Seeds, o.GridPoints = max(1, *workers), 1, 8
	if *quick {
		o.GridPoints = 5
	}
	if *points > 0 {
		o.GridPoints = *points
	}
	if *n > 0 {
		o.N = *n
	}
	if *pretrainN > 0 {
		o.PretrainN = *pretrainN
	}
	if err := o.Spec(o.Target, spec.OpAdd).Validate(); err != nil {
		fmt.Fprintln(stderr, "edl capacity:", err)
		return nil, 2
	}
	lrs := []float64{o.LR, o.LR / 3, o.LR / 10}
	if *quick {
		lrs = []float64{o.LR, o.LR / 4}
	}
	return &capArgs{o: o, adapters: experiment.Adapters(*quick), lrs: lrs, out: *out, plan: *plan}, 0
}

func cmdCapacity(args []string, stdout, stderr io.Writer) int {
	ca, code := parseCapacity(args, stderr)
	if ca == nil {
		return code
	}
	c := &capRun{o: ca.o, adapters: ca.adapters, lrs: ca.lrs, base: pretrainHere(ca.o)}
	if ca.plan != "" {
		units := c.units()
		jobs := make([]any, len(units))
		for i, u := range units {
			jobs[i] = u
		}
		return planned(stdout, stderr, ca.plan, "capacity", args, capPlanConfig(ca), jobs)
	}
	start := time.Now()
	rep, err := c.run(ca.out, "edl capacity "+strings.Join(args, " "), newProgress(stderr, "edl capacity").Update)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, capacityTable(rep))
	fmt.Fprintf(stdout, "%.1f s\n", time.Since(start).Seconds())
	return 0
}

// capRun is edl capacity's measurement as units: one per adapter run of
// an arm (its learning-rate choice, its curve and, for the reference, the
// starting model's test loss). An adapter's curve is one unit, not one per
// θ*ₙ as in edl curve, because its spec depends on the learning rate its
// own passes choose: splitting it would need a second stage or the choice
// recomputed in every shard.
type capRun struct {
	o        experiment.Options
	adapters []experiment.Adapter
	lrs      []float64
	base     pretrainer
}

// capUnit is adapter Adapter on arm Arm (indices into capArms and
// adapters).
type capUnit struct {
	Arm     int `json:"arm"`
	Adapter int `json:"adapter"`
}

// capUnitResult is an adapter run's result: the rate it trained at, its
// ideal-code EDL and test loss at each grid point and, for the reference
// (full fine-tuning), the starting model's test loss L0.
type capUnitResult struct {
	LR       float64   `json:"lr"`
	EDLIdeal []float64 `json:"edl_ideal_bits"`
	TestLoss []float64 `json:"test_loss_bits"`
	L0       *float64  `json:"start_test_loss_bits,omitempty"`
}

// capArms are the arms capacity measures, in report order.
var capArms = []experiment.Arm{experiment.ArmElicit, experiment.ArmTeach}

func (c *capRun) grid() []int64 { return curve.LogGrid(c.o.N, c.o.Batch, c.o.GridPoints) }

// units lists arm by arm, adapter by adapter.
func (c *capRun) units() []capUnit {
	var out []capUnit
	for a := range capArms {
		for ad := range c.adapters {
			out = append(out, capUnit{a, ad})
		}
	}
	return out
}

// spec is an adapter's spec on an arm at the target's rate, with the base
// it starts from (nil: random initialization).
func (c *capRun) spec(u capUnit) (spec.Spec, []byte, error) {
	o, ad := c.o, c.adapters[u.Adapter]
	s := o.Spec(o.Target, spec.OpAdd)
	var base []byte
	if capArms[u.Arm].Base != nil {
		var err error
		if base, err = c.base(capArms[u.Arm].Base); err != nil {
			return s, nil, err
		}
		o.FromBase(&s, base, o.BaseFile(capArms[u.Arm].Base))
	}
	s.Adapter, s.Rank, s.SparseParams = ad.Kind, ad.Rank, ad.Sparse
	return s, base, nil
}

func (c *capRun) runUnit(u capUnit) (capUnitResult, error) {
	if u.Arm < 0 || u.Arm >= len(capArms) || u.Adapter < 0 || u.Adapter >= len(c.adapters) {
		return capUnitResult{}, fmt.Errorf("edl: capacity unit %+v outside the configuration", u)
	}
	arm, ad := capArms[u.Arm], c.adapters[u.Adapter]
	s, base, err := c.spec(u)
	if err != nil {
		return capUnitResult{}, err
	}
	if ad.Kind != "" && len(c.lrs) > 1 {
		// One learning rate does not suit every adapter (large LoRA
		// ranks diverge at the full model's): each adapter takes the
		// rate of lrs with the shortest code of its pass (ideal MDL
		// of the n examples, seed 1), as the papers tune per adapter.
		if s.LR, err = bestLR(s, base, c.lrs); err != nil {
			return capUnitResult{}, fmt.Errorf("edl: capacity %s %s: %w", arm.Name, ad.Name, err)
		}
	}
	res, err := curve.Measure(curve.Config{Spec: s, Grid: c.grid(), Seeds: []uint64{1}, Workers: 1, Base: base})
	if err != nil {
		return capUnitResult{}, fmt.Errorf("edl: capacity %s %s: %w", arm.Name, ad.Name, err)
	}
	r := capUnitResult{LR: s.LR}
	for _, p := range res.Runs[0].Points {
		r.EDLIdeal, r.TestLoss = append(r.EDLIdeal, p.EDLIdeal), append(r.TestLoss, p.TestLoss)
	}
	if ad.Kind == "" && (arm.Name == experiment.ArmTeach.Name || c.o.Latent()) {
		// The teaching arm starts from its random initialization's
		// test loss, not exactly uniform; the untagged target's
		// elicitation arm from the base's spread over scripts.
		l0, err := startLoss(s, base)
		if err != nil {
			return capUnitResult{}, fmt.Errorf("edl: capacity %s: %w", arm.Name, err)
		}
		r.L0 = &l0
	}
	return r, nil
}

// run is the one-machine command: units → run → assemble.
func (c *capRun) run(dir, command string, progress func(done, total int)) (*capReport, error) {
	units := c.units()
	results := make([]capUnitResult, len(units))
	err := runEach(len(units), c.o.Workers, progress, func(i int) (err error) {
		results[i], err = c.runUnit(units[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.assemble(results, dir, command)
}

// assemble reads each arm's adapters against its reference (the adapter
// without Kind, the first) and writes capacity.json, capacity.csv and the
// plots into dir.
func (c *capRun) assemble(results []capUnitResult, dir, command string) (*capReport, error) {
	units := c.units()
	if len(results) != len(units) {
		return nil, fmt.Errorf("edl: %d capacity results for %d units", len(results), len(units))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	o, grid := c.o, c.grid()
	rep := &capReport{Command: command, Options: o, Grid: grid,
		Units: "bits; density in bits per trainable parameter; capacity and PGR are ratios"}
	points := func(r capUnitResult) ([]curve.Point, error) {
		if len(r.EDLIdeal) != len(grid) || len(r.TestLoss) != len(grid) {
			return nil, fmt.Errorf("edl: a capacity result has %d points for a grid of %d", len(r.EDLIdeal), len(grid))
		}
		ps := make([]curve.Point, len(grid))
		for k, n := range grid {
			ps[k] = curve.Point{N: n, EDLIdeal: r.EDLIdeal[k], TestLoss: r.TestLoss[k]}
		}
		return ps, nil
	}
	for a, arm := range capArms {
		ca := experiment.CapacityArm{Arm: arm.Name, L0: detmath.Log2(float64(o.P))}
		var ref []curve.Point
		for i, u := range units {
			if u.Arm != a {
				continue
			}
			r, ad := results[i], c.adapters[u.Adapter]
			s, _, err := c.spec(u)
			if err != nil {
				return nil, err
			}
			ps, err := points(r)
			if err != nil {
				return nil, err
			}
			if ad.Kind == "" {
				ref, ca.RefParams = ps, s.TrainableParams()
				if r.L0 != nil {
					ca.L0 = *r.L0
				}
				continue
			}
			if ref == nil {
				return nil, fmt.Errorf("edl: capacity %s: adapter %s before the reference", arm.Name, ad.Name)
			}
			ca.Curves = append(ca.Curves, experiment.NewCapacityCurve(ad, s.TrainableParams(), r.LR, ps, ref, ca.L0))
		}
		ca.Thresholds()
		rep.Arms = append(rep.Arms, ca)
	}
	if len(rep.Arms) == 2 && rep.Arms[0].PStar > 0 {
		rep.Ratio = rep.Arms[1].PStar / rep.Arms[0].PStar
	}
	if len(rep.Arms) == 2 && rep.Arms[0].PStarPGR > 0 {
		rep.RatioPGR = rep.Arms[1].PStarPGR / rep.Arms[0].PStarPGR
	}
	b, err := json.MarshalIndent(rep, "", " ")
	if err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "capacity.json"), append(b, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	rows := [][]string{{"arm", "adapter", "trainable_params", "n", "edl_ideal_bits", "edl_ref_ideal_bits", "capacity", "density_bits_per_param", "test_loss_bits", "pgr"}}
	f := func(v float64) string { return cell(v) }
	for _, a := range rep.Arms {
		for _, c := range a.Curves {
			for _, p := range c.Points {
				rows = append(rows, []string{a.Arm, c.Adapter.Name, strconv.FormatInt(c.Trainable, 10), strconv.FormatInt(p.N, 10),
					f(p.EDL), f(p.EDLRef), f(p.Capacity), f(p.Density), f(p.TestLoss), f(p.PGR)})
			}
		}
	}
	if err := writeCSV(filepath.Join(dir, "capacity.csv"), rows); err != nil {
		return nil, err
	}
	return rep, capacityPlots(rep, dir)
}

// capPlanConfig is a capacity plan's configuration in plan.json.
func capPlanConfig(ca *capArgs) any {
	return struct {
		Options  experiment.Options   `json:"options"`
		Adapters []experiment.Adapter `json:"adapters"`
		LRs      []float64            `json:"lrs"`
	}{ca.o, ca.adapters, ca.lrs}
}

// capacityKind runs edl capacity's units as shards and merges them; the
// base comes from the plan's cache.
var capacityKind = unitKind("capacity", openCapacity, (*capRun).runUnit,
	func(c *capRun, results []capUnitResult, out, command string) (string, error) {
		rep, err := c.assemble(results, out, command)
		if err != nil {
			return "", err
		}
		return capacityTable(rep), nil
	})

func openCapacity(p *sweep.Plan) (*capRun, error) {
	ca, err := replan(p, func(args []string, stderr io.Writer) (*capArgs, any, bool) {
		ca, _ := parseCapacity(args, stderr)
		if ca == nil {
			return nil, nil, false
		}
		return ca, capPlanConfig(ca), true
	})
	if err != nil {
		return nil, err
	}
	return &capRun{o: ca.o, adapters: ca.adapters, lrs: ca.lrs, base: planBase(p, ca.o)}, nil
}

// bestLR returns the rate of lrs whose pass over s's n examples (seed 1)
// has the smallest ideal code length. The passes run one after another:
// the adapter runs around it are the units that run at once.
func bestLR(s spec.Spec, base []byte, lrs []float64) (float64, error) {
	bits := make([]float64, len(lrs))
	for i, lr := range lrs {
		t := s
		t.LR = lr
		sess, _, labels, err := armSession(t, 1, t.N, base)
		if err != nil {
			return 0, err
		}
		if err := transmit.Train(sess, labels.Train, t.N); err != nil {
			return 0, err
		}
		bits[i] = sess.Accounting().IdealBits
	}
	return experiment.ChooseLR(lrs, bits), nil
}

// startLoss is the test loss of a spec's starting model.
func startLoss(s spec.Spec, base []byte) (float64, error) {
	sess, in, labels, err := armSession(s, 1, 1, base)
	if err != nil {
		return 0, err
	}
	l, _, _, err := curve.TestLoss(sess, &in.Test, labels.Test, nil)
	return l, err
}

// capacityPlots draws capacity and PGR against the density (log axis), one
// line per adapter, for each arm, with P* marked: the grid points where the
// reference's EDL is at least 50 bits (the threshold's rule), y clipped to
// [−0.2, 3] (PGR: [−0.2, 1.3]); the PGR plot marks P*_PGR.
func capacityPlots(rep *capReport, dir string) error {
	for _, q := range []struct {
		name, label string
		pick        func(experiment.CapacityPoint) float64
		star        func(experiment.CapacityArm) float64
		ymax        float64
	}{
		{"capacity", "capacity EDL/EDL_ref", func(p experiment.CapacityPoint) float64 { return p.Capacity }, func(a experiment.CapacityArm) float64 { return a.PStar }, 3},
		{"pgr", "PGR (performance gap recovered)", func(p experiment.CapacityPoint) float64 { return p.PGR }, func(a experiment.CapacityArm) float64 { return a.PStarPGR }, 1.3},
	} {
		var ss []series
		for _, a := range rep.Arms {
			for _, c := range a.Curves {
				s := series{name: a.Arm + " " + c.Adapter.Name, key: c.Adapter.Name, points: true, dashed: a.Arm == experiment.ArmTeach.Name}
				for _, p := range c.Points {
					v := q.pick(p)
					if p.Density > 0 && p.EDLRef >= 50 && !math.IsNaN(v) && !math.IsInf(v, 0) {
						s.x, s.y = append(s.x, p.Density), append(s.y, v)
					}
				}
				if len(s.x) > 1 {
					ss = append(ss, s)
				}
			}
			if st := q.star(a); st > 0 {
				ss = append(ss, series{name: fmt.Sprintf("P*(%s) = %.3g bits/param", a.Arm, st), x: []float64{st, st}, y: []float64{0, 1.2}, dashed: a.Arm == experiment.ArmTeach.Name, reference: true})
			}
		}
		if len(ss) == 0 {
			continue
		}
		p, err := newPlot(fmt.Sprintf("edl capacity: %s against EDL_ref/P (solid: elicitation, dashed: teaching)", q.name), "information density EDL_ref/P (bits per trainable parameter, log scale)", q.label, true, ss)
		if err != nil {
			return err
		}
		p.Y.Min, p.Y.Max = -0.2, q.ymax // ratios outside are clipped (the CSV has them all)
		if _, err := save(p, dir, q.name); err != nil {
			return err
		}
	}
	return nil
}

func capacityTable(rep *capReport) string {
	var b strings.Builder
	n := rep.Grid[len(rep.Grid)-1]
	fmt.Fprintf(&b, "%-12s %-12s %8s %10s %12s %12s %10s %14s %8s %14s\n", "arm", "adapter", "lr", "P", fmt.Sprintf("EDL(%d)", n), "EDL_ref", "capacity", "EDL_ref/P", "PGR", "threshold")
	fmt.Fprintf(&b, "%-12s %-12s %8s %10s %12s %12s %10s %14s %8s %14s\n", "", "", "", "params", "bits", "bits", "", "bits/param", "", "bits/param")
	for _, a := range rep.Arms {
		fmt.Fprintf(&b, "%-12s %-12s %8.4g %10d (reference: full fine-tuning, start loss %.3f bits)\n", a.Arm, "full", rep.Options.LR, a.RefParams, a.L0)
		for _, c := range a.Curves {
			p := c.Points[len(c.Points)-1]
			fmt.Fprintf(&b, "%-12s %-12s %8.4g %10d %12.1f %12.1f %10.3f %14.4g %8.3f %14.4g\n", a.Arm, c.Adapter.Name, c.LR, c.Trainable, p.EDL, p.EDLRef, p.Capacity, p.Density, p.PGR, c.Threshold)
		}
		fmt.Fprintf(&b, "%-12s P* = %.4g bits/param (median over the %d adapters whose capacity drops below 0.95; range %.4g–%.4g)\n", a.Arm, a.PStar, a.Dropped, a.PStarLo, a.PStarHi)
		fmt.Fprintf(&b, "%-12s P*_PGR = %.4g bits/param (PGR at n=%d >= 0.95 up to %.4g bits/param, below from %.4g)\n", a.Arm, a.PStarPGR, n, a.PGRLo, a.PGRHi)
		if len(a.PGRConflict) > 0 {
			fmt.Fprintf(&b, "%-12s P*_PGR not established: below %.4g bits/param these fail too: %s\n", a.Arm, a.PGRLo, strings.Join(a.PGRConflict, "; "))
		}
	}
	fmt.Fprintf(&b, "P*(teaching)/P*(elicitation) = %.3g; P*_PGR(teaching)/P*_PGR(elicitation) = %.3g\n", rep.Ratio, rep.RatioPGR)
	return b.String()
}
