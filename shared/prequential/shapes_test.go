package prequential

import (
	"strings"
	"testing"
)

// The shapes' names and specs: issue 3's MLPs, the largest cut to 512
// examples (64·512+512 + 512·512+512 + 512·10+10 = 301,066 parameters).
func TestPassShapes(t *testing.T) {
	want := []struct {
		name, title string
		params, n   int64
	}{
		{"mlp32-64-10/batch1", "mlp 32→64→10, batch 1", 32*64 + 64 + 64*10 + 10, 4096},
		{"mlp32-64-10/batch32", "mlp 32→64→10, batch 32", 32*64 + 64 + 64*10 + 10, 4096},
		{"mlp64-256-10/batch32", "mlp 64→256→10, batch 32", 64*256 + 256 + 256*10 + 10, 4096},
		{"mlp64-512-512-10/batch32", "mlp 64→512→512→10, batch 32", 301066, 512},
	}
	if len(PassShapes) != len(want) {
		t.Fatalf("%d shapes", len(PassShapes))
	}
	for i, sh := range PassShapes {
		sp := sh.Spec()
		if sh.Name() != want[i].name || sh.Title() != want[i].title || sp.NumParams() != want[i].params || sp.N != want[i].n {
			t.Errorf("shape %d: %q %q, %d params, n %d; want %+v", i, sh.Name(), sh.Title(), sp.NumParams(), sp.N, want[i])
		}
		// The title is what the name abbreviates.
		if r := strings.NewReplacer("→", "-", ", ", "/", " ", ""); r.Replace(sh.Title()) != sh.Name() {
			t.Errorf("title %q does not abbreviate to %q", sh.Title(), sh.Name())
		}
		if err := sp.Validate(); err != nil {
			t.Error(err)
		}
	}
	_, in, lab, err := PassShapes[0].Data()
	if err != nil || len(lab.Train) < 4096 || in == nil {
		t.Fatalf("data: %v", err)
	}
}

// ScalingWork sums 2000 dot products: of a vector of ones of length 4,
// 2000·4.
func TestScalingWork(t *testing.T) {
	if got := ScalingWork([]float64{1, 1, 1, 1}); got != 8000 {
		t.Errorf("ScalingWork = %v, want 8000", got)
	}
}
