package spec_test

import (
	"encoding/hex"
	"strings"
	"testing"

	// The models and tasks register their sections of the spec.
	_ "github.com/edlwire/edlwire/shared/model"
	. "github.com/edlwire/edlwire/shared/spec"
	_ "github.com/edlwire/edlwire/shared/task"
)

func TestDefaultValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

// The canonical encoding is part of the protocol: its hash must not drift.
func TestCanonicalGolden(t *testing.T) {
	s := Default()
	want := "edlwire-spec-v2\ntask=synthetic\nseed=1\nn=10000\ntest=5000\ndata_name=\ndata_sha256=\ntest_data_name=\ntest_data_sha256=\nlabel_column=\nstandardize=false\nshuffle=false\nshuffle_seed=0\nclasses=10\ndim=16\nnoise=0\nrandom_labels=false\nkeys=0\nhypotheses=0\nparity_bits=0\nop=\nnotation=\nnotations=0\nrare_weight=0\nanswers=0\nscore=\nmodel=softmax\nhidden=\nactivation=relu\nvocab=0\nembed=0\ninit=zeros\ninit_scale=0.01\nmodel_noise=0\nalpha=0\nadapter=\nrank=0\nsparse_params=0\nbase_sha256=\nbase_name=\nreset_head=false\noptimizer=sgd\nlr=0.5\nbatch=10\nbeta=0\nbeta1=0\nbeta2=0\nadam_eps=0\nweight_decay=0\nepochs=0\npatience=0\nvalidation=0\ncheckpoint_every=1000\nprecision=24\n"
	if got := string(s.Canonical()); got != want {
		t.Fatalf("canonical encoding changed:\n%s", got)
	}
	h := s.Hash()
	t.Logf("default spec hash %s", hex.EncodeToString(h[:]))
}

func TestDiffNamesFields(t *testing.T) {
	a := Default()
	b := a
	b.LR = 0.1
	b.Classes = 3
	d := b.Diff(a)
	if len(d) != 2 || !strings.HasPrefix(d[0], "classes:") || !strings.HasPrefix(d[1], "lr:") {
		t.Fatalf("diff = %q", d)
	}
	if len(a.Diff(a)) != 0 {
		t.Fatal("self diff not empty")
	}
}

func TestValidateNamesEveryBadField(t *testing.T) {
	s := Default()
	s.Classes = 1
	s.LR = -1
	s.Task = "nope"
	err := s.Validate()
	if err == nil {
		t.Fatal("want error")
	}
	for _, name := range []string{"classes", "lr", "task"} {
		if !strings.Contains(err.Error(), "spec: "+name+":") {
			t.Errorf("error %q does not name %s", err, name)
		}
	}
}

func TestLimits(t *testing.T) {
	s := Default()
	err := Limits{MaxClasses: 5, MaxExamples: 100}.Check(s)
	if err == nil || !strings.Contains(err.Error(), "max-classes") || !strings.Contains(err.Error(), "max-examples") {
		t.Fatalf("err = %v", err)
	}
	if err := (Limits{}).Check(s); err != nil {
		t.Fatal(err)
	}
}

// Parameters set for a task, model or optimizer that does not read them are
// errors naming the field, so two specs that build the same thing never
// hash differently.
func TestMisplacedParametersAreNamed(t *testing.T) {
	s := Default()
	s.Keys, s.Beta, s.Alpha, s.Patience = 5, 0.9, 1, 2
	err := s.Validate()
	for _, name := range []string{"keys", "beta", "alpha", "patience"} {
		if err == nil || !strings.Contains(err.Error(), "spec: "+name+":") {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
	h := Default()
	h.Task, h.Model, h.Dim, h.Classes, h.Hypotheses = TaskHypothesis, ModelHypothesis, 1, 8, 9
	if err := h.Validate(); err == nil || !strings.Contains(err.Error(), "spec: hypotheses:") {
		t.Errorf("m > M: %v", err)
	}
	h.Hypotheses = 8
	if err := h.Validate(); err != nil {
		t.Errorf("valid hypothesis spec: %v", err)
	}
	e := Default()
	e.Epochs, e.Patience = 3, 2
	if err := e.Validate(); err == nil || !strings.Contains(err.Error(), "spec: validation:") {
		t.Errorf("epochs without validation: %v", err)
	}
}

// The tagged notations: classes must be notations·p, dim 2p + notations, and
// notations is refused by every other notation and task.
func TestTaggedNotationFields(t *testing.T) {
	good := Default()
	good.Task, good.Op, good.Notation, good.Notations, good.Classes, good.Dim = TaskModular, OpAdd, NotationUntagged, 4, 92, 50
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*Spec)
	}{
		{"classes", func(s *Spec) { s.Classes = 93 }},
		{"notations", func(s *Spec) { s.Notations = 1 }},
		{"dim", func(s *Spec) { s.Dim = 46 }},
		{"notations", func(s *Spec) { s.Notation, s.Classes, s.Dim = NotationOneHot, 23, 46 }},
		{"notations", func(s *Spec) { s.Task, s.Op, s.Notation = TaskSynthetic, "", "" }},
		{"model", func(s *Spec) { s.Model, s.Hidden, s.Vocab, s.Embed = ModelTokens, []int64{8}, 92, 4 }},
		{"model", func(s *Spec) {
			s.Notation, s.Model, s.Hidden, s.Vocab, s.Embed = NotationTagged, ModelTokens, []int64{8}, 92, 4
		}},
	} {
		s := good
		c.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), "spec: "+c.name+":") {
			t.Errorf("want an error naming %s, got %v", c.name, err)
		}
	}
}

// Optional fields (conv, kernel) are written only when set: specs that do
// not use them keep their bytes and hash, and a written zero is refused.
func TestOptionalFields(t *testing.T) {
	d := Default()
	if c := string(d.Canonical()); strings.Contains(c, "conv=") || strings.Contains(c, "kernel=") {
		t.Fatalf("an unused optional field is encoded:\n%s", c)
	}
	s := Default()
	s.Task, s.Dim, s.Classes, s.Model, s.Conv, s.Kernel, s.Hidden = TaskMNIST, 784, 10, ModelCNN, []int64{4, 8}, 5, []int64{32}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err := Parse(s.Canonical())
	if err != nil || got.Hash() != s.Hash() || got.Kernel != 5 || len(got.Conv) != 2 {
		t.Fatalf("round trip: %v, %+v", err, got)
	}
	bad := strings.Replace(string(d.Canonical()), "alpha=0\n", "alpha=0\nkernel=0\n", 1)
	if _, err := Parse([]byte(bad)); err == nil {
		t.Fatal("a zero optional field written out was accepted")
	}
	if s.NumParams() != (4*25+4)+(8*4*25+8)+(32*7*7*8+32)+(10*32+10) {
		t.Fatalf("cnn params %d", s.NumParams())
	}
}
