package codertest

import (
	"math"
	"testing"

	"github.com/edlwire/edlwire/shared/coder"
)

// A script's stream decodes back to its symbols, its tables are its
// probabilities quantized with every symbol at least 1, and its ideal is
// Σ (24 − log₂ f_y) recomputed from the symbols with math.Log2; the stream is within two
// 32-bit words of that ideal.
func TestScript(t *testing.T) {
	for _, k := range []int{2, 10, 256} {
		s, err := New(k)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Syms) != Symbols || len(s.Tables) != 16 {
			t.Fatalf("K=%d: %d symbols, %d tables", k, len(s.Syms), len(s.Tables))
		}
		for ti, f := range s.Tables {
			sum := uint32(0)
			for _, x := range f {
				if x == 0 {
					t.Fatalf("K=%d: table %d has a zero frequency", k, ti)
				}
				sum += x
			}
			if sum != 1<<Precision || s.Cums[ti][k] != sum {
				t.Fatalf("K=%d: table %d sums to %d", k, ti, sum)
			}
		}
		d, _ := coder.NewDecoder(Precision)
		d.Write(s.Data)
		d.CloseWrite()
		ideal := 0.0
		for i, y := range s.Syms {
			got, err := d.Decode(s.Freqs(i))
			if err != nil || got != y {
				t.Fatalf("K=%d: symbol %d decodes to %d (%v), want %d", k, i, got, err, y)
			}
			ideal += Precision - math.Log2(float64(s.Freqs(i)[y]))
		}
		if math.Abs(ideal-s.Ideal) > 1e-9*ideal {
			t.Errorf("K=%d: ideal %v, recomputed %v", k, s.Ideal, ideal)
		}
		if over := float64(8*len(s.Data)) - s.Ideal; over < 0 || over > 64 {
			t.Errorf("K=%d: stream %d bits against the ideal %.1f", k, 8*len(s.Data), s.Ideal)
		}
	}
	a, _ := New(10)
	b, _ := New(10)
	if string(a.Data) != string(b.Data) {
		t.Error("the same K gave two scripts")
	}
}
