package train

import (
	"fmt"
	"math"

	"github.com/edlwire/edlwire/shared/spec"
)

// Momentum is heavy-ball SGD with a constant learning rate:
//
//	g ← Σg / B;  v ← β·v + g;  θ ← θ − lr·v
//
// evaluated per coordinate as v = float64(β*v) + g, θ = θ − float64(lr*v).
//
// State layout: [v_0, …, v_{n−1}], the velocity of each parameter in the
// canonical parameter order (n entries; empty until the optimizer is sized).
// A literal &Momentum{LR: lr, Beta: β} sizes itself on its first Step;
// NewByName sizes it at construction, so its State is n zeros from the start.
type Momentum struct {
	LR   float64
	Beta float64

	v     []float64
	sized bool
}

func (o *Momentum) size(n int) {
	if !o.sized {
		o.v = make([]float64, n)
		o.sized = true
	}
}

// Step applies one update.
func (o *Momentum) Step(params, gradSum []float64, batchSize int) {
	o.BeginStep(params, gradSum, batchSize)
	o.StepRange(params, gradSum, batchSize, 0, len(params))
}

// BeginStep checks the shapes and sizes an unsized optimizer; momentum has
// no per-step scalars.
func (o *Momentum) BeginStep(params, gradSum []float64, batchSize int) {
	if len(params) != len(gradSum) || batchSize < 1 || (o.sized && len(o.v) != len(params)) {
		panic(fmt.Sprintf("train: momentum: %d params, %d grads, batch %d, state for %d", len(params), len(gradSum), batchSize, len(o.v)))
	}
	o.size(len(params))
}

// StepRange updates params[lo:hi] and their velocities.
func (o *Momentum) StepRange(params, gradSum []float64, batchSize, lo, hi int) {
	inv := float64(batchSize)
	beta, lr := o.Beta, o.LR
	p, v := params[lo:hi], o.v[lo:hi]
	for i, gs := range gradSum[lo:hi] {
		g := gs / inv
		vi := float64(beta*v[i]) + g
		v[i] = vi
		p[i] -= float64(lr * vi)
	}
}

// State returns a copy of [v_0, …, v_{n−1}].
func (o *Momentum) State() []float64 { return append([]float64{}, o.v...) }

// SetState loads a velocity vector; it sizes an unsized optimizer.
func (o *Momentum) SetState(s []float64) error {
	if o.sized && len(s) != len(o.v) {
		return fmt.Errorf("train: momentum: state has %d entries, want %d", len(s), len(o.v))
	}
	for i, x := range s {
		if !finite(x) {
			return fmt.Errorf("train: momentum: state[%d] = %v is not finite", i, x)
		}
	}
	o.v = append(o.v[:0], s...)
	o.sized = true
	return nil
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter) and a
// constant learning rate. Step t (counting from 1) does, per coordinate,
// in exactly this sequence of IEEE operations:
//
//	β1^t = float64(β1^(t−1) · β1);  β2^t = float64(β2^(t−1) · β2)   (once per step)
//	c1 = 1 − β1^t;  c2 = 1 − β2^t;  lrwd = float64(lr · wd)       (once per step)
//	g = Σg / B
//	θ = θ − float64(lrwd · θ)                     (skipped when lrwd == 0)
//	m = float64(β1 · m) + float64((1−β1) · g)
//	v = float64(β2 · v) + float64((1−β2) · float64(g · g))
//	θ = θ − float64(lr · ((m / c1) / (math.Sqrt(v / c2) + ε)))
//
// The bias corrections use running products kept in the state, never
// math.Pow; math.Sqrt is correctly rounded on every architecture. ε is added
// outside the square root, as in PyTorch and the Adam paper. With wd = 0 the
// decay line is skipped entirely, so AdamW{WeightDecay: 0} is Adam bit for
// bit (even the sign of a zero parameter is kept).
//
// State layout (3 + 2n entries):
//
//	[t, β1^t, β2^t, m_0, …, m_{n−1}, v_0, …, v_{n−1}]
//
// t is the number of steps taken (an exact integer), β1^t and β2^t the
// running products (1 at t = 0), then the first and second moments in the
// canonical parameter order. An unsized optimizer (a literal before its
// first Step) has the state [0, 1, 1]; NewByName sizes it at construction.
type AdamW struct {
	LR          float64
	Beta1       float64
	Beta2       float64
	Eps         float64
	WeightDecay float64

	t        float64
	b1t, b2t float64 // β1^t, β2^t: set to 1 when the optimizer is sized
	m, v     []float64
	sized    bool
}

func (o *AdamW) size(n int) {
	if !o.sized {
		o.m = make([]float64, n)
		o.v = make([]float64, n)
		o.t, o.b1t, o.b2t = 0, 1, 1
		o.sized = true
	}
}

