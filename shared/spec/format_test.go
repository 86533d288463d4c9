package spec_test

import (
	"strings"
	"testing"

	// The models and tasks register their sections of the spec.
	_ "github.com/edlwire/edlwire/shared/model"
	. "github.com/edlwire/edlwire/shared/spec"
	_ "github.com/edlwire/edlwire/shared/task"
)

func formatSpec() Spec {
	s := Default()
	s.Task, s.Classes, s.Keys, s.Answers, s.Dim = TaskFormat, 256, 64, 8, 64
	return s
}

func TestFormatValidates(t *testing.T) {
	s := formatSpec()
	if err := s.Validate(); err != nil {
		t.Fatalf("one-hot format spec: %v", err)
	}
	s.Score = ScoreAnswers
	if err := s.Validate(); err != nil {
		t.Fatalf("answers-scored format spec: %v", err)
	}
	s.Model, s.Dim, s.Alpha = ModelTable, 1, 0.5
	if err := s.Validate(); err != nil {
		t.Fatalf("integer-key format spec for the table model: %v", err)
	}
}

// Every bad format field is named, and the format task's fields are refused
// elsewhere.
func TestFormatBadFieldsNamed(t *testing.T) {
	for _, c := range []struct {
		name  string
		edit  func(*Spec)
		field string
	}{
		{"answers too small", func(s *Spec) { s.Answers = 1 }, "answers"},
		{"answers above classes", func(s *Spec) { s.Answers = 257 }, "answers"},
		{"no keys", func(s *Spec) { s.Keys = 0 }, "keys"},
		{"dim neither 1 nor keys", func(s *Spec) { s.Dim = 10 }, "dim"},
		{"unknown score", func(s *Spec) { s.Score = "all" }, "score"},
		{"rare weight unused", func(s *Spec) { s.RareWeight = 0.1 }, "rare_weight"},
		{"table needs one integer key", func(s *Spec) { s.Model, s.Alpha = ModelTable, 0.5 }, "dim"},
		{"tokens needs one token id", func(s *Spec) { s.Model, s.Vocab, s.Embed = ModelTokens, 256, 4 }, "vocab"},
		{"tokens vocab below keys", func(s *Spec) { s.Model, s.Vocab, s.Embed, s.Dim = ModelTokens, 32, 4, 1 }, "vocab"},
		{"answers on another task", func(s *Spec) { *s = Default(); s.Answers = 8 }, "answers"},
		{"score answers on another task", func(s *Spec) { *s = Default(); s.Score = ScoreAnswers }, "score"},
	} {
		s := formatSpec()
		c.edit(&s)
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), "spec: "+c.field+":") {
			t.Errorf("%s: error %v does not name %s", c.name, err, c.field)
		}
	}
}

func TestFormatFieldsInCanonicalAndDiff(t *testing.T) {
	a, b := formatSpec(), formatSpec()
	b.Answers, b.Score = 16, ScoreAnswers
	if a.Hash() == b.Hash() {
		t.Fatal("answers and score do not reach the hash")
	}
	d := strings.Join(a.Diff(b), "; ")
	if !strings.Contains(d, `answers: "8" != "16"`) || !strings.Contains(d, `score: "" != "answers"`) {
		t.Fatalf("diff %q does not name answers and score", d)
	}
	if !strings.Contains(string(b.Canonical()), "\nanswers=16\nscore=answers\n") {
		t.Fatalf("canonical lacks the fields:\n%s", b.Canonical())
	}
}
