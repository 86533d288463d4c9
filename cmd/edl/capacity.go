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
	run, err := experiment.NewCapacityRun(*target, *quick)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 2
	}
	o := &run.Options
	o.Workers = max(1, *workers)
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
	_, err := drawFigures(rep.Figures(), dir)
	return err
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
	func(c *experiment.CapacityRun, results []experiment.CapacityUnitResult, out, command string) (string, []string, error) {
		rep, err := c.Assemble(results)
		if err == nil {
			err = writeCapacity(rep, out, command)
		}
		if err != nil {
			return "", nil, err
		}
		return rep.Table(), nil, nil
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
