package experiment

// The measurement of edl capacity, as units: one per adapter run of an arm
// (its learning-rate choice, its curve and, for the reference, the
// starting model's test loss). An adapter's curve is one unit, not one per
// θ*ₙ as in edl curve, because its spec depends on the learning rate its
// own passes choose: splitting it would need a second stage or the choice
// recomputed in every shard.

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/transmit"
)

// CapacityArms are the arms capacity measures, in report order.
var CapacityArms = []Arm{ArmElicit, ArmTeach}

// NewCapacityRun is edl capacity's measurement on a target (as
// OptionsFor): one seed, 8 grid points (quick: 5), the adapters of
// Adapters and the rates of CapacityLRs at the target's rate.
func NewCapacityRun(target string, quick bool) (CapacityRun, error) {
	o, err := OptionsFor(target, quick)
	if err != nil {
		return CapacityRun{}, err
	}
	o.Seeds, o.GridPoints = 1, 8
	if quick {
		o.GridPoints = 5
	}
	return CapacityRun{Options: o, Adapters: Adapters(quick), LRs: CapacityLRs(o.LR, quick)}, nil
}

// CapacityLRs are the learning rates each adapter chooses from (ChooseLR):
// the target's, a third and a tenth of it; quick, the target's and a
// quarter.
func CapacityLRs(lr float64, quick bool) []float64 {
	if quick {
		return []float64{lr, lr / 4}
	}
	return []float64{lr, lr / 3, lr / 10}
}

// CapacityReport is capacity.json (Command is the caller's).
type CapacityReport struct {
	Command  string        `json:"command"`
	Units    string        `json:"units"`
	Options  Options       `json:"options"`
	Grid     []int64       `json:"grid"`
	Arms     []CapacityArm `json:"arms"`
	Ratio    float64       `json:"p_star_teaching_over_elicitation"`
	RatioPGR float64       `json:"p_star_pgr_teaching_over_elicitation"`
}

// CapacityRun is edl capacity's measurement: every adapter on every arm of
// CapacityArms, each at the rate of LRs whose pass codes shortest.
type CapacityRun struct {
	Options  Options
	Adapters []Adapter
	LRs      []float64
	Base     Pretrainer
}

// CapacityUnit is adapter Adapter on arm Arm (indices into CapacityArms
// and Adapters).
type CapacityUnit struct {
	Arm     int `json:"arm"`
	Adapter int `json:"adapter"`
}

// CapacityUnitResult is an adapter run's result: the rate it trained at,
// its ideal-code EDL and test loss at each grid point and, for the
// reference (full fine-tuning), the starting model's test loss L0.
type CapacityUnitResult struct {
	LR       float64   `json:"lr"`
	EDLIdeal []float64 `json:"edl_ideal_bits"`
	TestLoss []float64 `json:"test_loss_bits"`
	L0       *float64  `json:"start_test_loss_bits,omitempty"`
}

// Grid is the curves' prefix sizes.
func (c *CapacityRun) Grid() []int64 {
	return curve.LogGrid(c.Options.N, c.Options.Batch, c.Options.GridPoints)
}

// Units lists arm by arm, adapter by adapter.
func (c *CapacityRun) Units() []CapacityUnit {
	var out []CapacityUnit
	for a := range CapacityArms {
		for ad := range c.Adapters {
			out = append(out, CapacityUnit{a, ad})
		}
	}
	return out
}

// spec is an adapter's spec on an arm at the target's rate, with the base
// it starts from (nil: random initialization).
func (c *CapacityRun) spec(u CapacityUnit) (spec.Spec, []byte, error) {
	o, ad := c.Options, c.Adapters[u.Adapter]
	s := o.Spec(o.Target, spec.OpAdd)
	var base []byte
	if CapacityArms[u.Arm].Base != nil {
		var err error
		if base, err = c.Base(CapacityArms[u.Arm].Base); err != nil {
			return s, nil, err
		}
		o.FromBase(&s, base, o.BaseFile(CapacityArms[u.Arm].Base))
	}
	s.Adapter, s.Rank, s.SparseParams = ad.Kind, ad.Rank, ad.Sparse
	return s, base, nil
}

