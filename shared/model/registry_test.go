package model

import (
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"

	// Specs name a task too: its registration validates that part.
	_ "github.com/edlwire/edlwire/shared/task"
)

// Every built-in family is registered, in the documented order (the order
// --model's help lists them), and spec's sections and this package's
// constructors agree.
func TestBuiltinModelsRegistered(t *testing.T) {
	want := []string{spec.ModelSoftmax, spec.ModelMLP, spec.ModelTokens, spec.ModelKT, spec.ModelLaplace, spec.ModelHypothesis, spec.ModelTable, spec.ModelCNN, spec.ModelExternal}
	got := spec.Models()
	if strings.Join(got[:len(want)], ",") != strings.Join(want, ",") {
		t.Fatalf("registered models %q, want %q first", got, want)
	}
	for _, name := range got {
		if _, ok := Lookup(name); !ok {
			t.Errorf("spec knows model %s, package model does not build it", name)
		}
	}
}

// The parameter count a section declares is the length of the parameter
// vector its constructor builds, for every built-in family but external
// (whose parameters live in the plugin).
func TestSectionParamsMatchConstructors(t *testing.T) {
	specs := map[string]func(*spec.Spec){
		spec.ModelSoftmax: func(s *spec.Spec) {},
		spec.ModelMLP:     func(s *spec.Spec) { s.Hidden = []int64{7, 5} },
		spec.ModelTokens: func(s *spec.Spec) {
			s.Task, s.Classes, s.Dim, s.Op, s.Notation, s.Vocab, s.Embed, s.Hidden = spec.TaskModular, 11, 2, spec.OpAdd, spec.NotationTokens, 13, 3, []int64{6}
		},
		spec.ModelKT:      func(s *spec.Spec) {},
		spec.ModelLaplace: func(s *spec.Spec) {},
		spec.ModelHypothesis: func(s *spec.Spec) {
			s.Task, s.Dim, s.Classes, s.Hypotheses = spec.TaskHypothesis, 1, 8, 5
		},
		spec.ModelTable: func(s *spec.Spec) { s.Task, s.Dim, s.Keys, s.Alpha = spec.TaskCoupon, 1, 9, 0.5 },
		spec.ModelCNN: func(s *spec.Spec) {
			s.Dim, s.Conv, s.Kernel, s.Hidden = 64, []int64{3, 4}, 3, []int64{5}
		},
	}
	for _, name := range spec.Models() {
		edit, ok := specs[name]
		if !ok {
			if r, _ := Lookup(name); !r.External {
				t.Errorf("model %s: no case in this test", name)
			}
			continue
		}
		s := spec.Default()
		s.Model = name
		edit(&s)
		m, err := New(s)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := int64(len(m.Params())); got != s.NumParams() {
			t.Errorf("%s: built %d parameters, the section counts %d", name, got, s.NumParams())
		}
	}
}
