package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/rng"
)

// Adapted models train only part of their parameters. Params stays the full
// canonical vector (the frozen base and the adapter's own parameters: what
// the fingerprint covers); Trainable is the live vector an optimizer
// updates, and the gradient Backward adds into has its length and order.
type Adapted interface {
	Differentiable
	// Trainable is the live vector of trainable parameters: writing it
	// changes the model's next predictions.
	Trainable() []float64
}

// Trainable returns what an optimizer updates: m.Trainable() for an adapted
// model, m.Params() otherwise.
func Trainable(m Differentiable) []float64 {
	if a, ok := m.(Adapted); ok {
		return a.Trainable()
	}
	return m.Params()
}

// denseLayer locates one dense layer's weight matrix (out rows of in,
// row-major) in a model's canonical parameters.
type denseLayer struct{ off, out, in int }

// denseStack is a model made of dense layers (plus, for tokens, an
// embedding table): the bases a LoRA adapter can wrap.
type denseStack interface {
	Differentiable
	denseLayers() []denseLayer
	// freezeNonDense tells the model that only its dense weights'
	// gradients are read, so it may skip the others (embeddings).
	freezeNonDense()
}

func (m *MLP) denseLayers() []denseLayer {
	out := make([]denseLayer, m.layers())
	for l := range out {
		out[l] = denseLayer{off: m.wOff[l], out: m.sizes[l+1], in: m.sizes[l]}
	}
	return out
}

func (m *MLP) freezeNonDense() {}

func (m *Tokens) denseLayers() []denseLayer {
	out := m.mlp.denseLayers()
	for i := range out {
		out[i].off += m.nE
	}
	return out
}

func (m *Tokens) freezeNonDense() { m.frozenEmbed, m.mlp.inputGrad = true, false }

// LoRA is a frozen base network with a low-rank adapter on every dense
// layer: the layer computes with W + B·A instead of W, where A is r×in and
// B is out×r. B starts at zero and A at seeded normal draws of standard
// deviation 1/√in, so the adapted model starts exactly equal to the base
// (same predictions bit for bit: a zero product leaves the weight
// untouched, see below). Only A and B train; the base's weights, biases and
// (tokens) embeddings stay frozen, as with PEFT's default bias="none". No
// α/r scaling is applied (α = r): the learning rate plays its part.
//
// Canonical layout: the base's parameters in the base's own layout, then
// for each dense layer from the input side A row-major (r rows of in), then
// B row-major (out rows of r). Trainable is the part after the base.
//
// Arithmetic, in a fixed order whatever the number of workers: the
// effective weight is W[o][i] + Σ_k float64(B[o][k]·A[k][i]) with the sum
// over k in increasing order from +0, and the weight is taken unchanged
// where that sum is zero. Gradients: with G = ∂loss/∂W_eff summed over the
// batch (the base's own gradient, computed with the effective weights),
// ∂/∂B[o][k] = detmath.Dot(G[o], A[k]) and ∂/∂A[k][i] = Σ_o float64(B[o][k]·G[o][i])
// in increasing o.
type LoRA struct {
	shadow denseStack // the base architecture, computing with the effective weights
	kind   string
	shape  []int64
	rank   int
	params []float64 // base, then A_l, B_l per layer
	nBase  int
	layers []loraLayer

	snap  []float64 // params at the last merge
	fresh bool      // snap is valid
	gFull []float64 // the shadow's gradient
	tmp   []float64
}

type loraLayer struct {
	denseLayer
	a, b int // offsets of A and B in params
}

