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
// Families: softmax regression and the MLP (mlp.go), the token network
// (tokens.go: a shared embedding table, then the MLP), the exact Bayesian
// learners (bayes.go, dirichlet.go). Adapters (adapter.go) wrap a
// gradient-trained model: LoRA on every dense layer of a frozen base, or a
// seeded sparse subset of trainable parameters; Params stays the full
// canonical vector the fingerprint covers, Trainable the part an optimizer
// updates. Decode and Load read the canonical encoding back; NewFromBase
// starts a spec's model from a pre-trained base's encoding.
//
// CNN (cnn.go) is a LeNet-style network for square one-channel images
// (MNIST): im2col convolutions on the same detmath kernels as the MLP, relu,
// 2×2 max-pool, and an MLP head; no adapters or bases yet.
//
// Every family is registered (registry.go): its spec section (the fields it
// owns or declares, their validation, flags and defaults, its parameter
// count and dense widths; see package spec) and its constructor. New looks
// the family up, then applies the spec's initialization, base checkpoint
// and adapter to a differentiable model. The built-in families are
// registered in builtin.go, in the order --model's help lists them; a new
// family is one file whose init calls Register, plus its test (see
// cmd/internal/specflag's registry_test.go: a model that exists only in a
// test file, selected by flag and transmitted).
//
// Losses are cross-entropy in nats inside the model; bits are a reporting unit
// (see package edl).
package model