// Step applies one update.
func (o *AdamW) Step(params, gradSum []float64, batchSize int) {
	o.BeginStep(params, gradSum, batchSize)
	o.StepRange(params, gradSum, batchSize, 0, len(params))
}

// BeginStep checks the shapes, sizes an unsized optimizer, and advances
// the step count and the running products once for the step.
func (o *AdamW) BeginStep(params, gradSum []float64, batchSize int) {
	if len(params) != len(gradSum) || batchSize < 1 || (o.sized && len(o.m) != len(params)) {
		panic(fmt.Sprintf("train: adamw: %d params, %d grads, batch %d, state for %d", len(params), len(gradSum), batchSize, len(o.m)))
	}
	o.size(len(params))
	o.t++
	o.b1t = float64(o.b1t * o.Beta1)
	o.b2t = float64(o.b2t * o.Beta2)
}

// StepRange updates params[lo:hi] and their moments with the corrections
// of the step BeginStep started.
func (o *AdamW) StepRange(params, gradSum []float64, batchSize, lo, hi int) {
	c1, c2 := 1-o.b1t, 1-o.b2t
	lr, eps := o.LR, o.Eps
	b1, b2 := o.Beta1, o.Beta2
	omb1, omb2 := 1-b1, 1-b2
	lrwd := float64(lr * o.WeightDecay)
	inv := float64(batchSize)
	p, m, v := params[lo:hi], o.m[lo:hi], o.v[lo:hi]
	for i, gs := range gradSum[lo:hi] {
		g := gs / inv
		th := p[i]
		if lrwd != 0 {
			th -= float64(lrwd * th)
		}
		mi := float64(b1*m[i]) + float64(omb1*g)
		vi := float64(b2*v[i]) + float64(omb2*float64(g*g))
		m[i], v[i] = mi, vi
		th -= float64(lr * ((mi / c1) / (math.Sqrt(vi/c2) + eps)))
		p[i] = th
	}
}

// State returns a copy of [t, β1^t, β2^t, m…, v…].
func (o *AdamW) State() []float64 {
	if !o.sized {
		return []float64{0, 1, 1}
	}
	s := make([]float64, 0, 3+2*len(o.m))
	s = append(s, o.t, o.b1t, o.b2t)
	s = append(s, o.m...)
	return append(s, o.v...)
}

// maxSteps bounds t so that it stays an exact integer.
const maxSteps = 1 << 53

// SetState loads [t, β1^t, β2^t, m…, v…]; it sizes an unsized optimizer
// from the length. β1^t and β2^t must be exactly the running products this
// optimizer's β1 and β2 give after t steps (recomputed by t explicitly
// rounded multiplications, stopping early once the product reaches 0), so a
// checkpoint cannot be resumed with other hyperparameters by mistake.
func (o *AdamW) SetState(s []float64) error {
	if len(s) < 3 || (len(s)-3)%2 != 0 {
		return fmt.Errorf("train: adamw: state has %d entries, want 3 + 2n", len(s))
	}
	n := (len(s) - 3) / 2
	if o.sized && n != len(o.m) {
		return fmt.Errorf("train: adamw: state is for %d parameters, want %d", n, len(o.m))
	}
	for i, x := range s {
		if !finite(x) {
			return fmt.Errorf("train: adamw: state[%d] = %v is not finite", i, x)
		}
	}
	t := s[0]
	if t < 0 || t != math.Trunc(t) || t > maxSteps {
		return fmt.Errorf("train: adamw: step count %v is not an integer in [0, 2^53]", t)
	}
	p1, p2 := runningPower(o.Beta1, t), runningPower(o.Beta2, t)
	if math.Float64bits(s[1]) != math.Float64bits(p1) || math.Float64bits(s[2]) != math.Float64bits(p2) {
		return fmt.Errorf("train: adamw: state has β1^t = %v, β2^t = %v; β1 = %v, β2 = %v after %v steps give %v, %v",
			s[1], s[2], o.Beta1, o.Beta2, t, p1, p2)
	}
	for i, x := range s[3+n:] {
		if x < 0 {
			return fmt.Errorf("train: adamw: second moment v[%d] = %v is negative", i, x)
		}
	}
	o.t, o.b1t, o.b2t = t, s[1], s[2]
	o.m = append(o.m[:0], s[3:3+n]...)
	o.v = append(o.v[:0], s[3+n:]...)
	o.sized = true
	return nil
}

