package rng

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
	"math/rand/v2"

	"github.com/edlwire/edlwire/shared/detmath"
)

// Source is a seeded, deterministic random source: a PCG generator from
// math/rand/v2 (rand.NewPCG(seed, stream)) behind a *rand.Rand. It has no
// hidden state beyond the PCG state (Normal caches nothing), so a Source
// is fully described by the number of 64-bit words drawn so far.
// A Source is not safe for concurrent use.
type Source struct {
	r *rand.Rand
}

// New returns a Source seeded with (seed, stream).
func New(seed, stream uint64) *Source {
	return &Source{r: rand.New(rand.NewPCG(seed, stream))}
}

// Derive returns a deterministic sub-seed: the first 8 bytes, read
// big-endian, of SHA-256(seed as 8 big-endian bytes || label).
// Typical use: New(Derive(seed, "inputs"), 0).
func Derive(seed uint64, label string) uint64 {
	h := sha256.New()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(label))
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// Uint64 returns the next 64 random bits (rand.Rand.Uint64).
func (s *Source) Uint64() uint64 { return s.r.Uint64() }

// IntN returns a uniform int in [0, n) (rand.Rand.IntN). It panics if n <= 0.
func (s *Source) IntN(n int) int { return s.r.IntN(n) }

// Float64 returns a uniform float64 in [0, 1) (rand.Rand.Float64: the top
// 53 bits of one Uint64 divided by 2^53, exact).
func (s *Source) Float64() float64 { return s.r.Float64() }

// Perm returns a pseudo-random permutation of [0, n) (rand.Rand.Perm).
func (s *Source) Perm(n int) []int { return s.r.Perm(n) }

// Shuffle pseudo-randomizes the order of n elements (rand.Rand.Shuffle,
// Fisher-Yates). It panics if n < 0.
func (s *Source) Shuffle(n int, swap func(i, j int)) { s.r.Shuffle(n, swap) }

// Normal returns a standard normal deviate using Marsaglia's polar method:
//
//	repeat: u = 2*x1-1, v = 2*x2-1, q = u*u + v*v   (x1, x2 exactly as Float64 would return)
//	until 0 < q < 1
//	return u * Sqrt(-2*detmath.Log(q) / q)
//
// Every product is explicitly rounded, the logarithm is detmath.Log and
// the square root is math.Sqrt (correctly rounded everywhere), so the
// result is bit-identical on all platforms. The second deviate of each
// accepted pair (v*factor) is discarded rather than cached, so Normal
// keeps no state outside the PCG generator. It consumes an even number of
// Float64 draws (2 per attempt; on average 2*4/pi ≈ 2.55 words per call).
// rand.NormFloat64 is not used: it calls math.Exp, which is not
// bit-reproducible across architectures.
func (s *Source) Normal() float64 {
	for {
		// u = 2*Float64()-1, computed in integers: n is the same 53-bit
		// value rand.Rand.Float64 uses (x = n/2^53), and (n-2^52)/2^52 equals
		// 2x-1 exactly. Written as float arithmetic (float64(2*x)-1) the Go
		// compiler folds the inlined n/2^53 into a multiplication and emits
		// an FMA despite the conversion -- numerically harmless (the product
		// is exact) but this form leaves no product to fuse at all.
		u := float64(int64(s.r.Uint64()<<11>>11)-1<<52) / (1 << 52)
		v := float64(int64(s.r.Uint64()<<11>>11)-1<<52) / (1 << 52)
		q := float64(u*u) + float64(v*v)
		if q >= 1 || q == 0 {
			continue
		}
		f := math.Sqrt(float64(-2*detmath.Log(q)) / q)
		return float64(u * f)
	}
}