// NewLoRA wraps base (a *MLP or *Tokens whose parameters are the frozen
// base) with rank-r adapters, A drawn from seed. The base model becomes
// the adapter's working copy and must not be used on its own afterwards.
func NewLoRA(base Differentiable, rank int, seed uint64) (*LoRA, error) {
	ds, ok := base.(denseStack)
	if !ok {
		return nil, fmt.Errorf("model: lora: model %s has no dense layers", base.Kind())
	}
	if rank < 1 {
		return nil, fmt.Errorf("model: lora: rank %d, want >= 1", rank)
	}
	bp := base.Params()
	m := &LoRA{shadow: ds, kind: base.Kind() + "+lora", rank: rank, nBase: len(bp)}
	m.shape = append(append([]int64(nil), base.Shape()...), int64(rank))
	n := len(bp)
	for _, d := range ds.denseLayers() {
		l := loraLayer{denseLayer: d, a: n}
		n += rank * d.in
		l.b = n
		n += d.out * rank
		m.layers = append(m.layers, l)
	}
	m.params = make([]float64, n)
	copy(m.params, bp)
	src := rng.New(seed, 0)
	for _, l := range m.layers {
		scale := 1 / math.Sqrt(float64(l.in))
		for i := range m.params[l.a : l.a+rank*l.in] {
			m.params[l.a+i] = float64(scale * src.Normal())
		}
	}
	m.snap = make([]float64, n)
	m.gFull = make([]float64, len(bp))
	ds.freezeNonDense()
	return m, nil
}

func (m *LoRA) Kind() string         { return m.kind }
func (m *LoRA) Shape() []int64       { return m.shape }
func (m *LoRA) NumClasses() int      { return m.shadow.NumClasses() }
func (m *LoRA) InputDim() int        { return m.shadow.InputDim() }
func (m *LoRA) Params() []float64    { return m.params }
func (m *LoRA) Trainable() []float64 { return m.params[m.nBase:] }
func (m *LoRA) SetWorkers(n int)     { m.shadow.SetWorkers(n) }

// Rank is r.
func (m *LoRA) Rank() int { return m.rank }

// merge recomputes the working copy's parameters when any parameter
// changed since the last merge (compared bit for bit).
func (m *LoRA) merge() {
	if m.fresh {
		same := true
		for i, v := range m.params {
			if math.Float64bits(v) != math.Float64bits(m.snap[i]) {
				same = false
				break
			}
		}
		if same {
			return
		}
	}
	copy(m.snap, m.params)
	m.fresh = true
	eff := m.shadow.Params()
	copy(eff, m.params[:m.nBase])
	r := m.rank
	for _, l := range m.layers {
		if cap(m.tmp) < l.in {
			m.tmp = make([]float64, l.in)
		}
		tmp := m.tmp[:l.in]
		A, B := m.params[l.a:l.a+r*l.in], m.params[l.b:l.b+l.out*r]
		for o := 0; o < l.out; o++ {
			clear(tmp)
			for k := 0; k < r; k++ {
				detmath.Axpy(tmp, B[o*r+k], A[k*l.in:(k+1)*l.in])
			}
			row := eff[l.off+o*l.in : l.off+(o+1)*l.in]
			for i, d := range tmp {
				if d != 0 {
					row[i] += d
				}
			}
		}
	}
}

// Probs computes p(·|x) into dst.
func (m *LoRA) Probs(dst, x []float64) {
	m.merge()
	m.shadow.Probs(dst, x)
}

// Forward runs the base's forward pass with the effective weights.
func (m *LoRA) Forward(probs, xs [][]float64) {
	m.merge()
	m.shadow.Forward(probs, xs)
}

// Backward adds the gradient of A and B (the Trainable vector's layout)
// into grad.
func (m *LoRA) Backward(grad []float64, labels []int) {
	if len(grad) != len(m.params)-m.nBase {
		panic(fmt.Sprintf("model: lora backward: %d grads for %d trainable parameters", len(grad), len(m.params)-m.nBase))
	}
	clear(m.gFull)
	m.shadow.Backward(m.gFull, labels)
	r := m.rank
	for _, l := range m.layers {
		A, B := m.params[l.a:l.a+r*l.in], m.params[l.b:l.b+l.out*r]
		gA := grad[l.a-m.nBase : l.a-m.nBase+r*l.in]
		gB := grad[l.b-m.nBase : l.b-m.nBase+l.out*r]
		G := m.gFull[l.off : l.off+l.out*l.in]
		for o := 0; o < l.out; o++ {
			g := G[o*l.in : (o+1)*l.in]
			for k := 0; k < r; k++ {
				gB[o*r+k] += detmath.Dot(g, A[k*l.in:(k+1)*l.in])
				detmath.Axpy(gA[k*l.in:(k+1)*l.in], B[o*r+k], g)
			}
		}
	}
}