// RunUnit runs one adapter on one arm.
func (c *CapacityRun) RunUnit(u CapacityUnit) (CapacityUnitResult, error) {
	if u.Arm < 0 || u.Arm >= len(CapacityArms) || u.Adapter < 0 || u.Adapter >= len(c.Adapters) {
		return CapacityUnitResult{}, fmt.Errorf("edl: capacity unit %+v outside the configuration", u)
	}
	arm, ad := CapacityArms[u.Arm], c.Adapters[u.Adapter]
	s, base, err := c.spec(u)
	if err != nil {
		return CapacityUnitResult{}, err
	}
	if ad.Kind != "" && len(c.LRs) > 1 {
		// One learning rate does not suit every adapter (large LoRA
		// ranks diverge at the full model's): each adapter takes the
		// rate of LRs with the shortest code of its pass (ideal MDL
		// of the n examples, seed 1), as the papers tune per adapter.
		if s.LR, err = bestLR(s, base, c.LRs); err != nil {
			return CapacityUnitResult{}, fmt.Errorf("edl: capacity %s %s: %w", arm.Name, ad.Name, err)
		}
	}
	res, err := curve.Measure(curve.Config{Spec: s, Grid: c.Grid(), Seeds: []uint64{1}, Workers: 1, Base: base})
	if err != nil {
		return CapacityUnitResult{}, fmt.Errorf("edl: capacity %s %s: %w", arm.Name, ad.Name, err)
	}
	r := CapacityUnitResult{LR: s.LR}
	for _, p := range res.Runs[0].Points {
		r.EDLIdeal, r.TestLoss = append(r.EDLIdeal, p.EDLIdeal), append(r.TestLoss, p.TestLoss)
	}
	if ad.Kind == "" && (arm.Name == ArmTeach.Name || c.Options.Latent()) {
		// The teaching arm starts from its random initialization's
		// test loss, not exactly uniform; the untagged target's
		// elicitation arm from the base's spread over scripts.
		l0, err := startLoss(s, base)
		if err != nil {
			return CapacityUnitResult{}, fmt.Errorf("edl: capacity %s: %w", arm.Name, err)
		}
		r.L0 = &l0
	}
	return r, nil
}

// Run runs every unit, up to Options.Workers at once, and assembles them.
func (c *CapacityRun) Run(progress func(done, total int)) (*CapacityReport, error) {
	units := c.Units()
	results := make([]CapacityUnitResult, len(units))
	err := curve.RunEach(len(units), c.Options.Workers, progress, func(i int) (err error) {
		results[i], err = c.RunUnit(units[i])
		return err
	})
	if err != nil {
		return nil, err
	}
	return c.Assemble(results)
}

// Assemble reads each arm's adapters against its reference (the adapter
// without Kind, the first) into the report, from the units' results in
// Units order.
func (c *CapacityRun) Assemble(results []CapacityUnitResult) (*CapacityReport, error) {
	units := c.Units()
	if len(results) != len(units) {
		return nil, fmt.Errorf("edl: %d capacity results for %d units", len(results), len(units))
	}
	o, grid := c.Options, c.Grid()
	rep := &CapacityReport{Options: o, Grid: grid,
		Units: "bits; density in bits per trainable parameter; capacity and PGR are ratios"}
	points := func(r CapacityUnitResult) ([]curve.Point, error) {
		if len(r.EDLIdeal) != len(grid) || len(r.TestLoss) != len(grid) {
			return nil, fmt.Errorf("edl: a capacity result has %d points for a grid of %d", len(r.EDLIdeal), len(grid))
		}
		ps := make([]curve.Point, len(grid))
		for k, n := range grid {
			ps[k] = curve.Point{N: n, EDLIdeal: r.EDLIdeal[k], TestLoss: r.TestLoss[k]}
		}
		return ps, nil
	}
	for a, arm := range CapacityArms {
		ca := CapacityArm{Arm: arm.Name, L0: detmath.Log2(float64(o.P))}
		var ref []curve.Point
		for i, u := range units {
			if u.Arm != a {
				continue
			}
			r, ad := results[i], c.Adapters[u.Adapter]
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
			ca.Curves = append(ca.Curves, NewCapacityCurve(ad, s.TrainableParams(), r.LR, ps, ref, ca.L0))
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
	return rep, nil
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
	return ChooseLR(lrs, bits), nil
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

// CSV is capacity.csv: one row per arm, adapter and grid point (NaN
// cells empty).
func (rep *CapacityReport) CSV() [][]string {
	rows := [][]string{{"arm", "adapter", "trainable_params", "n", "edl_ideal_bits", "edl_ref_ideal_bits", "capacity", "density_bits_per_param", "test_loss_bits", "pgr"}}
	f := curve.Cell
	for _, a := range rep.Arms {
		for _, c := range a.Curves {
			for _, p := range c.Points {
				rows = append(rows, []string{a.Arm, c.Adapter.Name, strconv.FormatInt(c.Trainable, 10), strconv.FormatInt(p.N, 10),
					f(p.EDL), f(p.EDLRef), f(p.Capacity), f(p.Density), f(p.TestLoss), f(p.PGR)})
			}
		}
	}
	return rows
}

// Table is the table edl capacity prints.
func (rep *CapacityReport) Table() string {
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
