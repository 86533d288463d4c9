package predictor

import (
	"bytes"
	"testing"
)

// The README's skeleton plugin runs as written: add-one label counts, so
// after the first batch its distribution is the counts'.
func TestSkeletonPlugin(t *testing.T) {
	needTorch(t)
	xs, ys := digits(t, 64)
	a := start(t, "../../predictors/skeleton/edl-predictor-skeleton", 1, "")
	b := start(t, "../../predictors/skeleton/edl-predictor-skeleton", 1, "")
	bitsA, fpsA := run(t, a, xs, ys, 32)
	bitsB, fpsB := run(t, b, xs, ys, 32)
	for i := range bitsA {
		if bitsA[i] != bitsB[i] {
			t.Fatalf("probability %d differs between two processes", i)
		}
	}
	if !bytes.Equal(fpsA[1], fpsB[1]) || bytes.Equal(fpsA[0], fpsA[1]) {
		t.Fatal("fingerprints do not follow the state")
	}
}
