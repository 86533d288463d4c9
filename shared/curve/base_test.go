package curve

import (
	"testing"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

func modularSpec(notation string) spec.Spec {
	s := spec.Default()
	s.Task, s.Classes, s.Dim, s.Op, s.Notation = spec.TaskModular, 7, 14, spec.OpAdd, notation
	s.Model, s.Hidden, s.Init, s.InitScale = spec.ModelMLP, []int64{24}, spec.InitNormal, 0.1
	s.Optimizer, s.LR, s.Beta1, s.Beta2, s.AdamEps = spec.OptimizerAdam, 0.02, 0.9, 0.999, 1e-8
	s.N, s.Test, s.Batch = 800, 300, 8
	return s
}

// Curves start every pass and θ*ₙ run from the base the spec names; a
// reset-head run on a pre-trained body learns the new answer notation
// with fewer bits than the same run from scratch, and the first grid
// point's model starts uniform.
func TestCurveFromBase(t *testing.T) {
	pre := modularSpec(spec.NotationOneHot)
	pre.N, pre.Seed = 1500, 50
	in, _ := task.NewInputs(pre)
	lab, _ := task.NewLabels(pre, in)
	file, err := Pretrain(pre, nil, in, lab, 1)
	if err != nil {
		t.Fatal(err)
	}
	target := modularSpec(spec.NotationAnswersPermuted)
	grid := []int64{8, 200, 800}
	scratch := measure(t, Config{Spec: target, Grid: grid, Seeds: []uint64{1}, Workers: 2})
	based := target
	based.Base, based.BaseName, based.ResetHead = checkpoint.Hash(file), "b.ckpt", true
	cfg := Config{Spec: based, Grid: grid, Seeds: []uint64{1}, Workers: 2}
	if err := cfg.Validate(); err == nil {
		t.Fatal("a base spec without the base file was accepted")
	}
	cfg.Base = file
	res := measure(t, cfg)
	e, s := res.Runs[0].Points[2], scratch.Runs[0].Points[2]
	if !(e.IdealBits < s.IdealBits) {
		t.Errorf("from the base: MDL %.1f bits, from scratch %.1f", e.IdealBits, s.IdealBits)
	}
	bad := cfg
	bad.Base = append([]byte(nil), file...)
	bad.Base[len(bad.Base)-1] ^= 1
	if _, err := Measure(bad); err == nil {
		t.Error("a different base file was accepted")
	}
}
