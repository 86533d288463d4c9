package model

import (
	"fmt"
	"math"
	"sync"

	"github.com/edlwire/edlwire/shared/detmath"
	"github.com/edlwire/edlwire/shared/spec"
)

// CNN is a LeNet-style network on square one-channel images: convolutional
// layers, each a kernel×kernel convolution with same (zero) padding, relu
// and a 2×2 max-pool of stride 2 (the side halves, rounding down), then the
// flattened feature map (channel-major: channel, row, column) feeds an MLP
// head (its Hidden relu layers, then a softmax over the classes). The head
// is an MLP value, so its arithmetic, summation order and worker split are
// the MLP's.
//
// Canonical layout: for each convolution from the input side, W row-major
// (out-channel rows of in·kernel·kernel, ordered in-channel, kernel row,
// kernel column), then b (out); then the head's parameters in the MLP's
// layout.
//
// Convolutions run as im2col on the dense kernels, so every number is a
// detmath.Dot (four lanes, fixed tree) or a detmath.Axpy in a fixed order,
// computed by their batched forms (detmath.Dots, detmath.AxpyN: AVX2
// assembly where there is AVX2, the same bits as the scalar kernels):
//   - a pre-activation is Dot(W row, patch) + b, the patch zero-padded;
//   - max-pool keeps the first maximum of its window in row-major order,
//     and routes the gradient to it alone;
//   - a weight's gradient sums float64(δ·patch) over the batch's examples in
//     order and, within one, over positions in row-major order, skipping
//     δ = 0 (as the MLP does); its bias the δ in the same order;
//   - a patch's gradient sums float64(δ_o·W_o) over out-channels o in
//     increasing order, and an input pixel's gradient sums its patches'
//     entries over positions in row-major order, then kernel offsets in
//     layout order.
//
// Work is split across goroutines by examples where examples are
// independent (forward passes, back-propagation within an example), and by
// out-channels for the weight gradients; every sum over examples runs whole
// on one goroutine in example order. So any number of workers computes the
// same bits.
type CNN struct {
	side, kernel int
	conv         []int // out-channels per convolution
	params       []float64
	wOff, bOff   []int // each convolution's W and b in params
	nConv        int   // parameters of the convolutions (the head's start)
	head         *MLP
	workers      int

	// Per layer l: input side sides[l] (sides[len(conv)] is the head's),
	// input channels chans[l].
	sides, chans []int
	// taps[l][pos·patch + i] is the input index that patch entry i of
	// position pos reads (-1: zero padding): im2col and its transpose
	// share one table.
	taps [][]int32

	// Batch buffers, grown on demand: per example b and layer l.
	batch int
	cols  [][][]float64 // cols[l][b]: im2col patches, positions × (in·k·k)
	pre   [][][]float64 // pre[l][b]: pre-activations, out × positions
	arg   [][][]int32   // arg[l][b]: the pooled window's maximum, position index, out × pooled
	outs  [][][]float64 // outs[l][b]: pooled activations, layer l+1's input
	dOut  [][][]float64 // dOut[l][b]: ∂loss/∂outs[l][b]
	dPre  [][][]float64 // dPre[l][b]: ∂loss/∂pre[l][b]
	dCol  [][]float64   // per example: ∂loss/∂ one position's patch (scratch)
	// Row views for the batched kernels (detmath.Dots, detmath.AxpyN):
	// colRows[l][b][pos] is position pos's patch in cols[l][b],
	// preRows[l][b][o] out-channel o's pre-activations in pre[l][b].
	colRows, preRows [][][][]float64
	wr               [][][]float64 // wr[l][o]: convolution l's weight row for out-channel o
	// Scratch lists of scaled rows: per example (back-propagation runs
	// examples in parallel) and per worker (the weight gradients run
	// out-channels in parallel).
	bAlpha [][]float64
	bRows  [][][]float64
	gAlpha [][]float64
	gRows  [][][]float64
	ins    [][]float64 // the batch's inputs
	cur    int
	one    [1][]float64
	dst    [1][]float64
}

