package specflag

import (
	"flag"
	"io"
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
)

func parse(t *testing.T, args ...string) spec.Spec {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	s := Register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return *s
}

func TestDefaultIsSpecDefault(t *testing.T) {
	if d := parse(t).Diff(spec.Default()); len(d) != 0 {
		t.Fatalf("no flags should give spec.Default, differs in %q", d)
	}
}

// A flag given explicitly wins over the defaults another flag brings,
// whichever comes first.
func TestDefaultsFollowButNeverOverride(t *testing.T) {
	for _, args := range [][]string{
		{"--optimizer", "adamw", "--beta1", "0.8"},
		{"--beta1", "0.8", "--optimizer", "adamw"},
	} {
		s := parse(t, args...)
		if s.Beta1 != 0.8 || s.Beta2 != 0.999 || s.AdamEps != 1e-8 || s.WeightDecay != 0.01 || s.Beta != 0 {
			t.Errorf("%q: got β1=%v β2=%v ε=%v wd=%v β=%v", args, s.Beta1, s.Beta2, s.AdamEps, s.WeightDecay, s.Beta)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	if s := parse(t, "--optimizer", "momentum"); s.Beta != 0.9 || s.Validate() != nil {
		t.Errorf("momentum: β=%v, %v", s.Beta, s.Validate())
	}
	if s := parse(t, "--optimizer", "adam"); s.WeightDecay != 0 || s.Validate() != nil {
		t.Errorf("adam: wd=%v, %v", s.WeightDecay, s.Validate())
	}
	for _, args := range [][]string{
		{"--task", "modular", "--classes", "7"},
		{"--classes", "7", "--task", "modular"},
	} {
		s := parse(t, args...)
		if s.Dim != 14 || s.Op != spec.OpAdd || s.Notation != spec.NotationOneHot {
			t.Errorf("%q: dim=%d op=%q notation=%q", args, s.Dim, s.Op, s.Notation)
		}
		if err := s.Validate(); err != nil {
			t.Errorf("%q: %v", args, err)
		}
	}
	if s := parse(t, "--dim", "3", "--task", "coupon"); s.Dim != 3 {
		t.Errorf("an explicit --dim was overwritten: %d", s.Dim)
	}
	if s := parse(t, "--task", "coupon", "--model", "table", "--classes", "5"); s.Dim != 1 || s.Keys != 100 || s.Alpha != 0.5 || s.Validate() != nil {
		t.Errorf("coupon/table: dim=%d keys=%d alpha=%v: %v", s.Dim, s.Keys, s.Alpha, s.Validate())
	}
	if s := parse(t, "--epochs", "3", "--validation", "100"); s.Patience != 3 || s.Validate() != nil {
		t.Errorf("epochs 3: patience %d, %v", s.Patience, s.Validate())
	}
	if s := parse(t, "--random-labels"); !s.RandomLabels {
		t.Error("--random-labels without a value must still work as a bool flag")
	}
}
