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
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/sweep"
	"github.com/edlwire/edlwire/shared/experiment"
	"github.com/edlwire/edlwire/shared/spec"
)

// capArgs is a parsed edl capacity command line.
type capArgs struct {
	run       experiment.CapacityRun
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
	o, err := experiment.OptionsFor(*target, *quick)
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
	run := experiment.CapacityRun{Options: o, Adapters: experiment.Adapters(*quick), LRs: experiment.CapacityLRs(o.LR, *quick)}
	return &capArgs{run: run, out: *out, plan: *plan}, 0
}

func cmdCapacity(args []string, stdout, stderr io.Writer) int {
	ca, code := parseCapacity(args, stderr)
	if ca == nil {
		return code
	}
	c := &ca.run
	c.Base = experiment.PretrainHere(c.Options)
	if ca.plan != "" {
		return planned(stdout, stderr, ca.plan, "capacity", args, capPlanConfig(c), jobsOf(c.Units()))
	}
	start := time.Now()
	rep, err := c.Run(newProgress(stderr, "edl capacity").Update)
	if err == nil {
		err = writeCapacity(rep, ca.out, "edl capacity "+strings.Join(args, " "))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, rep.Table())
	fmt.Fprintf(stdout, "%.1f s\n", time.Since(start).Seconds())
	return 0
}

// writeCapacity writes capacity.json, capacity.csv and the plots into dir.
func writeCapacity(rep *experiment.CapacityReport, dir, command string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("edl: %w", err)
	}
	rep.Command = command
	if err := writeJSON(filepath.Join(dir, "capacity.json"), rep); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "capacity.csv"), rep.CSV()); err != nil {
		return err
	}
	return capacityPlots(rep, dir)
}

// capPlanConfig is a capacity plan's configuration in plan.json.
func capPlanConfig(c *experiment.CapacityRun) any {
	return struct {
		Options  experiment.Options   `json:"options"`
		Adapters []experiment.Adapter `json:"adapters"`
		LRs      []float64            `json:"lrs"`
	}{c.Options, c.Adapters, c.LRs}
}

// capacityKind runs edl capacity's units as shards and merges them; the
// base comes from the plan's cache.
var capacityKind = unitKind("capacity", openCapacity, (*experiment.CapacityRun).RunUnit,
	func(c *experiment.CapacityRun, results []experiment.CapacityUnitResult, out, command string) (string, error) {
		rep, err := c.Assemble(results)
		if err == nil {
			err = writeCapacity(rep, out, command)
		}
		if err != nil {
			return "", err
		}
		return rep.Table(), nil
	})

func openCapacity(p *sweep.Plan) (*experiment.CapacityRun, error) {
	ca, err := replan(p, func(args []string, stderr io.Writer) (*capArgs, any, bool) {
		ca, _ := parseCapacity(args, stderr)
		if ca == nil {
			return nil, nil, false
		}
		return ca, capPlanConfig(&ca.run), true
	})
	if err != nil {
		return nil, err
	}
	c := ca.run
	c.Base = planBase(p, c.Options)
	return &c, nil
}

// capacityPlots draws capacity and PGR against the density (log axis), one
// line per adapter, for each arm, with P* marked: the grid points where the
// reference's EDL is at least 50 bits (the threshold's rule), y clipped to
// [−0.2, 3] (PGR: [−0.2, 1.3]); the PGR plot marks P*_PGR.
func capacityPlots(rep *experiment.CapacityReport, dir string) error {
	for _, q := range []struct {
		name, label string
		pick        func(experiment.CapacityPoint) float64
		star        func(experiment.CapacityArm) float64
		ymax        float64
	}{
		{"capacity", "capacity EDL/EDL_ref", func(p experiment.CapacityPoint) float64 { return p.Capacity }, func(a experiment.CapacityArm) float64 { return a.PStar }, 3},
		{"pgr", "PGR (performance gap recovered)", func(p experiment.CapacityPoint) float64 { return p.PGR }, func(a experiment.CapacityArm) float64 { return a.PStarPGR }, 1.3},
	} {
		var ss []experiment.Series
		for _, a := range rep.Arms {
			for _, c := range a.Curves {
				s := experiment.Series{Name: a.Arm + " " + c.Adapter.Name, Key: c.Adapter.Name, Points: true, Dashed: a.Arm == experiment.ArmTeach.Name}
				for _, p := range c.Points {
					v := q.pick(p)
					if p.Density > 0 && p.EDLRef >= 50 && !math.IsNaN(v) && !math.IsInf(v, 0) {
						s.X, s.Y = append(s.X, p.Density), append(s.Y, v)
					}
				}
				if len(s.X) > 1 {
					ss = append(ss, s)
				}
			}
			if st := q.star(a); st > 0 {
				ss = append(ss, experiment.Series{Name: fmt.Sprintf("P*(%s) = %.3g bits/param", a.Arm, st), X: []float64{st, st}, Y: []float64{0, 1.2}, Dashed: a.Arm == experiment.ArmTeach.Name, Reference: true})
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
