// Package model holds the learners whose predictive distributions are coded:
// their parameter layout, forward pass, gradient, and the canonical parameter
// encoding whose SHA-256 is the fingerprint Alice and Bob compare.
//
// Invariants: parameters live in one flat []float64 in a documented canonical
// order; every product that is summed is written float64(x*y) so no compiler
// may fuse it; dot products use detmath's fixed-lane kernels; no math.Exp or
// math.Log. A model holding NaN or Inf cannot be encoded: Encode returns an
// error instead of a fingerprint of garbage.
//
// Losses are cross-entropy in nats inside the model; bits are a reporting unit
// (see package edl).
package model
