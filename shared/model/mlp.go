package model

import (
	"fmt"
	"math"
	"slices"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// MLP is a multilayer perceptron: hidden layers a = act(Wa' + b), then
// logits = Wa + b and p = softmax(logits). With no hidden layers it is
// softmax regression (multinomial logistic regression), the Softmax model.
//
// Canonical layout: for each layer from the input side, W row-major (out
// rows of in), then b (out).
//
// Summation order, fixed whatever the partition across goroutines:
//   - a pre-activation is detmath.Dot(W row, input) + b: four lanes, fixed tree;
//   - a weight's gradient sums float64(δ·a) over the batch in example order,
//     and its bias the δ in example order, skipping examples whose δ is
//     exactly 0 (an inactive relu: the term is zero, and skipping it keeps
//     the sign of a zero sum well defined);
//   - a back-propagated δ sums float64(δ_o·W[o][i]) over output units o in
//     increasing order, skipping δ_o = 0, then multiplies by the activation's
//     derivative.
//
// Parallel work is split by output units, never by examples: worker k of w
// owns units [k·n/w, (k+1)·n/w) of every split layer, computes their
// activations, their weight gradients and (BackwardStep) their update, and
// adds their terms to the back-propagated δ in a pipeline after worker k−1
// (backpropStage). Every number is computed by the same sequence of
// operations on any number of workers, and a worker's rows of W and of the
// gradient never leave its core's caches.
//
// The work runs on detmath's batched kernels (Dots for the forward pass,
// AxpyN for weight gradients and back-propagation; AVX2 assembly on amd64,
// the same bits in pure Go elsewhere) over loops blocked for the caches;
// blocking only changes which elements are computed when, never the order
// of the operations on one element. TestMLPMatchesNaiveOrder checks every
// result against a one-number-at-a-time reference.
type MLP struct {
	sizes  []int // input, hidden..., classes
	act    string
	params []float64
	wOff   []int // offset of each layer's W in params
	bOff   []int // offset of each layer's b

	workers int
	team    *team // workers−1 helper goroutines, started by the first parallel region

	// inputGrad makes Backward also compute dIn[b] = ∂loss/∂x_b (the tokens
	// model back-propagates into its embeddings through it).
	inputGrad bool
	dIn       [][]float64

	// Batch buffers, grown on demand and reused: no allocation per step.
	batch int
	acts  [][][]float64 // acts[l][b]: layer l's output (acts[0] aliases the inputs)
	pre   [][][]float64 // gelu only: pre[l][b], layer l's pre-activations (gelu' needs z, not gelu(z))
	delta [][][]float64 // delta[l][b]: ∂loss/∂pre-activation of layer l+1's units
	probs [][]float64
	one   [][]float64
	cur   int       // examples in the current batch
	grad  []float64 // Backward's destination while it runs

	// BackwardStep's optimizer and batch size while it runs (nil for
	// Backward): each worker updates the rows its jobs own.
	upd      RangeStepper
	updBatch int

	// Scratch for the batched kernels, sized in grow for the widest layer:
	// wRows[o] is W's row o of the layer at hand; gAlpha/gX[o*B:] list the
	// examples whose δ_o is non-zero (weight gradients), gCnt[o] how many;
	// bAlpha/bRow[b*maxOut+o0:] list, for example b and the block of units
	// starting at o0, the units whose δ is non-zero (back-propagation), and
	// bCnt[b*maxOut+o0] how many.
	wRows  [][]float64
	gAlpha []float64
	gX     [][]float64
	gCnt   []int
	bAlpha []float64
	bRow   [][]float64
	bCnt   []int
	lab    [1]int
	dst    [1][]float64

	// stages[k] counts the column chunks of a back-propagation that worker
	// k has added its units' terms to (backpropStage); parallelMin is the
	// threshold of parallel, a field so that tests can split small layers.
	stages      []stage
	parallelMin int

	// traced, when set (by a benchmark), is called as each region of a
	// step starts and ends: shared/ has no clock.
	traced func(job, l int, end bool)
}

// stage is one worker's progress through a back-propagation, alone on its
// cache line: the next worker polls it while this one advances it.
type stage struct {
	event
	_ [40]byte
}

// Softmax is the MLP without hidden layers: logits = Wx + b.
type Softmax = MLP

// NewSoftmax returns a zero-initialized K-class softmax regression on
// D-dimensional inputs.
func NewSoftmax(k, d int) *MLP { return NewMLP([]int{d, k}, spec.ActReLU) }

// NewMLP returns a zero-initialized network with the given layer sizes
// (input first, classes last).
func NewMLP(sizes []int, act string) *MLP {
	if len(sizes) < 2 || sizes[len(sizes)-1] < 2 || sizes[0] < 0 {
		panic(fmt.Sprintf("model: mlp needs sizes [in, ..., classes >= 2], got %v", sizes))
	}
	m := &MLP{sizes: append([]int(nil), sizes...), act: act, workers: 1, parallelMin: parallelMin}
	n := 0
	for l := 1; l < len(sizes); l++ {
		if sizes[l] < 1 {
			panic(fmt.Sprintf("model: mlp layer %d has width %d", l, sizes[l]))
		}
		m.wOff = append(m.wOff, n)
		n += sizes[l] * sizes[l-1]
		m.bOff = append(m.bOff, n)
		n += sizes[l]
	}
	m.params = make([]float64, n)
	return m
}

// Kind is "softmax" without hidden layers, "mlp" otherwise.
func (m *MLP) Kind() string {
	if len(m.sizes) == 2 {
		return spec.ModelSoftmax
	}
	return spec.ModelMLP
}

// Shape is the layer sizes, then 0 for relu or 1 for tanh when hidden
// layers exist; softmax regression's shape is [K, D] as in version 1.
func (m *MLP) Shape() []int64 {
	if len(m.sizes) == 2 {
		return []int64{int64(m.sizes[1]), int64(m.sizes[0])}
	}
	out := make([]int64, 0, len(m.sizes)+1)
	for _, s := range m.sizes {
		out = append(out, int64(s))
	}
	act := int64(0)
	switch m.act {
	case spec.ActTanh:
		act = 1
	case spec.ActGELU:
		act = 2
	}
	return append(out, act)
}

func (m *MLP) NumClasses() int   { return m.sizes[len(m.sizes)-1] }
func (m *MLP) InputDim() int     { return m.sizes[0] }
func (m *MLP) Params() []float64 { return m.params }

// SetWorkers sets how many goroutines large layers are split across. It
// changes speed only, never a bit of the results.
func (m *MLP) SetWorkers(n int) {
	if n = max(1, n); n != m.workers && m.team != nil {
		m.team.stop()
		m.team = nil
	}
	m.workers = n
}

func (m *MLP) layers() int { return len(m.sizes) - 1 }

func (m *MLP) weights(l int) []float64 {
	return m.params[m.wOff[l] : m.wOff[l]+m.sizes[l+1]*m.sizes[l]]
}

func (m *MLP) biases(l int) []float64 { return m.params[m.bOff[l] : m.bOff[l]+m.sizes[l+1]] }

// grow makes the batch buffers hold at least b examples.
func (m *MLP) grow(b int) {
	if b <= m.batch {
		return
	}
	L := m.layers()
	m.acts = make([][][]float64, L+1)
	m.delta = make([][][]float64, L)
	for l := 0; l <= L; l++ {
		m.acts[l] = make([][]float64, b)
		if l > 0 {
			for i := range m.acts[l] {
				m.acts[l][i] = make([]float64, m.sizes[l])
			}
		}
		if l < L {
			m.delta[l] = make([][]float64, b)
			for i := range m.delta[l] {
				m.delta[l][i] = make([]float64, m.sizes[l+1])
			}
		}
	}
	if m.act == spec.ActGELU {
		m.pre = make([][][]float64, L+1)
		for l := 1; l < L; l++ {
			m.pre[l] = make([][]float64, b)
			for i := range m.pre[l] {
				m.pre[l][i] = make([]float64, m.sizes[l])
			}
		}
	}
	m.probs = make([][]float64, b)
	maxOut := slices.Max(m.sizes[1:])
	m.wRows = make([][]float64, maxOut)
	m.gAlpha, m.gX, m.gCnt = make([]float64, maxOut*b), make([][]float64, maxOut*b), make([]int, maxOut)
	m.bAlpha, m.bRow, m.bCnt = make([]float64, b*maxOut), make([][]float64, b*maxOut), make([]int, b*maxOut)
	if m.inputGrad {
		m.dIn = make([][]float64, b)
		for i := range m.dIn {
			m.dIn[i] = make([]float64, m.sizes[0])
		}
	}
	m.batch = b
}

// Jobs that parallel splits across workers.
const (
	jobForward  = iota // units of layer l: pre-activations and activations
	jobGrad            // units of layer l: weight and bias gradients (layer 0 without inputGrad)
	jobBackward        // units of layer l: their weight gradients and their stage of the back-propagation
)

// parallelMin is the number of multiply-adds below which a job runs on the
// calling goroutine alone: with the vector kernels 2^20 of them take about
// 0.1 ms, and a smaller job gains less than waking a second worker costs
// on a busy machine (64→256→10 at batch 32 stays on one goroutine).
const parallelMin = 1 << 20

// parallel runs job for layer l on up to m.workers goroutines, worker k of
// w taking the k-th of w contiguous shares of layer l's units, when the job
// (macs multiply-adds) is large enough to pay for the goroutines. Every
// job splits by the same units, so a worker touches the same rows of W
// and of its gradient in every region of a step (they stay in its core's
// caches); what crosses cores is activations and δ. The results never
// depend on the split: each index has its own outputs and a fixed order
// of operations. No closure is built, so nothing is allocated on the
// sequential path.
func (m *MLP) parallel(macs, job, l int) {
	if m.traced == nil {
		m.region(macs, job, l)
		return
	}
	m.traced(job, l, false)
	m.region(macs, job, l)
	m.traced(job, l, true)
}

func (m *MLP) region(macs, job, l int) {
	w := m.workers
	if w <= 1 || macs < m.parallelMin {
		m.run(job, l, 0, 1)
		return
	}
	if m.team == nil {
		m.team = newTeam(m, w-1)
	}
	if len(m.stages) < w {
		m.stages = make([]stage, w)
		for k := range m.stages {
			m.stages[k].event = newEvent()
		}
	}
	for k := range w {
		m.stages[k].n.Store(0) // before the posts below, which publish it
	}
	var posted [8]uint64
	targets := posted[:0]
	for k, h := range m.team.helpers {
		targets = append(targets, h.post(m, job, l, k+1, w))
	}
	m.run(job, l, 0, w)
	// Shares no helper has started are run here, in increasing k, so that
	// a stage of the back-propagation never waits for a later one.
	for k, h := range m.team.helpers {
		if h.take(targets[k]) {
			m.run(job, l, k+1, w)
			targets[k] = 0 // nothing to wait for (job numbers start at 1)
		}
	}
	for k, h := range m.team.helpers {
		if targets[k] != 0 {
			h.wait(targets[k])
		}
	}
}

// run is worker k of w's share of job for layer l: units [k·n/w, (k+1)·n/w)
// of its n outputs.
func (m *MLP) run(job, l, k, w int) {
	nout := m.sizes[l+1]
	lo, hi := k*nout/w, (k+1)*nout/w
	if job != jobForward && l < m.layers()-1 {
		// The back-propagation through layer l+1 left the sums of layer l's
		// δ; each worker multiplies its own units' by the activation's
		// derivative before it reads them (they and the activations are
		// in its caches, and the work is split like the rest).
		m.derive(l+1, m.delta[l][:m.cur], lo, hi)
	}
	switch job {
	case jobForward:
		m.forwardRange(l, lo, hi)
	case jobGrad:
		m.gradRange(l, lo, hi)
	case jobBackward:
		// The first stage of the back-propagation waits for no one and the
		// others wait for the stage before theirs, so worker 0 adds its
		// terms first and the others compute their weight gradients while
		// it does: with two workers neither ever waits.
		m.listBackprop(l, lo, hi)
		if k == 0 {
			m.backpropStage(l, k, w, lo, hi)
			m.gradRange(l, lo, hi)
		} else {
			m.gradRange(l, lo, hi)
			m.backpropStage(l, k, w, lo, hi)
		}
	}
	if m.upd != nil && job != jobForward {
		m.update(l, lo, hi)
	}
}

// update applies BackwardStep's optimizer to units [lo, hi) of layer l (their
// rows of W and their biases) and clears their gradient. The rows are this
// worker's alone in the whole region: its gradient job has finished them
// and only its own stage of the back-propagation read them.
func (m *MLP) update(l, lo, hi int) {
	nin := m.sizes[l]
	for _, r := range [2][2]int{{m.wOff[l] + lo*nin, m.wOff[l] + hi*nin}, {m.bOff[l] + lo, m.bOff[l] + hi}} {
		m.upd.StepRange(m.params, m.grad, m.updBatch, r[0], r[1])
		clear(m.grad[r[0]:r[1]])
	}
}

// Probs computes p(·|x) into dst.
func (m *MLP) Probs(dst, x []float64) {
	if m.one == nil {
		m.one = make([][]float64, 1)
	}
	m.one[0] = x
	m.dst[0] = dst
	m.Forward(m.dst[:], m.one)
}

// Forward computes p(·|x_b) into probs[b] for a batch, keeping the
// activations Backward needs.
func (m *MLP) Forward(probs, xs [][]float64) {
	B := len(xs)
	if len(probs) != B {
		panic(fmt.Sprintf("model: mlp forward: %d outputs for %d inputs", len(probs), B))
	}
	m.grow(B)
	for b, x := range xs {
		if len(x) != m.sizes[0] || len(probs[b]) != m.NumClasses() {
			panic(fmt.Sprintf("model: mlp shape mismatch: x %d (want %d), dst %d (want %d)", len(x), m.sizes[0], len(probs[b]), m.NumClasses()))
		}
		m.acts[0][b] = x
		m.probs[b] = probs[b]
	}
	m.cur = B
	for l := 0; l < m.layers(); l++ {
		m.parallel(B*m.sizes[l]*m.sizes[l+1], jobForward, l)
	}
	for b := 0; b < B; b++ {
		detmath.Softmax(probs[b], probs[b])
	}
}

// forwardRange computes units [lo, hi) of layer l for the current batch:
// every pre-activation is detmath.Dot(W row, input) (detmath.Dots, which
// tiles rows by examples so that both stay in registers), then + b.
func (m *MLP) forwardRange(l, lo, hi int) {
	B, L := m.cur, m.layers()
	in, out := m.acts[l][:B], m.acts[l+1][:B]
	if l == L-1 {
		out = m.probs[:B]
	}
	W, bias, nin := m.weights(l), m.biases(l), m.sizes[l]
	rows := m.wRows[lo:hi]
	for o := range rows {
		rows[o] = W[(lo+o)*nin : (lo+o+1)*nin]
	}
	detmath.Dots(out, lo, rows, in)
	hidden := l < L-1
	var pre [][]float64
	if hidden && m.pre != nil {
		pre = m.pre[l+1][:B]
	}
	relu := m.act != spec.ActTanh && m.act != spec.ActGELU
	for b := range B {
		v, c := out[b][lo:hi], bias[lo:hi]
		c = c[:len(v)]
		for o := range v {
			v[o] += c[o]
		}
		switch {
		case !hidden:
		case relu:
			for o, z := range v {
				v[o] = reluOf(z)
			}
		default:
			if pre != nil {
				copy(pre[b][lo:hi], v)
			}
			for o, z := range v {
				v[o] = m.activate(z)
			}
		}
	}
}

// reluOf is z if z > 0, else +0 (NaN included), without a branch: the
// sign of a hidden unit is as good as random, so a branch mispredicts half
// the time.
func reluOf(z float64) float64 {
	bits, r := math.Float64bits(z), uint64(0)
	if bits-1 < 0x7ff0000000000000 { // 0 < z <= +Inf
		r = bits
	}
	return math.Float64frombits(r)
}

// reluSlope is relu's derivative written in terms of its output a: 1 if
// a > 0, else 0, without a branch.
func reluSlope(a float64) float64 {
	r := uint64(0)
	if math.Float64bits(a)-1 < 0x7ff0000000000000 {
		r = 0x3ff0000000000000 // 1.0
	}
	return math.Float64frombits(r)
}

func (m *MLP) activate(z float64) float64 {
	if m.act == spec.ActTanh {
		return detmath.Tanh(z)
	}
	if m.act == spec.ActGELU {
		return gelu(z)
	}
	if z > 0 {
		return z
	}
	return 0
}

// derivative is act'(z) written in terms of the activation a = act(z).
func (m *MLP) derivative(a float64) float64 {
	if m.act == spec.ActTanh {
		return 1 - float64(a*a)
	}
	if a > 0 {
		return 1
	}
	return 0
}

// Backward adds Σ_b ∇θ −ln p(labels[b]|x_b) into grad for the batch of the
// last Forward, whose probabilities it reads from that call's outputs.
func (m *MLP) Backward(grad []float64, labels []int) {
	m.backward(grad, labels)
}

// RangeStepper is the update of an elementwise optimizer
// (train.Elementwise, after its BeginStep): params[lo:hi] from gradSum, each
// coordinate on its own, so that ranges may be updated in any order and on
// any goroutine.
type RangeStepper interface {
	StepRange(params, gradSum []float64, batchSize, lo, hi int)
}

// StepFuser is a model whose backward pass can apply the optimizer's update
// itself, each worker to the parameters it has just computed the gradient
// of, so that they never leave its core's caches.
type StepFuser interface {
	Differentiable
	// BackwardStep is Backward into grad (zero on entry), then
	// opt.StepRange over every parameter once with batchSize, then
	// clear(grad): the bits of those three, in less time.
	BackwardStep(grad []float64, labels []int, opt RangeStepper, batchSize int)
}

// BackwardStep is Backward, then opt's update of every parameter, then the
// clearing of grad. Layer l's rows are updated by the worker that owns
// them as soon as its region of the backward pass is done with them: the
// back-propagation through layer l reads only its own rows of W
// (backpropStage), and the layers below do not read W_l. grad must be zero
// on entry, as after the previous step.
func (m *MLP) BackwardStep(grad []float64, labels []int, opt RangeStepper, batchSize int) {
	if len(grad) != len(m.params) {
		panic(fmt.Sprintf("model: mlp backward step: %d gradients for %d parameters", len(grad), len(m.params)))
	}
	m.upd, m.updBatch = opt, batchSize
	m.backward(grad, labels)
	m.upd = nil
}

func (m *MLP) backward(grad []float64, labels []int) {
	B := len(labels)
	L := m.layers()
	K := m.NumClasses()
	for b := 0; b < B; b++ {
		d, p := m.delta[L-1][b], m.probs[b]
		copy(d, p[:K])
		d[labels[b]] -= 1
	}
	m.cur, m.grad = B, grad
	for l := L - 1; l >= 0; l-- {
		macs := B * m.sizes[l] * m.sizes[l+1]
		if l > 0 || m.inputGrad {
			m.parallel(2*macs, jobBackward, l)
		} else {
			m.parallel(macs, jobGrad, l)
		}
	}
	m.grad = nil
}

// Cache blocking of the batched kernels. A weight-gradient pass covers
// gradIn inputs at a time, so that those columns of the whole batch's
// activations stay in L1 across the output units; back-propagation covers
// blocks of bpOut units by bpIn inputs, a piece of W that stays in L1
// across the batch. Blocking reorders only which elements are computed
// when, never the operations on one element.
const (
	gradIn = 128
	bpOut  = 64
	bpIn   = 64
)

// gradRange adds the gradients of units [lo, hi) of layer l.
func (m *MLP) gradRange(l, lo, hi int) {
	B, nin, nout := m.cur, m.sizes[l], m.sizes[l+1]
	in, dl := m.acts[l][:B], m.delta[l][:B]
	gW := m.grad[m.wOff[l] : m.wOff[l]+nout*nin]
	gb := m.grad[m.bOff[l] : m.bOff[l]+nout]
	for o := lo; o < hi; o++ {
		// The list is compacted without a branch (a slot is kept when
		// δ != 0), then the bias sums it in example order.
		alpha, xs := m.gAlpha[o*B:(o+1)*B], m.gX[o*B:(o+1)*B]
		k := 0
		for b, x := range in {
			d := dl[b][o]
			alpha[k], xs[k] = d, x
			if d != 0 {
				k++
			}
		}
		m.gCnt[o] = k
		acc := gb[o]
		for _, d := range alpha[:k] {
			acc += d
		}
		gb[o] = acc
	}
	for i0 := 0; i0 < nin; i0 += gradIn {
		i1 := min(i0+gradIn, nin)
		for o := lo; o < hi; o++ {
			k := m.gCnt[o]
			detmath.AxpyN(gW[o*nin+i0:o*nin+i1], m.gAlpha[o*B:o*B+k], m.gX[o*B:o*B+k], i0)
		}
	}
}

// listBackprop lists, for every example b of the batch, the units o in
// [lo, hi) of layer l+1 with non-zero δ_o in increasing o (coefficient and
// W's row), block of bpOut units after block, for backpropStage to read.
// Each worker lists its own units: the lists stay in its core's caches.
func (m *MLP) listBackprop(l, lo, hi int) {
	B, nin := m.cur, m.sizes[l]
	W, dl := m.weights(l), m.delta[l]
	maxOut := len(m.wRows)
	for b := range B {
		d := dl[b]
		for o0 := lo; o0 < hi; o0 += bpOut {
			o1 := min(o0+bpOut, hi)
			s := b*maxOut + o0
			alpha, rows := m.bAlpha[s:s+o1-o0], m.bRow[s:s+o1-o0]
			k := 0
			for o := o0; o < o1; o++ {
				// Compacted without a branch: the slot is kept when δ != 0.
				alpha[k], rows[k] = d[o], W[o*nin:(o+1)*nin:(o+1)*nin]
				if d[o] != 0 {
					k++
				}
			}
			m.bCnt[s] = k
		}
	}
}

// backpropStage is worker k of w's stage of the back-propagation through
// layer l: every δ_prev[b][i] sums float64(δ_o·W[o][i]) over the units o
// with non-zero δ_o in increasing order (detmath.AxpyN), so worker k, which
// holds units [lo, hi), adds its terms to a column chunk once worker k−1
// has added its own, and worker 0 starts from zero. The stages pipeline
// over chunks of bpIn columns: each worker reads only its own rows of W
// (the ones its forward and gradient jobs use), and only the partial sums
// cross cores. The activation's derivative is applied by the next region
// (run); for l = 0 (inputGrad) δ_prev is ∂loss/∂x itself, with no
// derivative. A chunk's piece of W (bpOut units by bpIn inputs) stays in
// L1 across the batch.
func (m *MLP) backpropStage(l, k, w, lo, hi int) {
	B, nin := m.cur, m.sizes[l]
	var prev [][]float64
	if l > 0 {
		prev = m.delta[l-1][:B]
	} else {
		prev = m.dIn[:B]
	}
	maxOut := len(m.wRows)
	for c, i0 := int64(1), 0; i0 < nin; c, i0 = c+1, i0+bpIn {
		i1 := min(i0+bpIn, nin)
		if k == 0 {
			for b := range B {
				clear(prev[b][i0:i1])
			}
		} else {
			m.stages[k-1].await(c)
		}
		for o0 := lo; o0 < hi; o0 += bpOut {
			for b := range B {
				s := b*maxOut + o0
				if n := m.bCnt[s]; n > 0 {
					detmath.AxpyN(prev[b][i0:i1], m.bAlpha[s:s+n], m.bRow[s:s+n], i0)
				}
			}
		}
		if w > 1 {
			m.stages[k].set(c)
		}
	}
}

// derive multiplies the back-propagated sums δ_prev[b][i0:i1] into layer
// l's units by the activation's derivative at those units.
func (m *MLP) derive(l int, prev [][]float64, i0, i1 int) {
	if m.act == spec.ActGELU {
		for b := range prev {
			dp, z := prev[b][i0:i1], m.pre[l][b][i0:i1]
			for i := range dp {
				dp[i] = float64(dp[i] * geluDerivative(z[i]))
			}
		}
		return
	}
	in := m.acts[l]
	relu := m.act != spec.ActTanh
	for b := range prev {
		dp, a := prev[b][i0:i1], in[b][i0:i1]
		a = a[:len(dp)]
		if relu {
			for i := range dp {
				dp[i] = float64(dp[i] * reluSlope(a[i]))
			}
			continue
		}
		for i := range dp {
			dp[i] = float64(dp[i] * m.derivative(a[i]))
		}
	}
}

// AddGrad adds the gradient of −ln p(label|x) for one example into grad.
// probs must be Probs(x) under the current parameters.
func (m *MLP) AddGrad(grad, x, probs []float64, label int) {
	m.Probs(probs, x)
	m.lab[0] = label
	m.Backward(grad, m.lab[:])
}

// GELU in its tanh form (PyTorch's approximate="tanh"), so that no erf is
// needed: gelu(z) = ½·z·(1 + tanh(u)), u = √(2/π)·(z + 0.044715·z³).
// Every product is rounded before it is added, so no architecture fuses a
// multiply-add.
const (
	geluC = 0.7978845608028654 // √(2/π)
	geluA = 0.044715
)

func geluU(z float64) float64 {
	z3 := float64(float64(z*z) * z)
	return float64(geluC * (z + float64(geluA*z3)))
}

func gelu(z float64) float64 {
	t := detmath.Tanh(geluU(z))
	return float64(float64(0.5*z) * (1 + t))
}

// geluDerivative is d gelu/dz = ½(1 + t) + ½·z·(1 − t²)·√(2/π)·(1 + 3·0.044715·z²).
func geluDerivative(z float64) float64 {
	t := detmath.Tanh(geluU(z))
	du := float64(geluC * (1 + float64(float64(3*geluA)*float64(z*z))))
	return float64(0.5*(1+t)) + float64(float64(float64(0.5*z)*(1-float64(t*t)))*du)
}