// NewCNN returns a zero-initialized CNN on side×side images with the given
// convolution channels and odd kernel side, dense hidden widths and classes.
func NewCNN(side, kernel int, conv, hidden []int, classes int) *CNN {
	if side < 1 || kernel < 1 || kernel%2 == 0 || len(conv) == 0 || side>>len(conv) < 1 {
		panic(fmt.Sprintf("model: cnn needs side >= 2^layers, an odd kernel and layers, got side %d, kernel %d, conv %v", side, kernel, conv))
	}
	m := &CNN{side: side, kernel: kernel, conv: append([]int(nil), conv...), workers: 1}
	in, s, n := 1, side, 0
	for _, c := range conv {
		if c < 1 {
			panic(fmt.Sprintf("model: cnn layer of %d channels", c))
		}
		m.sides, m.chans = append(m.sides, s), append(m.chans, in)
		m.wOff = append(m.wOff, n)
		n += c * in * kernel * kernel
		m.bOff = append(m.bOff, n)
		n += c
		in, s = c, s/2
	}
	m.sides, m.chans = append(m.sides, s), append(m.chans, in)
	m.nConv = n
	for l := range conv {
		m.taps = append(m.taps, taps(m.sides[l], m.chans[l], kernel))
	}
	sizes := append(append([]int{in * s * s}, hidden...), classes)
	m.head = NewMLP(sizes, spec.ActReLU)
	m.head.inputGrad = true
	m.params = make([]float64, n+len(m.head.params))
	m.head.params = m.params[n:]
	for l := range conv {
		m.wr = append(m.wr, rowsOf(m.params[m.wOff[l]:m.bOff[l]], m.patch(l)))
	}
	return m
}

// Kind is "cnn".
func (m *CNN) Kind() string { return spec.ModelCNN }

// Shape is [side, kernel, number of convolutions, their channels..., the
// head's layer sizes...].
func (m *CNN) Shape() []int64 {
	out := []int64{int64(m.side), int64(m.kernel), int64(len(m.conv))}
	for _, c := range m.conv {
		out = append(out, int64(c))
	}
	for _, s := range m.head.sizes {
		out = append(out, int64(s))
	}
	return out
}

func (m *CNN) NumClasses() int   { return m.head.NumClasses() }
func (m *CNN) InputDim() int     { return m.side * m.side }
func (m *CNN) Params() []float64 { return m.params }

// SetWorkers sets how many goroutines share the batch's examples and the
// head's large layers; the results are the same bits for any value.
func (m *CNN) SetWorkers(n int) {
	m.workers = max(1, n)
	m.head.SetWorkers(n)
}

func (m *CNN) patch(l int) int { return m.chans[l] * m.kernel * m.kernel }

func (m *CNN) grow(B int) {
	if B <= m.batch {
		return
	}
	L := len(m.conv)
	alloc := func(n int) [][]float64 {
		out := make([][]float64, B)
		for b := range out {
			out[b] = make([]float64, n)
		}
		return out
	}
	m.cols, m.pre, m.arg = make([][][]float64, L), make([][][]float64, L), make([][][]int32, L)
	m.colRows, m.preRows = make([][][][]float64, L), make([][][][]float64, L)
	m.outs, m.dOut, m.dPre = make([][][]float64, L), make([][][]float64, L), make([][][]float64, L)
	for l := 0; l < L; l++ {
		s, c, p := m.sides[l], m.conv[l], m.sides[l+1]
		m.cols[l] = alloc(s * s * m.patch(l))
		m.pre[l] = alloc(c * s * s)
		m.outs[l] = alloc(c * p * p)
		m.dOut[l] = alloc(c * p * p)
		m.dPre[l] = alloc(c * s * s)
		m.arg[l] = make([][]int32, B)
		for b := range m.arg[l] {
			m.arg[l][b] = make([]int32, c*p*p)
		}
		m.colRows[l], m.preRows[l] = make([][][]float64, B), make([][][]float64, B)
		for b := range B {
			m.colRows[l][b] = rowsOf(m.cols[l][b], m.patch(l))
			m.preRows[l][b] = rowsOf(m.pre[l][b], s*s)
		}
	}
	maxPatch := 0
	for l := 0; l < L; l++ {
		maxPatch = max(maxPatch, m.patch(l))
	}
	m.dCol = alloc(maxPatch)
	maxOut := 0
	for _, c := range m.conv {
		maxOut = max(maxOut, c)
	}
	m.bAlpha, m.bRows = alloc(maxOut), make([][][]float64, B)
	for b := range m.bRows {
		m.bRows[b] = make([][]float64, maxOut)
	}
	m.ins = make([][]float64, B)
	m.batch = B
}

// examples runs f over [0, B) split into contiguous ranges, one per
// worker; f must touch only its examples' buffers.
func (m *CNN) examples(B int, f func(lo, hi int)) {
	m.parts(B, func(_, lo, hi int) { f(lo, hi) })
}

// parts runs f(k, lo, hi) over [0, N) split into contiguous ranges, range
// k on worker k (k = 0 on the caller).
func (m *CNN) parts(N int, f func(k, lo, hi int)) {
	w := min(m.workers, N)
	if w <= 1 {
		f(0, 0, N)
		return
	}
	var wg sync.WaitGroup
	wg.Add(w - 1)
	for k := 1; k < w; k++ {
		go func(lo, hi int) { defer wg.Done(); f(k, lo, hi) }(k*N/w, (k+1)*N/w)
	}
	f(0, 0, N/w)
	wg.Wait()
}

