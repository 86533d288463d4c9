// Package rng provides seeded, bit-reproducible randomness for the
// edlwire training processes (Alice and Bob must draw identical streams on
// every architecture).
//
// # What it does
//
// A Source wraps math/rand/v2's PCG generator (rand.NewPCG(seed, stream))
// through a *rand.Rand. Only the rand.Rand methods whose output sequences
// the Go project keeps stable are used: Uint64, IntN, Float64, Perm and
// Shuffle. Normal is implemented here (Marsaglia's polar method on top of
// detmath.Log and math.Sqrt, every product explicitly rounded) instead of
// rand.NormFloat64, which uses math.Exp and therefore is not
// reproducible across architectures.
//
// Derive(seed, label) turns one master seed into independent named
// sub-seeds: the first 8 bytes (big-endian) of
// SHA-256(seed as 8 big-endian bytes || label). Use it as
// New(Derive(seed, "inputs"), 0).
//
// # Invariants
//
//   - A Source's outputs are a pure function of (seed, stream) and the
//     sequence of calls made on it; there is no global state, no time or
//     OS entropy, and no cached value outside the PCG state (Normal
//     discards the second deviate of each polar pair).
//   - Golden vectors for every method are committed in rng_test.go; any
//     change of output on any GOARCH/GOAMD64 level is a test failure.
//
// # What it refuses to do
//
//   - No math/rand (v1), no rand.NormFloat64 / ExpFloat64, no global
//     generator, no seeding from time or crypto/rand.
//   - No concurrency: a Source is not safe for concurrent use; give each
//     goroutine its own Source derived with Derive.
package rng
