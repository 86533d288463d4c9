package experiment

import (
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/edlwire/edlwire/shared/curve"
	"github.com/edlwire/edlwire/shared/spec"
)

// Capacity (EDL.md, "Capacity"): on each arm only P parameters train (LoRA
// adapters of rank r, or a seeded random subset of P parameters) and full
// fine-tuning is the reference. At every n, capacity = EDL_P/EDL_ref against
// the information density EDL_ref/P in bits per trainable parameter; an
// adapter's threshold is the density where its capacity first drops below
// CapacityCut, and P* the median of the thresholds. PGR(n) = (L₀ − L_P(n)) /
// (L₀ − L_ref(n)) is the share of the reference's test-loss gain an adapter
// recovers; P*_PGR separates the adapters that recover at least PGRCut at
// the largest n from those that do not.

// The thresholds' rules.
const (
	// CapacityCut: an adapter has run out of capacity where EDL_P/EDL_ref
	// falls below it (the papers' 0.95).
	CapacityCut = 0.95
	// PGRCut: an adapter "works" when it recovers at least this share of
	// the reference's test-loss gain.
	PGRCut = 0.95
	// MinRefBits: a threshold is read only where the reference has learned
	// at least this many bits of EDL; below it the ratio is noise over noise.
	MinRefBits = 50
)

// Adapter is one way of training P parameters (Kind "": full fine-tuning,
// the reference).
type Adapter struct {
	Name   string `json:"name"`
	Kind   string `json:"adapter"`
	Rank   int64  `json:"rank,omitempty"`
	Sparse int64  `json:"sparse_params,omitempty"`
}

// Adapters is the capacity sweep: the reference, LoRA ranks 1…32 and sparse
// subsets of 10, 100 and 1000 parameters (quick: ranks 1 and 4, sparse 100).
func Adapters(quick bool) []Adapter {
	ranks := []int64{1, 2, 4, 8, 16, 32}
	sparse := []int64{10, 100, 1000}
	if quick {
		ranks, sparse = []int64{1, 4}, []int64{100}
	}
	out := []Adapter{{Name: "full"}}
	for _, r := range ranks {
		out = append(out, Adapter{Name: "lora-r" + strconv.FormatInt(r, 10), Kind: spec.AdapterLoRA, Rank: r})
	}
	for _, s := range sparse {
		out = append(out, Adapter{Name: "sparse-" + strconv.FormatInt(s, 10), Kind: spec.AdapterSparse, Sparse: s})
	}
	return out
}

// CapacityPoint is one adapter at one n.
type CapacityPoint struct {
	N        int64   `json:"n"`
	EDL      float64 `json:"edl_ideal_bits"`
	EDLRef   float64 `json:"edl_ref_ideal_bits"`
	Capacity float64 `json:"capacity"`               // EDL/EDL_ref (0 when EDL_ref ≤ 0)
	Density  float64 `json:"density_bits_per_param"` // EDL_ref/P
	TestLoss float64 `json:"test_loss_bits"`
	PGR      float64 `json:"pgr"` // 0 when the reference did not lower the test loss
}

// CapacityCurve is one adapter's capacity and PGR over the grid.
type CapacityCurve struct {
	Adapter   Adapter         `json:"adapter"`
	Trainable int64           `json:"trainable_params"`
	LR        float64         `json:"lr"` // the adapter's learning rate (ChooseLR)
	Points    []CapacityPoint `json:"points"`
	// Threshold is the density at the first grid point (EDL_ref ≥
	// MinRefBits) where capacity < CapacityCut; 0 if it never drops.
	Threshold float64 `json:"threshold_bits_per_param"`
}

