package prequential

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/edl"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// block_ensemble: Alice and Bob agree at every checkpoint however the
// stream is cut and with any worker count; at every block end the first
// member is, bit for bit, the model the one-model code trains there (it is
// trained under the spec itself), the others differ from it, and the
// reported validation loss is the ensemble's, recomputed independently.
func TestBlockEnsemble(t *testing.T) {
	sp := blockSpec()
	sp.BlockEnsemble = 3
	r := rand.New(rand.NewPCG(9, 10))
	o := transmit(t, sp, func() int { return 1 + r.IntN(6) })
	if !slices.Equal(o.aliceCP, o.bobCP) {
		t.Fatalf("checkpoints differ:\nalice %v\nbob   %v", o.aliceCP, o.bobCP)
	}

	in, lab := taskData(t, sp)
	ens, err := NewWithOptions(sp, in, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	one := sp
	one.BlockEnsemble = 0
	single, err := New(one, in)
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: newEncoder(t, sp), Labels: lab.Train}
	le1 := &LabelEncoder{Enc: newEncoder(t, one), Labels: lab.Train}
	checked := 0
	for !ens.Done() {
		if _, err := ens.Step(le); err != nil {
			t.Fatal(err)
		}
		if _, err := single.Step(le1); err != nil {
			t.Fatal(err)
		}
		b, m, begun := ens.BlockBegun()
		if !begun {
			continue
		}
		e, ok := m.(*model.Ensemble)
		if !ok || len(e.Members()) != 3 {
			t.Fatalf("block %d–%d is coded by a %T, want an ensemble of 3", b.From, b.To, m)
		}
		if !slices.Equal(e.Members()[0].Params(), single.Model().Params()) {
			t.Fatalf("block %d–%d: the first member is not the one-model code's model", b.From, b.To)
		}
		if slices.Equal(e.Members()[1].Params(), e.Members()[0].Params()) || slices.Equal(e.Members()[2].Params(), e.Members()[1].Params()) {
			t.Fatalf("block %d–%d: members are equal", b.From, b.To)
		}
		rows := task.Matrix{Cols: in.Train.Cols}
		var ys []int
		for i := sp.BlockValid - 1; i < b.From; i += sp.BlockValid {
			rows.Data = append(rows.Data, in.Train.Row(int(i))...)
			rows.Rows++
			ys = append(ys, lab.Train[i])
		}
		got, err := edl.TestLossBits(e, &rows, ys)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-b.ValidBits) > 1e-9 {
			t.Fatalf("block %d–%d: the ensemble's validation loss is %.12f bits, reported %.12f", b.From, b.To, got, b.ValidBits)
		}
		checked++
	}
	if checked != len(sp.Blocks) {
		t.Fatalf("checked %d block ends of %d", checked, len(sp.Blocks))
	}
	if a, w := o.alice.LastCheckpoint(), ens.LastCheckpoint(); a != w {
		t.Fatalf("2 workers end at %x, 1 worker at %x", w.Fingerprint, a.Fingerprint)
	}
}

func TestBlockEnsembleSpec(t *testing.T) {
	for _, c := range []struct {
		edit func(*spec.Spec)
		want string // "" for valid
	}{
		{func(s *spec.Spec) { s.BlockEnsemble = 16 }, ""},
		{func(s *spec.Spec) { s.BlockEnsemble = 17 }, "block_ensemble: must be in [0, 16]"},
		{func(s *spec.Spec) { s.BlockEnsemble = -1 }, "block_ensemble: must be in [0, 16]"},
		{func(s *spec.Spec) { s.BlockEnsemble, s.BlockMix = 2, true }, "not with block_warm, block_calibrate or block_mix"},
		{func(s *spec.Spec) { s.BlockEnsemble, s.BlockWarm = 2, true }, "not with block_warm, block_calibrate or block_mix"},
		{func(s *spec.Spec) { s.BlockEnsemble, s.BlockCalibrate = 2, true }, "not with block_warm, block_calibrate or block_mix"},
		{func(s *spec.Spec) { s.BlockEnsemble, s.BlockMix = 1, true }, ""},
	} {
		sp := blockSpec()
		c.edit(&sp)
		err := sp.Validate()
		switch {
		case c.want == "" && err != nil:
			t.Errorf("ensemble %d: %v", sp.BlockEnsemble, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("want an error with %q, got %v", c.want, err)
		}
	}
	sp := blockSpec()
	passes := sp.TrainingPasses()
	sp.BlockEnsemble = 3
	if got := sp.TrainingPasses(); got != 3*passes {
		t.Fatalf("3 members train %d passes, one %d", got, passes)
	}
}
