package detmath

import "math"

// Batched kernels: many dot products or many scaled additions in one call,
// for the matrix-shaped work of a layer over a minibatch. Each output
// element gets exactly the operations, in exactly the order, of the
// one-at-a-time kernel named in its documentation (Dot, Axpy), so callers
// may switch between them without changing a bit.
//
// On amd64 with AVX2 (and without the noasm build tag) they run assembly
// that holds four lanes in one 256-bit register: lane k of the register is
// lane k of the 4-lane scheme, products are rounded by VMULPD and summed by
// a separate VADDPD (never a fused multiply-add), and the final
// (l0+l1)+(l2+l3) is one VHADDPD and one VADDPD.
// Elsewhere, or with -tags noasm, the pure-Go kernels run. TestBatch* prove
// that both give the same bits on random shapes, ragged tails included.

// Dots sets dst[j][at+i] = Dot(a[i], b[j]) for every i < len(a) and
// j < len(b), bit for bit. Every a[i] and b[j] must have the same length,
// and every dst[j] at least at+len(a) elements; otherwise it panics with
// "detmath: length mismatch". No dst[j] may overlap an a[i] or a b[j].
func Dots(dst [][]float64, at int, a, b [][]float64) {
	if len(dst) != len(b) || at < 0 {
		panic("detmath: length mismatch")
	}
	if len(a) == 0 || len(b) == 0 {
		return
	}
	n := len(a[0])
	for _, v := range a {
		if len(v) != n {
			panic("detmath: length mismatch")
		}
	}
	for j, v := range b {
		if len(v) != n || len(dst[j]) < at+len(a) {
			panic("detmath: length mismatch")
		}
	}
	if useAVX2 && n > 0 {
		dotsAVX2(dst, at, a, b, n)
		return
	}
	dotsGo(dst, at, a, b)
}

// dotsGo is Dots in pure Go: pairs of b share a pass over a[i] (Dot2).
func dotsGo(dst [][]float64, at int, a, b [][]float64) {
	for i, row := range a {
		j := 0
		for ; j+1 < len(b); j += 2 {
			dst[j][at+i], dst[j+1][at+i] = Dot2(row, b[j], b[j+1])
		}
		if j < len(b) {
			dst[j][at+i] = Dot(row, b[j])
		}
	}
}

// AxpyN adds alpha[k]·x[k][at:at+len(dst)] to dst for k = 0, 1, ... in
// increasing k: dst[i] += float64(alpha[k]*x[k][at+i]), bit for bit the
// same as calling Axpy(dst, alpha[k], x[k][at:at+len(dst)]) for each k in
// turn. It panics with "detmath: length mismatch" if len(alpha) != len(x)
// or some x[k] is shorter than at+len(dst). dst must not overlap any x[k].
func AxpyN(dst, alpha []float64, x [][]float64, at int) {
	if len(alpha) != len(x) || at < 0 {
		panic("detmath: length mismatch")
	}
	n := len(dst)
	for _, v := range x {
		if len(v) < at+n {
			panic("detmath: length mismatch")
		}
	}
	if len(x) == 0 || n == 0 {
		return
	}
	if useAVX2 && n >= 4 {
		n4 := n &^ 3
		axpyNAVX2(&dst[0], n4, &alpha[0], &x[0], len(x), at)
		if n4 == n {
			return
		}
		dst, at = dst[n4:], at+n4
	}
	axpyNGo(dst, alpha, x, at)
}

// axpyNGo is AxpyN in pure Go: pairs of terms share a pass over dst
// (Axpy2, whose per-element order is that of two Axpy calls).
func axpyNGo(dst, alpha []float64, x [][]float64, at int) {
	n := len(dst)
	k := 0
	for ; k+1 < len(x); k += 2 {
		Axpy2(dst, alpha[k], x[k][at:at+n], alpha[k+1], x[k+1][at:at+n])
	}
	if k < len(x) {
		Axpy(dst, alpha[k], x[k][at:at+n])
	}
}

// SubScaledQuotient sets dst[i] -= float64(lr*(g[i]/d)) for every i: plain
// SGD's update with the division by the batch size done element by element,
// as train.SGD has always done it. When d is a power of two whose
// reciprocal is a normal number, g[i]/d is computed as g[i]*(1/d), which is
// the same correctly rounded value of the same real number, bit for bit,
// and several times cheaper. It panics with "detmath: length mismatch" if
// len(dst) != len(g).
func SubScaledQuotient(dst []float64, lr float64, g []float64, d float64) {
	if len(dst) != len(g) {
		panic("detmath: length mismatch")
	}
	r, exact := exactReciprocal(d)
	if useAVX2 && len(dst) >= 4 {
		n4 := len(dst) &^ 3
		if exact {
			subScaledProductAVX2(&dst[0], n4, lr, &g[0], r)
		} else {
			subScaledQuotientAVX2(&dst[0], n4, lr, &g[0], d)
		}
		dst, g = dst[n4:], g[n4:]
	}
	g = g[:len(dst)]
	if exact {
		for i := range dst {
			dst[i] -= float64(lr * float64(g[i]*r))
		}
		return
	}
	for i := range dst {
		dst[i] -= float64(lr * (g[i] / d))
	}
}

// exactReciprocal returns 1/d and whether x/d == x*(1/d) for every x: true
// when d and 1/d are both normal powers of two (then 1/d is exact, and
// both sides round the same real number once).
func exactReciprocal(d float64) (float64, bool) {
	const mant = 1<<52 - 1
	r := 1 / d
	bd, br := math.Float64bits(d), math.Float64bits(r)
	normal := func(b uint64) bool { return (b>>52)&0x7ff-1 < 0x7fe }
	return r, bd&mant == 0 && br&mant == 0 && normal(bd) && normal(br)
}
