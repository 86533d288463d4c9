package codertest

import (
	"math/rand/v2"
	"sort"

	"github.com/edlwire/edlwire/shared/coder"
	"github.com/edlwire/edlwire/shared/detmath"
)

// Symbols is the length of a script: a power of two, so a timed loop wraps
// around with a mask.
const Symbols = 1 << 16

// Precision is the scripts' frequency precision in bits.
const Precision = 24

// Script is the benchmark workload of alphabet size K.
type Script struct {
	K      int
	Probs  [][]float64 // the 16 tables' probabilities
	Tables [][]uint32  // the same quantized at Precision bits
	Cums   [][]uint32  // their prefix sums (len K+1)
	Which  []int       // the table of each symbol
	Syms   []int
	Data   []byte  // the symbols coded, the stream finished
	Ideal  float64 // exact quantized ideal: Σ (Precision − log₂ f_y), bits
}

// Freqs is symbol i's table.
func (s *Script) Freqs(i int) []uint32 { return s.Tables[s.Which[i]] }

// New builds the script of K ≥ 2 symbols.
func New(k int) (*Script, error) {
	r := rand.New(rand.NewPCG(uint64(k), 23))
	s := &Script{K: k}
	for range 16 {
		w := make([]float64, k)
		sum := 0.0
		for i := range w {
			w[i] = float64(float64(1+r.IntN(1000)) * float64(uint64(1)<<r.IntN(20))) // not fused into the sum
			sum += w[i]
		}
		for i := range w {
			w[i] /= sum
		}
		f := make([]uint32, k)
		if err := coder.Quantize(f, w, Precision); err != nil {
			return nil, err
		}
		c := make([]uint32, k+1)
		for i, x := range f {
			c[i+1] = c[i] + x
		}
		s.Probs, s.Tables, s.Cums = append(s.Probs, w), append(s.Tables, f), append(s.Cums, c)
	}
	enc, err := coder.NewEncoder(Precision)
	if err != nil {
		return nil, err
	}
	for i := range Symbols {
		ti := i % len(s.Tables)
		// A draw from the table: the first symbol whose prefix sum
		// exceeds a uniform u.
		u := r.Uint32N(1 << Precision)
		y := sort.Search(k, func(j int) bool { return u < s.Cums[ti][j+1] })
		s.Which, s.Syms = append(s.Which, ti), append(s.Syms, y)
		s.Ideal += Precision - detmath.Log2(float64(s.Tables[ti][y]))
		if err := enc.Encode(s.Tables[ti], y); err != nil {
			return nil, err
		}
	}
	s.Data = append(enc.Take(), enc.Finish()...)
	return s, nil
}
