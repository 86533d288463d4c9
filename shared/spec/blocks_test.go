package spec_test

import (
	"strings"
	"testing"

	. "github.com/edlwire/edlwire/shared/spec"
)

// A gradient-trained model section registered for this test only.
var _ = func() bool {
	RegisterModel(Section{
		Name:     "spectestgrad",
		Gradient: true,
		Params:   func(s Spec) int64 { return s.Classes },
	})
	return true
}()

// The blockwise code takes any gradient-trained model a section registers
// (spec.Section.Gradient), not a fixed list of the built-in ones, and
// refuses the others by name.
func TestBlocksTakeAnyGradientModel(t *testing.T) {
	s := Default()
	s.N, s.Batch = 512, 16
	s.Blocks, s.BlockEpochs, s.BlockPatience, s.BlockValid = []int64{64, 128}, 10, 3, 10
	for _, m := range []string{ModelSoftmax, "spectestgrad"} {
		s.Model = m
		if err := s.Validate(); err != nil {
			t.Errorf("model %s: %v", m, err)
		}
	}
	s.Model = ModelKT
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "blocks") || !strings.Contains(err.Error(), "spectestgrad") {
		t.Errorf("model kt: %v, want a refusal of blocks naming the gradient-trained models", err)
	}
}
