package main

// edl elicit and edl intervene: elicitation versus teaching on one target
// task, and the causal intervention. The design (the task pair, its arms
// and bases, the verdicts) is in shared/experiment; here are the flags,
// the runs, the files and the figures.

import (
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

func cmdElicit(args []string, stdout, stderr io.Writer) int {
	return elicitMain("elicit", args, stdout, stderr)
}

func cmdIntervene(args []string, stdout, stderr io.Writer) int {
	return elicitMain("intervene", args, stdout, stderr)
}

func elicitMain(mode string, args []string, stdout, stderr io.Writer) int {
	o, out, plan, err := parseElicitFlags(mode, args, stderr)
	if err != nil {
		return 2
	}
	e := &experiment.ElicitRun{Options: o, Mode: mode, Arms: experiment.ElicitArms(mode), Base: experiment.PretrainHere(o)}
	if plan != "" {
		return planned(stdout, stderr, plan, mode, args, elicitPlanConfig(e), jobsOf(e.Units()))
	}
	start := time.Now()
	rep, curves, err := e.Run(newProgress(stderr, "edl "+mode).Update)
	if err == nil {
		err = writeElicit(e, rep, curves, out, "edl "+mode+" "+strings.Join(args, " "))
	}
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, rep.Table())
	fmt.Fprintf(stdout, "%.1f s\n", time.Since(start).Seconds())
	return 0
}

// parseElicitFlags reads edl elicit's (or intervene's) command line: the
// target's defaults with exactly the flags given applied over them, and the
// output directory. Every error is written to stderr (a usage error: exit 2).
func parseElicitFlags(mode string, args []string, stderr io.Writer) (o experiment.Options, out, plan string, err error) {
	fs := flag.NewFlagSet("edl "+mode, flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the reduced size the tests run")
	fs.StringVar(&out, "out", "", "directory for elicit.json, elicit.csv, the plots and one curve directory per arm (this or --plan)")
	fs.StringVar(&plan, "plan", "", "write a sweep plan into this directory instead of running: one shard per coded pass, θ*ₙ run or single-example test (edl submit, edl shard, edl merge)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "jobs at once (changes speed, never results)")
	var ov experiment.Options
	target := fs.String("target", spec.NotationAnswersPermuted, "the task pair: answers-permuted (a new answer alphabet; the elicitation arm's head is reset) or untagged (the base knows every script when a tag names it; the target leaves the tag out)")
	fs.IntVar(&ov.Seeds, "seeds", 0, "seeds per arm (default 3)")
	fs.Int64Var(&ov.P, "p", 0, "modulus p (default 59, untagged 23; --quick 23)")
	fs.Int64Var(&ov.Hidden, "hidden", 0, "hidden width (default 160, untagged 64; --quick 64)")
	fs.IntVar(&ov.Layers, "layers", 0, "hidden layers (default 1; untagged 2)")
	fs.Int64Var(&ov.Scripts, "scripts", 0, "untagged target only: scripts the base knows (default 4)")
	fs.Float64Var(&ov.LR, "lr", 0, "adam learning rate of every run (default 0.015, --quick 0.02; untagged 0.005)")
	fs.Int64Var(&ov.Batch, "batch", 0, "minibatch (default 8)")
	fs.Int64Var(&ov.N, "n", 0, "target examples, the largest n (default 50000, untagged 20000; --quick 6000, untagged 3000)")
	fs.Int64Var(&ov.PretrainN, "pretrain-n", 0, "pre-training examples (default 60000, --quick 12000; untagged 60000)")
	fs.IntVar(&ov.GridPoints, "grid-points", 0, "log-grid points (default 14, untagged 12; --quick 9, untagged 8)")
	fs.Int64Var(&ov.Epochs, "epochs", 0, "θ*ₙ: epochs past the pass, early-stopped on --validation (default 0: θ*ₙ is the pass model; untagged 20)")
	fs.Int64Var(&ov.Patience, "patience", 0, "θ*ₙ: early-stopping patience in epochs (default 3 when epochs > 0, at most epochs; 0 when epochs is 0)")
	fs.Int64Var(&ov.Validation, "validation", 0, "θ*ₙ: validation examples (default 1000 when epochs > 0; 0 when epochs is 0)")
	if err := fs.Parse(args); err != nil {
		return experiment.Options{}, "", "", err
	}
	fail := func(format string, a ...any) (experiment.Options, string, string, error) {
		err := fmt.Errorf("edl "+mode+": "+format, a...)
		fmt.Fprintln(stderr, err)
		return experiment.Options{}, "", "", err
	}
	if fs.NArg() > 0 || (out == "") == (plan == "") {
		return fail("one of --out DIR and --plan DIR is required, no positional arguments")
	}
	o, err = experiment.OptionsFor(*target, *quick)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return experiment.Options{}, "", "", err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	for _, name := range []string{"seeds", "p", "hidden", "layers", "scripts", "lr", "batch", "n", "pretrain-n", "grid-points"} {
		if v, _ := strconv.ParseFloat(fs.Lookup(name).Value.String(), 64); given[name] && !(v > 0) {
			return fail("--%s must be positive, got %s", name, fs.Lookup(name).Value)
		}
	}
	if given["scripts"] && !o.Latent() {
		return fail("--scripts: only the %s target has scripts (target %s)", spec.NotationUntagged, o.Target)
	}
	o.Override(ov, given)
	o.Workers = max(1, *workers)
	if err := o.Spec(o.Target, spec.OpAdd).Validate(); err != nil {
		return fail("%v", err)
	}
	return o, out, plan, nil
}

// writeElicit writes a report and its arms' curves into dir: the bases,
// every arm's curve directory, elicit.json, elicit.csv and the figures.
func writeElicit(e *experiment.ElicitRun, rep *experiment.ElicitReport, curves []*curve.Result, dir, command string) error {
	if err := os.MkdirAll(filepath.Join(dir, "bases"), 0o755); err != nil {
		return fmt.Errorf("edl: %w", err)
	}
	for _, a := range e.Arms {
		if a.Base == nil {
			continue
		}
		file, err := e.Base(a.Base)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "bases", e.Options.BaseFile(a.Base)), file, 0o644); err != nil {
			return fmt.Errorf("edl: %w", err)
		}
	}
	for i, a := range e.Arms {
		if _, err := writeCurve(curves[i], filepath.Join(dir, a.Name), command+" (arm "+a.Name+")"); err != nil {
			return err
		}
	}
	rep.Command = command
	if err := writeJSON(filepath.Join(dir, "elicit.json"), rep); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "elicit.csv"), rep.CSV()); err != nil {
		return err
	}
	return elicitPlot(rep, dir)
}

