package prequential

import (
	"fmt"
	"strings"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// PassShape is one of issue 3's MLP shapes whose online pass (predict,
// code, learn; float64; SGD) BenchmarkPass and cmd/edlbench time: one
// definition, so the benchmark and the report measure the same thing.
type PassShape struct {
	Dim    int64
	Hidden []int64
	Batch  int64
}

// PassShapes are issue 3's shapes, smallest first.
var PassShapes = []PassShape{
	{32, []int64{64}, 1},
	{32, []int64{64}, 32},
	{64, []int64{256}, 32},
	{64, []int64{512, 512}, 32},
}

// Name is the shape as a benchmark name, e.g. mlp32-64-10/batch1.
func (sh PassShape) Name() string {
	return fmt.Sprintf("mlp%d-%s-10/batch%d", sh.Dim, joinWidths(sh.Hidden, "-"), sh.Batch)
}

// Title is the shape as a reader's label, e.g. "mlp 32→64→10, batch 1".
func (sh PassShape) Title() string {
	return fmt.Sprintf("mlp %d→%s→10, batch %d", sh.Dim, joinWidths(sh.Hidden, "→"), sh.Batch)
}

func joinWidths(w []int64, sep string) string {
	s := make([]string, len(w))
	for i, x := range w {
		s[i] = fmt.Sprint(x)
	}
	return strings.Join(s, sep)
}

// Spec is the shape's pass: the default synthetic task with 10 classes,
// normal initialization (scale 0.05), SGD at lr 0.05, no test split, 4096
// examples (512 above 100,000 parameters, so one pass stays short).
func (sh PassShape) Spec() spec.Spec {
	sp := spec.Default()
	sp.Model, sp.Dim, sp.Hidden, sp.Batch, sp.Classes = spec.ModelMLP, sh.Dim, sh.Hidden, sh.Batch, 10
	sp.Init, sp.InitScale, sp.LR, sp.Test = spec.InitNormal, 0.05, 0.05, 0
	sp.N = 4096
	if sp.NumParams() > 100_000 {
		sp.N = 512
	}
	return sp
}

// Data is the shape's spec with its inputs and labels.
func (sh PassShape) Data() (spec.Spec, *task.Inputs, *task.Labels, error) {
	sp := sh.Spec()
	in, err := task.NewInputs(sp)
	if err != nil {
		return sp, nil, nil, err
	}
	lab, err := task.NewLabels(sp, in)
	return sp, in, lab, err
}

// ScalingWork is the unit of BenchmarkCoreScaling's measure, which bounds
// what two workers can gain on a machine: 2000 independent 4-lane dot
// products of a with itself, pure float work with nothing shared.
func ScalingWork(a []float64) float64 {
	s := 0.0
	for range 2000 {
		s += detmath.Dot(a, a)
	}
	return s
}