// NewCapacityCurve reads an adapter's run against the reference's, point by
// point (the same grid), from the ideal-code EDL and the test losses; l0 is
// the starting model's test loss. It panics when the grids differ in length.
func NewCapacityCurve(ad Adapter, trainable int64, lr float64, run, ref []curve.Point, l0 float64) CapacityCurve {
	if len(run) != len(ref) {
		panic("experiment: NewCapacityCurve: run and reference grids differ")
	}
	cc := CapacityCurve{Adapter: ad, Trainable: trainable, LR: lr}
	for k, p := range run {
		r := ref[k]
		cp := CapacityPoint{N: p.N, EDL: p.EDLIdeal, EDLRef: r.EDLIdeal, TestLoss: p.TestLoss,
			Density: r.EDLIdeal / float64(trainable)}
		if r.EDLIdeal > 0 {
			cp.Capacity = p.EDLIdeal / r.EDLIdeal
		}
		if gap := l0 - r.TestLoss; gap > 0 {
			cp.PGR = (l0 - p.TestLoss) / gap
		}
		if cc.Threshold == 0 && r.EDLIdeal >= MinRefBits && cp.Capacity < CapacityCut {
			cc.Threshold = cp.Density
		}
		cc.Points = append(cc.Points, cp)
	}
	return cc
}

// CapacityArm is one arm's adapters against its reference, with P* and the
// PGR threshold (Thresholds fills them).
type CapacityArm struct {
	Arm       string          `json:"arm"`
	RefParams int64           `json:"reference_trainable_params"`
	L0        float64         `json:"start_test_loss_bits"`
	Curves    []CapacityCurve `json:"curves"`
	// PStar is the median over adapters of their thresholds (those that
	// drop below CapacityCut on the grid; the upper median for an even
	// count); PStarLo/Hi the smallest and largest.
	PStar   float64 `json:"p_star_bits_per_param"`
	PStarLo float64 `json:"p_star_min"`
	PStarHi float64 `json:"p_star_max"`
	Dropped int     `json:"adapters_that_drop"`
	// The PGR threshold, from the largest n: adapters whose PGR there is
	// at least PGRCut "work". PGRLo is the largest density of a working
	// adapter, PGRHi the smallest density above it of one that does not;
	// PStarPGR their geometric mean (0 when either is missing, or when
	// the adapters disagree: one fails at a density below PGRLo, listed
	// in PGRConflict, and no single threshold separates them).
	PStarPGR    float64  `json:"p_star_pgr_bits_per_param"`
	PGRConflict []string `json:"pgr_fails_below_threshold,omitempty"`
	PGRLo       float64  `json:"pgr_works_up_to"`
	PGRHi       float64  `json:"pgr_fails_from"`
}

// Thresholds sets P* and the PGR bracket from the arm's curves.
func (a *CapacityArm) Thresholds() {
	var th []float64
	for _, c := range a.Curves {
		if c.Threshold > 0 {
			th = append(th, c.Threshold)
		}
	}
	a.Dropped = len(th)
	if len(th) > 0 {
		sort.Float64s(th)
		a.PStar, a.PStarLo, a.PStarHi = th[len(th)/2], th[0], th[len(th)-1]
	}
	last := func(c CapacityCurve) CapacityPoint { return c.Points[len(c.Points)-1] }
	for _, c := range a.Curves {
		if p := last(c); p.PGR >= PGRCut {
			a.PGRLo = max(a.PGRLo, p.Density)
		}
	}
	for _, c := range a.Curves {
		if p := last(c); p.PGR < PGRCut && p.Density > a.PGRLo && (a.PGRHi == 0 || p.Density < a.PGRHi) {
			a.PGRHi = p.Density
		}
	}
	for _, c := range a.Curves {
		if p := last(c); p.PGR < PGRCut && p.Density < a.PGRLo {
			a.PGRConflict = append(a.PGRConflict, fmt.Sprintf("%s at %.4g bits/param (PGR %.3f)", c.Adapter.Name, p.Density, p.PGR))
		}
	}
	if a.PGRLo > 0 && a.PGRHi > 0 && len(a.PGRConflict) == 0 {
		a.PStarPGR = math.Sqrt(a.PGRLo * a.PGRHi)
	}
}

// ChooseLR returns the rate of lrs whose pass coded shortest (bits[i] the
// code length at lrs[i]); the first of equals wins, so the choice does not
// depend on anything but the list's order. One rate does not suit every
// adapter (large LoRA ranks diverge at the full model's), so the papers
// tune it per adapter; the code length of the pass is a criterion both
// sides of a transmission could compute.
func ChooseLR(lrs, bits []float64) float64 {
	if len(lrs) != len(bits) || len(lrs) == 0 {
		panic("experiment: ChooseLR: want one code length per rate")
	}
	best := 0
	for i := range lrs {
		if bits[i] < bits[best] {
			best = i
		}
	}
	return lrs[best]
}
