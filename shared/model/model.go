package model

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/edlwire/edlwire/shared/rng"
	"github.com/edlwire/edlwire/shared/spec"
)

// Model is a probabilistic classifier with flat parameters.
type Model interface {
	// Kind names the family, as in spec.Model.
	Kind() string
	// Shape lists the dimensions that determine the parameter layout.
	Shape() []int64
	// NumClasses is K.
	NumClasses() int
	// InputDim is the length of an input vector.
	InputDim() int
	// Params is the live parameter vector in canonical order.
	Params() []float64
	// Probs writes the predictive distribution p(·|x) into dst (len K).
	Probs(dst, x []float64)
}

// Differentiable models learn by gradient steps of an optimizer. They work
// a minibatch at a time: every example of a batch is predicted with the same
// parameters, so the forward pass of the whole batch runs before its labels
// are coded.
type Differentiable interface {
	Model
	// Forward computes p(·|x_b) into probs[b] for a batch and keeps what
	// Backward needs.
	Forward(probs, xs [][]float64)
	// Backward adds Σ_b ∇θ −ln p(labels[b]|x_b) into grad for the batch of
	// the last Forward (len(labels) ≤ that batch).
	Backward(grad []float64, labels []int)
	// SetWorkers sets how many goroutines may share large layers; the
	// results are the same bits for any value.
	SetWorkers(n int)
}

// Counting models are exact Bayesian learners that update by counting; the
// session calls Observe for every example of a minibatch, in order, once the
// whole minibatch has been coded.
type Counting interface {
	Model
	Observe(x []float64, label int)
}

// ErrNotFinite reports a NaN or Inf parameter: a diverged model is an error,
// never data.
var ErrNotFinite = errors.New("model: parameter is not finite")

// New builds the model a spec names, initialized from the spec's seed. A
// spec that starts from a base checkpoint (Base) is built by NewFromBase.
func New(s spec.Spec) (Model, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if s.Base != "" {
		return nil, fmt.Errorf("model: the spec starts from the base checkpoint %s (sha256 %s): build it with NewFromBase", s.BaseName, s.Base)
	}
	return build(s, nil)
}

// NewFromBase builds the model a spec names starting from a pre-trained
// base: encoded is the canonical encoding (Encode) of a model of the spec's
// architecture without its adapter (its Kind and Shape must match), whose
// parameters replace the spec's initialization; the adapter, if any, is
// then added on top as New would. Checking that the base is the file the
// spec names is the caller's business (see package checkpoint).
func NewFromBase(s spec.Spec, encoded []byte) (Model, error) {
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	kind, shape, params, err := Decode(encoded)
	if err != nil {
		return nil, err
	}
	if kind == ensembleKind && s.BlockEnsemble > 1 {
		return buildEnsemble(s, shape, params)
	}
	return build(s, &decoded{kind, shape, params})
}

// buildEnsemble rebuilds the block ensemble of spec s (spec.BlockEnsemble
// members) from its decoded shape and parameters (Ensemble's layout).
func buildEnsemble(s spec.Spec, shape []int64, params []float64) (Model, error) {
	n := int(s.BlockEnsemble)
	if len(shape) < 1 || shape[0] != int64(n) || len(params)%n != 0 {
		return nil, fmt.Errorf("model: the encoding is an ensemble of shape %v with %d parameters, the spec's block_ensemble is %d", shape, len(params), n)
	}
	per := len(params) / n
	members := make([]Differentiable, n)
	for i := range members {
		m, err := build(s, &decoded{s.Model, shape[1:], params[i*per : (i+1)*per]})
		if err != nil {
			return nil, fmt.Errorf("model: ensemble member %d: %w", i, err)
		}
		d, ok := m.(Differentiable)
		if !ok {
			return nil, fmt.Errorf("model: ensemble member %d: a %s is not gradient-trained", i, m.Kind())
		}
		members[i] = d
	}
	return NewEnsemble(members), nil
}

// initScaler is a model whose normal initialization scales each
// parameter's draw (the cnn's He scaling).
type initScaler interface{ InitScales() []float64 }

type decoded struct {
	kind   string
	shape  []int64
	params []float64
}

func build(s spec.Spec, base *decoded) (Model, error) {
	r, ok := Lookup(s.Model)
	switch {
	case !ok:
		return nil, fmt.Errorf("model: unknown model %q", s.Model)
	case r.External:
		return nil, fmt.Errorf("model: a %s model is supplied by the caller (prequential.Options.External), not built", s.Model)
	}
	m, err := r.New(s)
	if err != nil {
		return nil, fmt.Errorf("model: %s: %w", s.Model, err)
	}
	if _, ok := m.(Differentiable); !ok {
		return m, nil // counting models start from their prior, not from Init
	}
	p := m.Params()
	if base != nil {
		if err := sameArchitecture(m, base.kind, base.shape, len(base.params)); err != nil {
			return nil, err
		}
		copy(p, base.params)
		if s.ResetHead {
			// The last dense layer (weights, then bias) is the end of the
			// canonical vector of both the mlp (softmax) and tokens layouts.
			out, in := int(s.Classes), int(s.Dim)
			if hs := s.DenseSizes(); len(hs) >= 2 {
				in = int(hs[len(hs)-2])
			}
			clear(p[len(p)-(out*in+out):])
		}
	} else if s.Init == spec.InitNormal {
		src := rng.New(rng.Derive(s.Seed, "init"), 0)
		for i := range p {
			p[i] = float64(s.InitScale * src.Normal())
		}
		if c, ok := m.(initScaler); ok {
			for i, v := range c.InitScales() {
				p[i] = float64(p[i] * v)
			}
		}
	}
	d := m.(Differentiable)
	switch s.Adapter {
	case spec.AdapterLoRA:
		return NewLoRA(d, int(s.Rank), rng.Derive(s.Seed, "lora"))
	case spec.AdapterSparse:
		return NewSparse(d, int(s.SparseParams), rng.Derive(s.Seed, "sparse-subset"))
	}
	return m, nil
}

