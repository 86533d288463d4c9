package prequential

import (
	"errors"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// pretrainSpec is an mlp on the modular task, the base the tests adapt.
func pretrainSpec() spec.Spec {
	sp := smallSpec()
	sp.Task, sp.Classes, sp.Dim, sp.Op, sp.Notation = spec.TaskModular, 5, 10, spec.OpAdd, spec.NotationOneHot
	sp.Model, sp.Hidden, sp.N, sp.Test, sp.Batch = spec.ModelMLP, []int64{16}, 600, 100, 5
	sp.Optimizer, sp.LR, sp.Beta1, sp.Beta2, sp.AdamEps = spec.OptimizerAdam, 0.01, 0.9, 0.999, 1e-8
	return sp
}

// codeAll runs a session over all its training labels and returns the
// coded bytes.
func codeAll(t *testing.T, s *Session, labels []int) []byte {
	t.Helper()
	enc, err := coder.NewEncoder(uint(s.Spec().Precision))
	if err != nil {
		t.Fatal(err)
	}
	le := &LabelEncoder{Enc: enc, Labels: labels}
	var out []byte
	for !s.Done() {
		if _, err := s.Step(le); err != nil {
			t.Fatal(err)
		}
		out = append(out, enc.Take()...)
	}
	return append(out, enc.Finish()...)
}

func pretrain(t *testing.T) (spec.Spec, *Session, []byte) {
	t.Helper()
	sp := pretrainSpec()
	in, _ := task.NewInputs(sp)
	lab, _ := task.NewLabels(sp, in)
	s, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	codeAll(t, s, lab.Train)
	file, err := s.Save()
	if err != nil {
		t.Fatal(err)
	}
	return sp, s, file
}

// Save then Restore gives back the learner bit for bit: model and
// optimizer state (the session fingerprint covers both).
func TestCheckpointRoundTrip(t *testing.T) {
	sp, s, file := pretrain(t)
	c, err := checkpoint.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Examples != sp.N || c.SpecHash() != sp.Hash() || len(c.OptState) == 0 {
		t.Fatalf("checkpoint header: %d examples, spec %x, %d state entries", c.Examples, c.SpecHash(), len(c.OptState))
	}
	in, _ := task.NewInputs(sp)
	fresh, err := New(sp, in)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Restore(sp, fresh.Model(), fresh.Optimizer()); err != nil {
		t.Fatal(err)
	}
	a, _ := s.Fingerprint()
	b, _ := fresh.Fingerprint()
	if a != b {
		t.Fatal("restored learner's fingerprint differs")
	}
	again, _ := fresh.Save()
	c2, _ := checkpoint.Decode(again)
	c2.Examples = c.Examples
	if string(c2.Encode()) != string(file) {
		t.Fatal("re-saved checkpoint differs")
	}
	other := sp
	other.LR = 0.02
	if err := c.Restore(other, fresh.Model(), fresh.Optimizer()); err == nil {
		t.Fatal("restored into a different spec")
	}
	// Damage anywhere is caught; truncation never panics.
	for _, i := range []int{0, 30, len(file) / 2, len(file) - 1} {
		bad := append([]byte(nil), file...)
		bad[i] ^= 1
		if _, err := checkpoint.Decode(bad); !errors.Is(err, checkpoint.ErrCorrupt) {
			t.Fatalf("flipped byte %d: %v", i, err)
		}
	}
	for n := 0; n < len(file); n += 7 {
		if _, err := checkpoint.Decode(file[:n]); err == nil {
			t.Fatalf("truncated to %d bytes: no error", n)
		}
	}
	if _, err := s.Save(); err != nil {
		t.Fatal(err)
	}
}

func loraOnBase(sp spec.Spec, file []byte) spec.Spec {
	ad := sp
	ad.Adapter, ad.Rank, ad.Base, ad.BaseName = spec.AdapterLoRA, 2, checkpoint.Hash(file), "base.ckpt"
	ad.Notation, ad.Seed = spec.NotationPermuted, 9 // the same skill in the other notation
	return ad
}

// A LoRA session built from a base checkpoint starts with the base's
// predictions bit for bit, and Alice and Bob (both from their copy of the
// file) stay in sync to the end.
func TestLoRAFromBaseCheckpoint(t *testing.T) {
	sp, base, file := pretrain(t)
	ad := loraOnBase(sp, file)
	in, _ := task.NewInputs(ad)
	lab, _ := task.NewLabels(ad, in)
	alice, err := NewFromBase(ad, in, file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := make([]float64, 5), make([]float64, 5)
	for i := 0; i < 20; i++ {
		x := in.Train.Row(i)
		alice.Model().Probs(pa, x)
		base.Model().Probs(pb, x)
		for k := range pa {
			if pa[k] != pb[k] {
				t.Fatalf("example %d: lora on the base predicts %v, the base %v", i, pa, pb)
			}
		}
	}
	if got := int64(len(model.Trainable(alice.Model().(model.Differentiable)))); got != ad.TrainableParams() {
		t.Fatalf("%d trainable, spec says %d", got, ad.TrainableParams())
	}
	stream := codeAll(t, alice, lab.Train)

	bob, err := NewFromBase(ad, in, append([]byte(nil), file...), Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	dec, _ := coder.NewDecoder(uint(ad.Precision))
	ld := &LabelDecoder{Dec: dec}
	dec.Write(stream)
	dec.CloseWrite()
	for !bob.Done() {
		if _, err := bob.Step(ld); err != nil {
			t.Fatal(err)
		}
	}
	if alice.LastCheckpoint() != bob.LastCheckpoint() {
		t.Fatal("alice and bob differ after a lora transmission from a base")
	}
	// Only the adapter moved: the base part of the parameters is the file's.
	c, _ := checkpoint.Decode(file)
	_, _, baseParams, _ := model.Decode(c.Model)
	for i, v := range baseParams {
		if alice.Model().Params()[i] != v {
			t.Fatalf("frozen base parameter %d moved", i)
		}
	}
}

// A missing, different, damaged or mismatched base is refused with a clear
// message.
func TestBaseCheckpointRefusals(t *testing.T) {
	sp, _, file := pretrain(t)
	ad := loraOnBase(sp, file)
	in, _ := task.NewInputs(ad)

	if _, err := New(ad, in); err == nil || !strings.Contains(err.Error(), "NewFromBase") {
		t.Fatalf("New with a base spec: %v", err)
	}
	if _, err := NewFromBase(ad, in, nil, Options{}); !errors.Is(err, checkpoint.ErrHashMismatch) {
		t.Fatalf("missing file: %v", err)
	}
	other := append([]byte(nil), file...)
	other[len(other)-40] ^= 1
	_, err := NewFromBase(ad, in, other, Options{})
	if !errors.Is(err, checkpoint.ErrHashMismatch) || !strings.Contains(err.Error(), checkpoint.Hash(other)) ||
		!strings.Contains(err.Error(), ad.Base) || !strings.Contains(err.Error(), "base.ckpt") {
		t.Fatalf("different file: %v", err)
	}
	// A damaged file whose hash the spec names anyway.
	dmg := ad
	dmg.Base = checkpoint.Hash(other)
	if _, err := NewFromBase(dmg, in, other, Options{}); !errors.Is(err, checkpoint.ErrCorrupt) {
		t.Fatalf("damaged file: %v", err)
	}
	// A base of another architecture: the fields are named.
	wide := ad
	wide.Hidden, wide.Activation = []int64{8}, spec.ActTanh
	_, err = NewFromBase(wide, in, file, Options{})
	if err == nil || !strings.Contains(err.Error(), "hidden") || !strings.Contains(err.Error(), "activation") {
		t.Fatalf("architecture mismatch: %v", err)
	}
	// A lora-trained checkpoint is not a base.
	lin, _ := task.NewInputs(ad)
	llab, _ := task.NewLabels(ad, lin)
	ls, err := NewFromBase(ad, lin, file, Options{})
	if err != nil {
		t.Fatal(err)
	}
	codeAll(t, ls, llab.Train)
	lfile, _ := ls.Save()
	again := ad
	again.Base = checkpoint.Hash(lfile)
	if _, err := NewFromBase(again, lin, lfile, Options{}); err == nil || !strings.Contains(err.Error(), "adapter") {
		t.Fatalf("lora checkpoint as a base: %v", err)
	}
	// A file given for a spec without a base.
	if _, err := NewFromBase(sp, in, file, Options{}); err == nil {
		t.Fatal("base file accepted for a spec without base_sha256")
	}
}