// runningPower is β^t by the same sequence of rounded multiplications Step
// performs, stopping once the product is 0 (it stays 0).
func runningPower(beta, t float64) float64 {
	p := 1.0
	for i := 0.0; i < t && p != 0; i++ {
		p = float64(p * beta)
	}
	return p
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Names NewByName accepts besides spec.OptimizerSGD ("sgd").
const (
	OptimizerMomentum = spec.OptimizerMomentum
	OptimizerAdam     = spec.OptimizerAdam  // AdamW with weight decay 0
	OptimizerAdamW    = spec.OptimizerAdamW // Adam with decoupled weight decay
)

// Defaults NewByName uses for an Options field left at zero.
const (
	DefaultMomentumBeta = 0.9
	DefaultBeta1        = 0.9
	DefaultBeta2        = 0.999
	DefaultEps          = 1e-8
	DefaultWeightDecay  = 0.01
)

// Options are the hyperparameters of the stateful rules. A zero field means
// the rule's default; a field the named rule does not use must be zero (so a
// misplaced setting is an error, not silently ignored). Adam without weight
// decay is the rule "adam", which is why AdamW's default of 0.01 cannot be
// overridden to 0 here.
type Options struct {
	Beta        float64 // momentum: β in (0, 1), default 0.9
	Beta1       float64 // adam, adamw: β1 in (0, 1), default 0.9
	Beta2       float64 // adam, adamw: β2 in (0, 1), default 0.999
	Eps         float64 // adam, adamw: ε > 0, default 1e-8
	WeightDecay float64 // adamw: decoupled weight decay ≥ 0, default 0.01
}

// WithDefaults returns the options the named rule will actually use: zeros
// replaced by defaults, after checking every field. Reports and specs should
// record these resolved values.
func (o Options) WithDefaults(name string) (Options, error) {
	unused := func(field string, v float64) error {
		if v != 0 {
			return fmt.Errorf("train: optimizer %q has no %s (got %v)", name, field, v)
		}
		return nil
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	unit := func(field string, v float64) error {
		if !(v > 0 && v < 1) {
			return fmt.Errorf("train: optimizer %q: %s must be in (0, 1), got %v", name, field, v)
		}
		return nil
	}
	var errs []error
	switch name {
	case spec.OptimizerSGD:
		errs = append(errs, unused("beta", o.Beta), unused("beta1", o.Beta1), unused("beta2", o.Beta2),
			unused("eps", o.Eps), unused("weight decay", o.WeightDecay))
	case OptimizerMomentum:
		def(&o.Beta, DefaultMomentumBeta)
		errs = append(errs, unit("beta", o.Beta), unused("beta1", o.Beta1), unused("beta2", o.Beta2),
			unused("eps", o.Eps), unused("weight decay", o.WeightDecay))
	case OptimizerAdam, OptimizerAdamW:
		def(&o.Beta1, DefaultBeta1)
		def(&o.Beta2, DefaultBeta2)
		def(&o.Eps, DefaultEps)
		errs = append(errs, unused("beta", o.Beta), unit("beta1", o.Beta1), unit("beta2", o.Beta2))
		if !(o.Eps > 0) || !finite(o.Eps) {
			errs = append(errs, fmt.Errorf("train: optimizer %q: eps must be finite and positive, got %v", name, o.Eps))
		}
		if name == OptimizerAdam {
			errs = append(errs, unused("weight decay (use adamw)", o.WeightDecay))
		} else {
			def(&o.WeightDecay, DefaultWeightDecay)
			if !(o.WeightDecay >= 0) || !finite(o.WeightDecay) {
				errs = append(errs, fmt.Errorf("train: optimizer %q: weight decay must be finite and non-negative, got %v", name, o.WeightDecay))
			}
		}
	default:
		return Options{}, fmt.Errorf("train: unknown optimizer %q (known: sgd, %s, %s, %s)", name, OptimizerMomentum, OptimizerAdam, OptimizerAdamW)
	}
	for _, err := range errs {
		if err != nil {
			return Options{}, err
		}
	}
	return o, nil
}

// NewByName builds the named rule ("sgd", "momentum", "adam", "adamw") for
// nparams parameters with learning rate lr (finite, positive) and the given
// options (zero fields take the defaults; see Options). Stateful rules are
// sized at construction, so their State has its full length from step 0.
// It returns SGD, *Momentum or *AdamW.
func NewByName(name string, nparams int, lr float64, opts Options) (Optimizer, error) {
	o, err := opts.WithDefaults(name)
	if err != nil {
		return nil, err
	}
	if !(lr > 0) || !finite(lr) {
		return nil, fmt.Errorf("train: optimizer %q: learning rate must be finite and positive, got %v", name, lr)
	}
	if nparams < 0 {
		return nil, fmt.Errorf("train: optimizer %q: %d parameters", name, nparams)
	}
	switch name {
	case OptimizerMomentum:
		m := &Momentum{LR: lr, Beta: o.Beta}
		m.size(nparams)
		return m, nil
	case OptimizerAdam, OptimizerAdamW:
		a := &AdamW{LR: lr, Beta1: o.Beta1, Beta2: o.Beta2, Eps: o.Eps, WeightDecay: o.WeightDecay}
		a.size(nparams)
		return a, nil
	}
	return SGD{LR: lr}, nil
}
