package model

import (
	"fmt"

	"github.com/edlwire/edlwire/shared/spec"
)

// Tokens is the token-input network for symbolic tasks: each of the Dim
// input columns holds a token id in [0, Vocab); one learned Vocab×Embed
// embedding table is shared by every position; the Dim embeddings are
// concatenated (position 0 first) and fed to an MLP (the Hidden layers with
// their activation, then a softmax over the classes). The dense part is an
// MLP value, so its arithmetic, summation order and worker split are the
// MLP's.
//
// Canonical layout: the embedding table E row-major (Vocab rows of Embed,
// row t the embedding of token t), then the MLP's parameters in the MLP's
// layout (for each layer W row-major, then b), on an input of Dim·Embed.
//
// Token ids are read from the float64 inputs by clamping, never by a bare
// conversion (out-of-range values and NaN convert differently per
// architecture): NaN and values below 0 read as 0, values at or above
// Vocab−1 as Vocab−1, anything else is truncated towards zero.
//
// Embedding gradients: ∂loss/∂E[t] is the sum, over the batch's examples in
// order and then over positions in increasing order, of the back-propagated
// δ at every position holding token t; the δ come from the MLP's input
// gradient, summed over its first layer's units in increasing order.
type Tokens struct {
	vocab, embed, dim int
	params            []float64 // E, then the MLP's parameters (aliased by mlp.params)
	nE                int       // vocab·embed
	mlp               *MLP
	frozenEmbed       bool // under a LoRA adapter: no embedding gradients

	// Batch buffers, grown on demand.
	emb [][]float64 // emb[b]: the concatenated embeddings of example b
	ids [][]int     // ids[b][j]: the token at position j of example b
	cur int         // examples in the batch of the last Forward
	one [1][]float64
	dst [1][]float64
}

// NewTokens returns a zero-initialized token network on dim positions of a
// vocab-token alphabet with embed-wide embeddings, hidden layers of the given
// widths with act, and classes outputs.
func NewTokens(vocab, embed, dim int, hidden []int, act string, classes int) *Tokens {
	if vocab < 1 || embed < 1 || dim < 1 {
		panic(fmt.Sprintf("model: tokens needs vocab, embed and dim >= 1, got %d, %d, %d", vocab, embed, dim))
	}
	sizes := append(append([]int{dim * embed}, hidden...), classes)
	mlp := NewMLP(sizes, act)
	mlp.inputGrad = true
	nE := vocab * embed
	m := &Tokens{vocab: vocab, embed: embed, dim: dim, nE: nE, mlp: mlp}
	m.params = make([]float64, nE+len(mlp.params))
	mlp.params = m.params[nE:]
	return m
}

// Kind is "tokens".
func (m *Tokens) Kind() string { return spec.ModelTokens }

// Shape is [vocab, embed, dim, the MLP's layer sizes (dim·embed, hidden...,
// classes), activation (0 relu, 1 tanh)].
func (m *Tokens) Shape() []int64 {
	out := []int64{int64(m.vocab), int64(m.embed), int64(m.dim)}
	for _, s := range m.mlp.sizes {
		out = append(out, int64(s))
	}
	act := int64(0)
	if m.mlp.act == spec.ActTanh {
		act = 1
	}
	return append(out, act)
}

func (m *Tokens) NumClasses() int   { return m.mlp.NumClasses() }
func (m *Tokens) InputDim() int     { return m.dim }
func (m *Tokens) Params() []float64 { return m.params }

// SetWorkers sets how many goroutines the MLP's large layers are split
// across; the results are the same bits for any value.
func (m *Tokens) SetWorkers(n int) { m.mlp.SetWorkers(n) }

// tokenID reads a token id from an input value, clamped to [0, vocab).
func (m *Tokens) tokenID(v float64) int {
	if !(v > 0) { // NaN, negative or zero
		return 0
	}
	if v >= float64(m.vocab-1) {
		return m.vocab - 1
	}
	return int(v)
}

func (m *Tokens) grow(b int) {
	for len(m.emb) < b {
		m.emb = append(m.emb, make([]float64, m.dim*m.embed))
		m.ids = append(m.ids, make([]int, m.dim))
	}
}

// Probs computes p(·|x) into dst.
func (m *Tokens) Probs(dst, x []float64) {
	m.one[0], m.dst[0] = x, dst
	m.Forward(m.dst[:], m.one[:])
}

// Forward looks up and concatenates the embeddings of every example of the
// batch, then runs the MLP's forward pass on them.
func (m *Tokens) Forward(probs, xs [][]float64) {
	B := len(xs)
	m.grow(B)
	E := m.params[:m.nE]
	for b, x := range xs {
		if len(x) != m.dim {
			panic(fmt.Sprintf("model: tokens: input has %d positions, want %d", len(x), m.dim))
		}
		e, ids := m.emb[b], m.ids[b]
		for j, v := range x {
			t := m.tokenID(v)
			ids[j] = t
			copy(e[j*m.embed:(j+1)*m.embed], E[t*m.embed:(t+1)*m.embed])
		}
	}
	m.cur = B
	m.mlp.Forward(probs, m.emb[:B])
}

// Backward adds the MLP's gradients and the embeddings' into grad for the
// first len(labels) examples of the last Forward's batch.
func (m *Tokens) Backward(grad []float64, labels []int) {
	if len(grad) != len(m.params) || len(labels) > m.cur {
		panic(fmt.Sprintf("model: tokens backward: %d grads for %d params, %d labels for a batch of %d", len(grad), len(m.params), len(labels), m.cur))
	}
	m.mlp.Backward(grad[m.nE:], labels)
	if m.frozenEmbed {
		return
	}
	gE := grad[:m.nE]
	for b := range labels {
		d := m.mlp.dIn[b]
		for j, t := range m.ids[b] {
			dst, src := gE[t*m.embed:(t+1)*m.embed], d[j*m.embed:(j+1)*m.embed]
			for k, v := range src {
				dst[k] += v
			}
		}
	}
}