// sameArchitecture checks that a decoded base fits model m.
func sameArchitecture(m Model, kind string, shape []int64, n int) error {
	want := m.Shape()
	if kind != m.Kind() || !slices.Equal(shape, want) || n != len(m.Params()) {
		return fmt.Errorf("model: the base is a %s of shape %v with %d parameters, the spec builds a %s of shape %v with %d", kind, shape, n, m.Kind(), want, len(m.Params()))
	}
	return nil
}

// encodingVersion heads the canonical parameter encoding.
const encodingVersion = "edlwire-params-v1"

// Encode returns the canonical encoding of m's parameters: the version and
// kind as length-prefixed strings, the shape as int64s, the parameter count,
// then every parameter's IEEE-754 bits, all little-endian.
func Encode(m Model) ([]byte, error) {
	out := make([]byte, 0, 64+8*len(m.Shape())+8*len(m.Params()))
	err := encode(m, func(piece []byte) error {
		out = append(out, piece...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WriteEncoding writes Encode(m) to w in pieces of a few kilobytes, so that
// hashing a large model (Fingerprint) needs no copy of its encoding; the
// bytes written are those of Encode, whatever the pieces. After an error
// (a non-finite parameter, or w's) part of the encoding may be written.
func WriteEncoding(w io.Writer, m Model) error {
	return encode(m, func(piece []byte) error {
		_, err := w.Write(piece)
		return err
	})
}

// encodePiece is the size in bytes of the pieces encode emits.
const encodePiece = 4096

// encode emits the canonical encoding of m in order, in pieces of at most
// encodePiece bytes (the header may be longer with a long kind name).
func encode(m Model, emit func([]byte) error) error {
	p := m.Params()
	shape := m.Shape()
	buf := make([]byte, 0, encodePiece)
	putString := func(s string) {
		buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
		buf = append(buf, s...)
	}
	putString(encodingVersion)
	putString(m.Kind())
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(shape)))
	for _, d := range shape {
		buf = binary.LittleEndian.AppendUint64(buf, uint64(d))
	}
	buf = binary.LittleEndian.AppendUint64(buf, uint64(len(p)))
	for i, v := range p {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: index %d is %v", ErrNotFinite, i, v)
		}
		if len(buf)+8 > encodePiece {
			if err := emit(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(v))
	}
	return emit(buf)
}

// Fingerprint is the SHA-256 of the canonical encoding.
func Fingerprint(m Model) ([32]byte, error) {
	h := sha256.New()
	if err := WriteEncoding(h, m); err != nil {
		return [32]byte{}, err
	}
	var out [32]byte
	h.Sum(out[:0])
	return out, nil
}

// ErrCorruptEncoding reports a canonical parameter encoding that cannot be
// parsed.
var ErrCorruptEncoding = errors.New("model: corrupt parameter encoding")

// Decode parses a canonical encoding (Encode): the kind, the shape and the
// parameters. It never panics on hostile input and rejects non-finite
// parameters, a foreign version and trailing bytes.
func Decode(b []byte) (kind string, shape []int64, params []float64, err error) {
	bad := func(format string, args ...any) (string, []int64, []float64, error) {
		return "", nil, nil, fmt.Errorf("%w: "+format, append([]any{ErrCorruptEncoding}, args...)...)
	}
	rest := b
	getString := func() (string, bool) {
		if len(rest) < 4 {
			return "", false
		}
		n := binary.LittleEndian.Uint32(rest)
		if uint64(n) > uint64(len(rest)-4) {
			return "", false
		}
		s := string(rest[4 : 4+n])
		rest = rest[4+n:]
		return s, true
	}
	version, ok := getString()
	if !ok || version != encodingVersion {
		return bad("version %q, want %q", version, encodingVersion)
	}
	if kind, ok = getString(); !ok {
		return bad("truncated kind")
	}
	if len(rest) < 4 {
		return bad("truncated shape")
	}
	nshape := binary.LittleEndian.Uint32(rest)
	rest = rest[4:]
	if uint64(nshape) > uint64(len(rest))/8 {
		return bad("shape of %d dimensions in %d bytes", nshape, len(rest))
	}
	shape = make([]int64, nshape)
	for i := range shape {
		shape[i] = int64(binary.LittleEndian.Uint64(rest))
		rest = rest[8:]
	}
	if len(rest) < 8 {
		return bad("truncated parameter count")
	}
	np := binary.LittleEndian.Uint64(rest)
	rest = rest[8:]
	if np != uint64(len(rest))/8 || len(rest)%8 != 0 {
		return bad("%d parameters in %d bytes", np, len(rest))
	}
	params = make([]float64, np)
	for i := range params {
		v := math.Float64frombits(binary.LittleEndian.Uint64(rest[8*i:]))
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return bad("parameter %d is %v", i, v)
		}
		params[i] = v
	}
	return kind, shape, params, nil
}
