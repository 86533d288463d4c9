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
	Seconds  float64                  `json:"elapsed_seconds"`
}

func cmdCapacity(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl capacity", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "the reduced size the tests run")
	out := fs.String("out", "", "directory for capacity.json, capacity.csv and the plots (required)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "jobs at once (changes speed, never results)")
	points := fs.Int("grid-points", 0, "log-grid points (default 8; --quick 5)")
	target := fs.String("target", spec.NotationAnswersPermuted, "the task pair, as edl elicit's --target: answers-permuted or untagged")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || *out == "" {
		fmt.Fprintln(stderr, "edl capacity: --out DIR is required, no positional arguments")
		return 2
	}
	o, err := optsFor(*target, *quick)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	o.Workers, o.Seeds, o.GridPoints = max(1, *workers), 1, 8
	if *quick {
		o.GridPoints = 5
	}
	if *points > 0 {
		o.GridPoints = *points
	}
	lrs := []float64{o.LR, o.LR / 3, o.LR / 10}
	if *quick {
		lrs = []float64{o.LR, o.LR / 4}
	}
	rep, err := runCapacity(o, experiment.Adapters(*quick), lrs, *out, "edl capacity "+strings.Join(args, " "), newProgress(stderr, "edl capacity").Update)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	fmt.Fprint(stdout, capacityTable(rep))
	return 0
}

func runCapacity(o experiment.Options, adapters []experiment.Adapter, lrs []float64, dir, command string, progress func(done, total int)) (*capReport, error) {
	start := time.Now()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("edl: %w", err)
	}
	file, err := o.Pretrain(experiment.BaseCorrect)
	if err != nil {
		return nil, err
	}
	target := o.Spec(o.Target, spec.OpAdd)
	grid := curve.LogGrid(o.N, o.Batch, o.GridPoints)
	rep := &capReport{Command: command, Options: o, Grid: grid,
		Units: "bits; density in bits per trainable parameter; capacity and PGR are ratios"}
	total := 2 * len(adapters)
	job := 0
	for _, arm := range []string{experiment.ArmElicit.Name, experiment.ArmTeach.Name} {
		ca := experiment.CapacityArm{Arm: arm, L0: detmath.Log2(float64(o.P))}
		var ref curve.Run
		for _, ad := range adapters {
			s := target
			var base []byte
			if arm == experiment.ArmElicit.Name {
				base = file
				o.FromBase(&s, file, o.BaseFile(experiment.BaseCorrect))
			}
			s.Adapter, s.Rank, s.SparseParams = ad.Kind, ad.Rank, ad.Sparse
			if ad.Kind != "" && len(lrs) > 1 {
				// One learning rate does not suit every adapter (large LoRA
				// ranks diverge at the full model's): each adapter takes the
				// rate of lrs with the shortest code of its pass (ideal MDL
				// of the n examples, seed 1), as the papers tune per adapter.
				if s.LR, err = bestLR(s, base, lrs, o.Workers); err != nil {
					return nil, fmt.Errorf("edl: capacity %s %s: %w", arm, ad.Name, err)
				}
			}
			res, err := curve.Measure(curve.Config{Spec: s, Grid: grid, Seeds: []uint64{1}, Workers: o.Workers, Base: base})
			if err != nil {
				return nil, fmt.Errorf("edl: capacity %s %s: %w", arm, ad.Name, err)
			}
			job++
			if progress != nil {
				progress(job, total)
			}
			run := res.Runs[0]
			if ad.Kind == "" {
				ref, ca.RefParams = run, s.TrainableParams()
				if arm == experiment.ArmTeach.Name || o.Latent() {
					// The teaching arm starts from its random initialization's
					// test loss, not exactly uniform; the untagged target's
					// elicitation arm from the base's spread over scripts.
					if ca.L0, err = startLoss(s, base); err != nil {
						return nil, fmt.Errorf("edl: capacity %s: %w", arm, err)
					}
				}
				continue
			}
			cc := experiment.NewCapacityCurve(ad, s.TrainableParams(), s.LR, run.Points, ref.Points, ca.L0)
			ca.Curves = append(ca.Curves, cc)
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
	rep.Seconds = time.Since(start).Seconds()
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

// bestLR returns the rate of lrs whose pass over s's n examples (seed 1)
// has the smallest ideal code length; the passes run at once, up to workers.
func bestLR(s spec.Spec, base []byte, lrs []float64, workers int) (float64, error) {
	bits := make([]float64, len(lrs))
	errs := make([]error, len(lrs))
	sem := make(chan struct{}, max(1, workers))
	done := make(chan struct{})
	for i, lr := range lrs {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			t := s
			t.LR = lr
			sess, _, labels, err := armSession(t, 1, t.N, base)
			if err != nil {
				errs[i] = err
				return
			}
			if err := transmit.Train(sess, labels.Train, t.N); err != nil {
				errs[i] = err
				return
			}
			bits[i] = sess.Accounting().IdealBits
		}()
	}
	for range lrs {
		<-done
	}
	for _, err := range errs {
		if err != nil {
			return 0, err
		}
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
	fmt.Fprintf(&b, "P*(teaching)/P*(elicitation) = %.3g; P*_PGR(teaching)/P*_PGR(elicitation) = %.3g; %.1f s\n", rep.Ratio, rep.RatioPGR, rep.Seconds)
	return b.String()
}
