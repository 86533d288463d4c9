package checkpoint_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/edlwire/edlwire/shared/checkpoint"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/train"

	// A spec names a task too: its registration validates that part.
	_ "github.com/edlwire/edlwire/shared/task"
)

func sample(t testing.TB) (spec.Spec, []byte) {
	s := spec.Default()
	s.Model, s.Hidden, s.Optimizer, s.Beta = spec.ModelMLP, []int64{4}, spec.OptimizerMomentum, 0.9
	m, err := model.New(s)
	if err != nil {
		t.Fatal(err)
	}
	opt, _ := train.New(s, len(m.Params()))
	c, err := checkpoint.New(s, 10, m, opt)
	if err != nil {
		t.Fatal(err)
	}
	return s, c.Encode()
}

func TestEncodeDecode(t *testing.T) {
	s, file := sample(t)
	c, err := checkpoint.Decode(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Examples != 10 || c.SpecHash() != s.Hash() || int64(len(c.OptState)) != s.NumParams() {
		t.Fatalf("decoded %d examples, %d state entries", c.Examples, len(c.OptState))
	}
	if string(c.Encode()) != string(file) {
		t.Fatal("re-encoding differs")
	}
	if err := c.CheckArchitecture(s); err != nil {
		t.Fatal(err)
	}
	o := s
	o.Hidden, o.Classes = []int64{5}, 3
	err = c.CheckArchitecture(o)
	if err == nil || !strings.Contains(err.Error(), "hidden") || !strings.Contains(err.Error(), "classes") {
		t.Fatalf("architecture check: %v", err)
	}
	o = s
	o.Base, o.BaseName = strings.Repeat("0", 64), "x.ckpt"
	if _, err := checkpoint.OpenBase(o, file); !errors.Is(err, checkpoint.ErrHashMismatch) || !strings.Contains(err.Error(), checkpoint.Hash(file)) {
		t.Fatalf("hash mismatch: %v", err)
	}
	bad := []byte(strings.Replace(string(file), checkpoint.Version, "edlwire-checkpoint-v9", 1))
	if _, err := checkpoint.Decode(bad); !errors.Is(err, checkpoint.ErrCorrupt) || !strings.Contains(err.Error(), "v9") {
		t.Fatalf("other version: %v", err)
	}
}

func FuzzDecode(f *testing.F) {
	_, file := sample(f)
	f.Add(file)
	f.Add(file[:40])
	f.Add([]byte("edlwire-checkpoint-v1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := checkpoint.Decode(b)
		if err == nil && string(c.Encode()) != string(b) {
			t.Fatal("accepted a file that does not re-encode to itself")
		}
	})
}
