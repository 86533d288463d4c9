package specflag

import (
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

// --task format brings its defaults (vocabulary 256, 64 keys, 8 answers,
// one-hot keys, or one integer key for the table model), whatever the flag
// order, and --score answers/all sets the scoring.
func TestFormatFlags(t *testing.T) {
	for _, c := range []struct {
		args                        []string
		classes, keys, answers, dim int64
		score                       string
	}{
		{[]string{"--task", "format"}, 256, 64, 8, 64, spec.ScoreAll},
		{[]string{"--task", "format", "--answers", "4", "--score", "answers"}, 256, 64, 4, 64, spec.ScoreAnswers},
		{[]string{"--keys", "20", "--task", "format", "--score", "all"}, 256, 20, 8, 20, spec.ScoreAll},
		{[]string{"--task", "format", "--keys", "20", "--classes", "32"}, 32, 20, 8, 20, spec.ScoreAll},
		{[]string{"--model", "table", "--task", "format", "--keys", "20"}, 256, 20, 8, 1, spec.ScoreAll},
		{[]string{"--task", "format", "--model", "table"}, 256, 64, 8, 1, spec.ScoreAll},
		{[]string{"--task", "format", "--model", "tokens", "--hidden", "8"}, 256, 64, 8, 1, spec.ScoreAll},
	} {
		s := parse(t, c.args...)
		if s.Classes != c.classes || s.Keys != c.keys || s.Answers != c.answers || s.Dim != c.dim || s.Score != c.score {
			t.Errorf("%q: classes %d keys %d answers %d dim %d score %q; want %d %d %d %d %q",
				c.args, s.Classes, s.Keys, s.Answers, s.Dim, s.Score, c.classes, c.keys, c.answers, c.dim, c.score)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", c.args, err)
		}
	}
	// An integer key is for table and tokens: mlp and softmax would read
	// it as a real number, so the spec refuses it by name.
	s := parse(t, "--task", "format", "--dim", "1", "--model", "mlp", "--hidden", "8")
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "spec: dim:") {
		t.Errorf("format with an mlp on dim 1: %v, want an error naming dim", err)
	}
}
