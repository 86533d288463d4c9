package spec

import (
	"strings"
	"testing"
)

// Parse inverts Canonical on every field, and the hash of the bytes is the
// hash of the spec they parse to.
func TestParseInvertsCanonical(t *testing.T) {
	s := Default()
	s.Task, s.DataName, s.Noise, s.RandomLabels, s.Hidden, s.Seed, s.LR = TaskFile, "digits.csv.gz", 0.125, true, []int64{64, 32}, 1<<63+5, 1e-7
	for _, sp := range []Spec{Default(), s} {
		got, err := Parse(sp.Canonical())
		if err != nil {
			t.Fatal(err)
		}
		if d := sp.Diff(got); len(d) > 0 || got.Hash() != sp.Hash() {
			t.Errorf("round trip differs: %v", d)
		}
	}
}

// Anything Canonical would not write is refused, naming the field.
func TestParseRefusesNonCanonical(t *testing.T) {
	good := string(Default().Canonical())
	for _, c := range []struct{ name, text, want string }{
		{"version", strings.Replace(good, Version, "edlwire-spec-v1", 1), "edlwire-spec-v1"},
		{"padded int", strings.Replace(good, "\nn=10000\n", "\nn=010000\n", 1), "n:"},
		{"float form", strings.Replace(good, "\nlr=0.5\n", "\nlr=5e-1\n", 1), "lr:"},
		{"not a number", strings.Replace(good, "\nbatch=10\n", "\nbatch=ten\n", 1), "batch"},
		{"missing field", strings.Replace(good, "\nseed=1\n", "\n", 1), "seed"},
		{"extra", good + "x=1\n", "after the last field"},
		{"truncated", good[:len(good)-1], "ends before precision"},
	} {
		if _, err := Parse([]byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}
