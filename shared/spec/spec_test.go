package spec

import (
	"encoding/hex"
	"strings"
	"testing"
)

func TestDefaultValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
}

// The canonical encoding is part of the protocol: its hash must not drift.
func TestCanonicalGolden(t *testing.T) {
	s := Default()
	want := "edlwire-spec-v1\ntask=synthetic\nseed=1\nn=10000\ntest=5000\ndata_name=\ndata_sha256=\nlabel_column=\nstandardize=false\nshuffle=false\nshuffle_seed=0\nclasses=10\ndim=16\nnoise=0\nrandom_labels=false\nmodel=softmax\nhidden=\nactivation=relu\ninit=zeros\ninit_scale=0.01\noptimizer=sgd\nlr=0.5\nbatch=10\ncheckpoint_every=1000\nprecision=24\n"
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