// Probs computes p(·|x) into dst.
func (m *CNN) Probs(dst, x []float64) {
	m.one[0], m.dst[0] = x, dst
	m.Forward(m.dst[:], m.one[:])
}

// Forward runs the convolutions of every example of the batch, then the
// head on the flattened feature maps.
func (m *CNN) Forward(probs, xs [][]float64) {
	B := len(xs)
	if len(probs) != B {
		panic(fmt.Sprintf("model: cnn forward: %d outputs for %d inputs", len(probs), B))
	}
	m.grow(B)
	for b, x := range xs {
		if len(x) != m.InputDim() {
			panic(fmt.Sprintf("model: cnn: input of %d pixels, want %d", len(x), m.InputDim()))
		}
		m.ins[b] = x
	}
	m.cur = B
	m.examples(B, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			in := m.ins[b]
			for l := range m.conv {
				m.forwardLayer(l, b, in)
				in = m.outs[l][b]
			}
		}
	})
	m.head.Forward(probs, m.outs[len(m.conv)-1][:B])
}

// forwardLayer computes convolution l of example b from its input.
func (m *CNN) forwardLayer(l, b int, in []float64) {
	s, cout, p := m.sides[l], m.conv[l], m.sides[l+1]
	col := m.cols[l][b]
	// im2col: row pos = y·s + x holds the zero-padded patch around (y, x).
	for i, src := range m.taps[l] {
		if src < 0 {
			col[i] = 0
		} else {
			col[i] = in[src]
		}
	}
	bias := m.params[m.bOff[l] : m.bOff[l]+cout]
	pre := m.pre[l][b]
	n := s * s
	// pre[o][pos] = Dot(patch pos, W_o) + b_o: Dots is Dot bit for bit
	// (and a product's operands commute), on the AVX2 kernels where
	// there are.
	detmath.Dots(m.preRows[l][b], 0, m.colRows[l][b], m.wr[l])
	for o, c := range bias {
		for pos := range n {
			pre[o*n+pos] += c
		}
	}
	// relu then 2×2 max-pool: max(relu(z)) = relu(max z), first maximum
	// in row-major order.
	out, arg := m.outs[l][b], m.arg[l][b]
	for o := 0; o < cout; o++ {
		po := pre[o*n : (o+1)*n]
		for py := 0; py < p; py++ {
			top := 2 * py * s
			r0, r1 := po[top:top+s], po[top+s:top+2*s]
			for px := 0; px < p; px++ {
				x := 2 * px
				best, v := top+x, r0[x]
				if r0[x+1] > v {
					best, v = top+x+1, r0[x+1]
				}
				if r1[x] > v {
					best, v = top+s+x, r1[x]
				}
				if r1[x+1] > v {
					best, v = top+s+x+1, r1[x+1]
				}
				if !(v > 0) {
					v = 0
				}
				out[(o*p+py)*p+px], arg[(o*p+py)*p+px] = v, int32(best)
			}
		}
	}
}

// Backward adds the head's gradients and the convolutions' into grad for
// the first len(labels) examples of the last Forward's batch.
func (m *CNN) Backward(grad []float64, labels []int) {
	B := len(labels)
	if len(grad) != len(m.params) || B > m.cur {
		panic(fmt.Sprintf("model: cnn backward: %d grads for %d params, %d labels for a batch of %d", len(grad), len(m.params), B, m.cur))
	}
	m.head.Backward(grad[m.nConv:], labels)
	L := len(m.conv)
	for b := 0; b < B; b++ {
		copy(m.dOut[L-1][b], m.head.dIn[b])
	}
	for l := L - 1; l >= 0; l-- {
		m.examples(B, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				m.backLayer(l, b)
			}
		})
		m.gradLayer(grad, l, B)
	}
}