// elicitPlanConfig is an elicit or intervene plan's configuration in
// plan.json: what a shard's own parse of the arguments must reproduce.
func elicitPlanConfig(e *experiment.ElicitRun) any {
	return struct {
		Mode    string             `json:"mode"`
		Options experiment.Options `json:"options"`
		Arms    []experiment.Arm   `json:"arms"`
	}{e.Mode, e.Options, e.Arms}
}

// elicitKind runs edl elicit's (mode "elicit") or intervene's units as
// shards and merges them; the bases come from the plan's cache.
func elicitKind(mode string) sweep.Kind {
	parse := func(args []string, stderr io.Writer) (experiment.Options, any, bool) {
		o, _, _, err := parseElicitFlags(mode, args, stderr)
		return o, elicitPlanConfig(&experiment.ElicitRun{Options: o, Mode: mode, Arms: experiment.ElicitArms(mode)}), err == nil
	}
	open := func(p *sweep.Plan) (*experiment.ElicitRun, error) {
		o, err := replan(p, parse)
		if err != nil {
			return nil, err
		}
		return &experiment.ElicitRun{Options: o, Mode: mode, Arms: experiment.ElicitArms(mode), Base: planBase(p, o)}, nil
	}
	return unitKind(mode, open, (*experiment.ElicitRun).RunUnit,
		func(e *experiment.ElicitRun, results []experiment.ElicitUnitResult, out, command string) (string, []string, error) {
			rep, curves, err := e.Assemble(results)
			if err == nil {
				err = writeElicit(e, rep, curves, out, command)
			}
			if err != nil {
				return "", nil, err
			}
			return rep.Table(), nil, nil
		})
}

// elicitPlot draws the report's figures from its arms' curve.json files
// (what edl merge and a replot read as well).
func elicitPlot(rep *experiment.ElicitReport, dir string) error {
	docs := make([]curve.Document, len(rep.Arms))
	for i, ar := range rep.Arms {
		b, err := os.ReadFile(filepath.Join(dir, ar.Dir, "curve.json"))
		if err == nil {
			err = json.Unmarshal(b, &docs[i])
		}
		if err != nil {
			return fmt.Errorf("edl: %w", err)
		}
	}
	_, err := drawFigures(rep.Figures(docs), dir)
	return err
}
