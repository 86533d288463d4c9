package prequential

import (
	"crypto/sha256"
	"testing"
)

func TestEmptyTranscript(t *testing.T) {
	if emptyTranscript() != sha256.Sum256(nil) {
		t.Fatal("emptyTranscript is not SHA-256 of nothing")
	}
}

// Bisection finds the first differing example for every position and calls
// equal about log₂ n times.
func TestFirstDivergence(t *testing.T) {
	const n = 1000
	for first := int64(0); first < n; first++ {
		calls := 0
		got, err := FirstDivergence(0, n, func(c int64) (bool, error) {
			calls++
			return c <= first, nil // the transcript after c examples includes example c-1
		})
		if err != nil || got != first {
			t.Fatalf("first divergence at %d: got %d, %v", first, got, err)
		}
		if calls > 10 {
			t.Fatalf("%d calls for n=%d", calls, n)
		}
	}
}