// backLayer routes example b's pooled gradient of layer l to the pre-
// activations and, below the first layer, back to layer l's input (the
// previous layer's dOut).
func (m *CNN) backLayer(l, b int) {
	s, cout, p := m.sides[l], m.conv[l], m.sides[l+1]
	n := s * s
	dPre, pre, arg, dOut := m.dPre[l][b], m.pre[l][b], m.arg[l][b], m.dOut[l][b]
	clear(dPre)
	for o := 0; o < cout; o++ {
		for j := 0; j < p*p; j++ {
			q := int(arg[o*p*p+j])
			if pre[o*n+q] > 0 {
				dPre[o*n+q] = dOut[o*p*p+j]
			}
		}
	}
	if l == 0 {
		return
	}
	// col2im of Σ_o δ_o·W_o, position by position in row-major order.
	P := m.patch(l)
	W := m.params[m.wOff[l] : m.wOff[l]+cout*P]
	dIn := m.dOut[l-1][b]
	clear(dIn)
	dc := m.dCol[b][:P]
	alpha, rows := m.bAlpha[b][:0], m.bRows[b][:0]
	for pos := 0; pos < s*s; pos++ {
		alpha, rows = alpha[:0], rows[:0]
		for o := 0; o < cout; o++ {
			if d := dPre[o*n+pos]; d != 0 {
				alpha, rows = append(alpha, d), append(rows, W[o*P:(o+1)*P])
			}
		}
		if len(alpha) == 0 {
			continue
		}
		// Axpy of each nonzero δ_o·W_o in increasing o, batched.
		clear(dc)
		detmath.AxpyN(dc, alpha, rows, 0)
		for i, dst := range m.taps[l][pos*P : (pos+1)*P] {
			if dst >= 0 {
				dIn[dst] += dc[i]
			}
		}
	}
}

// gradLayer adds layer l's weight and bias gradients over the batch, in
// example order and then position order. Out-channels are split across
// the workers: each parameter's sum runs whole on one goroutine, in that
// order, so the bits do not depend on the split.
func (m *CNN) gradLayer(grad []float64, l, B int) {
	s, cout, P := m.sides[l], m.conv[l], m.patch(l)
	n := s * s
	gW, gb := grad[m.wOff[l]:m.wOff[l]+cout*P], grad[m.bOff[l]:m.bOff[l]+cout]
	for len(m.gAlpha) < m.workers {
		m.gAlpha, m.gRows = append(m.gAlpha, nil), append(m.gRows, nil)
	}
	m.parts(cout, func(k, lo, hi int) {
		for o := lo; o < hi; o++ {
			alpha, rows := m.gAlpha[k][:0], m.gRows[k][:0]
			for b := 0; b < B; b++ {
				dPre := m.dPre[l][b][o*n : (o+1)*n]
				for pos, d := range dPre {
					if d == 0 {
						continue
					}
					gb[o] += d
					alpha, rows = append(alpha, d), append(rows, m.colRows[l][b][pos])
				}
			}
			// Axpy of each nonzero δ·patch in (example, position) order, batched.
			detmath.AxpyN(gW[o*P:(o+1)*P], alpha, rows, 0)
			m.gAlpha[k], m.gRows[k] = alpha, rows // keep the grown scratch
		}
	})
}

// rowsOf views x as rows of width w.
func rowsOf(x []float64, w int) [][]float64 {
	out := make([][]float64, len(x)/w)
	for i := range out {
		out[i] = x[i*w : (i+1)*w : (i+1)*w]
	}
	return out
}

// InitScales returns each parameter's multiplier of the spec's normal
// initialization: √(2/fan-in) for weights (He et al.: with init_scale 1
// every relu layer keeps its activations' scale, whatever its width), 0 for
// biases. One init_scale for all layers would leave a deep net's signal
// vanishing or exploding. math.Sqrt is correctly rounded on every
// architecture.
func (m *CNN) InitScales() []float64 {
	out := make([]float64, len(m.params))
	for l, c := range m.conv {
		fan := m.patch(l)
		v := math.Sqrt(2 / float64(fan))
		for i := m.wOff[l]; i < m.wOff[l]+c*fan; i++ {
			out[i] = v
		}
	}
	h := m.head
	for l := 0; l < h.layers(); l++ {
		v := math.Sqrt(2 / float64(h.sizes[l]))
		for i := h.wOff[l]; i < h.wOff[l]+h.sizes[l+1]*h.sizes[l]; i++ {
			out[m.nConv+i] = v
		}
	}
	return out
}

// taps builds the im2col index table of a side×side input of cin channels
// and a k×k kernel with same padding: entries in layout order (channel,
// kernel row, kernel column) for each position in row-major order.
func taps(side, cin, k int) []int32 {
	r := k / 2
	out := make([]int32, 0, side*side*cin*k*k)
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			for c := 0; c < cin; c++ {
				for dy := -r; dy <= r; dy++ {
					for dx := -r; dx <= r; dx++ {
						yy, xx := y+dy, x+dx
						if yy >= 0 && yy < side && xx >= 0 && xx < side {
							out = append(out, int32((c*side+yy)*side+xx))
						} else {
							out = append(out, -1)
						}
					}
				}
			}
		}
	}
	return out
}