// Sparse trains a seeded random subset of exactly S of a base's
// parameters; the others stay frozen. The subset is drawn by Floyd's
// algorithm (S draws of rng.IntN) and kept in increasing index order, which
// is the order of Trainable and of the gradient. Params is the base's full
// canonical vector, with the trainable values written in before it is
// returned and before every prediction; write parameters through Trainable,
// not through Params.
type Sparse struct {
	base  Differentiable
	kind  string
	shape []int64
	idx   []int     // the trainable indices, increasing
	t     []float64 // their live values
	gFull []float64
}

// NewSparse wraps base, training the s parameters a stream seeded by seed
// selects. The base model becomes the adapter's working copy.
func NewSparse(base Differentiable, s int, seed uint64) (*Sparse, error) {
	p := base.Params()
	if s < 1 || s > len(p) {
		return nil, fmt.Errorf("model: sparse: %d trainable parameters of %d", s, len(p))
	}
	m := &Sparse{base: base, kind: base.Kind() + "+sparse", gFull: make([]float64, len(p))}
	m.shape = append(append([]int64(nil), base.Shape()...), int64(s))
	m.idx = sampleSubset(rng.New(seed, 0), len(p), s)
	m.t = make([]float64, s)
	for j, i := range m.idx {
		m.t[j] = p[i]
	}
	return m, nil
}

// sampleSubset draws s distinct indices of [0, n) (Floyd) and sorts them.
func sampleSubset(src *rng.Source, n, s int) []int {
	chosen := make(map[int]bool, s) // membership only: never iterated
	out := make([]int, 0, s)
	for j := n - s; j < n; j++ {
		t := src.IntN(j + 1)
		if chosen[t] {
			t = j
		}
		chosen[t] = true
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

func (m *Sparse) Kind() string         { return m.kind }
func (m *Sparse) Shape() []int64       { return m.shape }
func (m *Sparse) NumClasses() int      { return m.base.NumClasses() }
func (m *Sparse) InputDim() int        { return m.base.InputDim() }
func (m *Sparse) Trainable() []float64 { return m.t }
func (m *Sparse) SetWorkers(n int)     { m.base.SetWorkers(n) }

// Indices returns a copy of the trainable parameters' canonical indices.
func (m *Sparse) Indices() []int { return slices.Clone(m.idx) }

func (m *Sparse) scatter() []float64 {
	p := m.base.Params()
	for j, i := range m.idx {
		p[i] = m.t[j]
	}
	return p
}

// Params returns the full canonical vector, current with Trainable.
func (m *Sparse) Params() []float64 { return m.scatter() }

// Probs computes p(·|x) into dst.
func (m *Sparse) Probs(dst, x []float64) {
	m.scatter()
	m.base.Probs(dst, x)
}

// Forward runs the base's forward pass.
func (m *Sparse) Forward(probs, xs [][]float64) {
	m.scatter()
	m.base.Forward(probs, xs)
}

// Backward adds the gradient of the trainable parameters (Trainable's
// order) into grad.
func (m *Sparse) Backward(grad []float64, labels []int) {
	if len(grad) != len(m.t) {
		panic(fmt.Sprintf("model: sparse backward: %d grads for %d trainable parameters", len(grad), len(m.t)))
	}
	clear(m.gFull)
	m.base.Backward(m.gFull, labels)
	for j, i := range m.idx {
		grad[j] += m.gFull[i]
	}
}

// Load replaces the parameters of a gradient-trained model (adapters
// included) with those of a canonical encoding of a model of the same kind
// and shape, as Encode wrote it. Counting models are exact functions of the
// labels they observed and are not loaded.
func Load(m Model, encoded []byte) error {
	kind, shape, params, err := Decode(encoded)
	if err != nil {
		return err
	}
	if _, ok := m.(Differentiable); !ok {
		return fmt.Errorf("model: load: the %s model is not gradient-trained", m.Kind())
	}
	if err := sameArchitecture(m, kind, shape, len(params)); err != nil {
		return err
	}
	if sp, ok := m.(*Sparse); ok {
		copy(sp.base.Params(), params)
		for j, i := range sp.idx {
			sp.t[j] = params[i]
		}
		return nil
	}
	copy(m.Params(), params)
	return nil
}
