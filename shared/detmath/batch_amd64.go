//go:build !noasm

package detmath

import "golang.org/x/sys/cpu"

// useAVX2 selects the assembly kernels. AVX2 alone is required: the
// kernels use VMULPD and VADDPD, never a fused multiply-add, so the FMA
// feature (and GODEBUG=cpu.fma=off) changes nothing.
var useAVX2 = cpu.X86.HasAVX2

// dot2x4 stores Dot(a_r, b_c) at out[4r+c] for r < 2 and c < 4, bit for
// bit; every vector has n elements.
//
//go:noescape
func dot2x4(a0, a1, b0, b1, b2, b3 *float64, n int, out *[8]float64)

// dot4x1 stores Dot(a_r, b) at out[r] for r < 4, bit for bit; every vector
// has n elements.
//
//go:noescape
func dot4x1(a0, a1, a2, a3, b *float64, n int, out *[4]float64)

// axpyNAVX2 is AxpyN's loop over the first n elements of dst (n a multiple
// of 4): x points at k slice headers, each read from element at.
//
//go:noescape
func axpyNAVX2(dst *float64, n int, alpha *float64, x *[]float64, k, at int)

// subScaledQuotientAVX2 is SubScaledQuotient over the first n elements (n a
// multiple of 4).
//
//go:noescape
func subScaledQuotientAVX2(dst *float64, n int, lr float64, grad *float64, d float64)

// subScaledProductAVX2 sets dst[i] -= lr*(g[i]*r) over the first n
// elements (n a multiple of 4).
//
//go:noescape
func subScaledProductAVX2(dst *float64, n int, lr float64, grad *float64, r float64)

// dotsAVX2 is Dots with the assembly tiles: 2 rows of a by 4 of b at a
// time (eight independent 4-lane accumulators), columns of b left over by
// 4 rows at a time, rows left over by repeating the last one. Rows are the
// outer loop: a layer's weights (a) are read once per call while the
// batch's inputs (b), the smaller set, are reread from cache.
func dotsAVX2(dst [][]float64, at int, a, b [][]float64, n int) {
	var o8 [8]float64
	var o4 [4]float64
	last := len(a) - 1
	nb4 := len(b) &^ 3
	for i := 0; i < len(a); i += 2 {
		i1 := min(i+1, last)
		p, q := &a[i][0], &a[i1][0]
		for j := 0; j < nb4; j += 4 {
			dot2x4(p, q, &b[j][0], &b[j+1][0], &b[j+2][0], &b[j+3][0], n, &o8)
			d0, d1, d2, d3 := dst[j][at:], dst[j+1][at:], dst[j+2][at:], dst[j+3][at:]
			d0[i], d1[i], d2[i], d3[i] = o8[0], o8[1], o8[2], o8[3]
			d0[i1], d1[i1], d2[i1], d3[i1] = o8[4], o8[5], o8[6], o8[7]
		}
	}
	for j := nb4; j < len(b); j++ {
		d, p := dst[j][at:], &b[j][0]
		for i := 0; i < len(a); i += 4 {
			i1, i2, i3 := min(i+1, last), min(i+2, last), min(i+3, last)
			dot4x1(&a[i][0], &a[i1][0], &a[i2][0], &a[i3][0], p, n, &o4)
			d[i], d[i1], d[i2], d[i3] = o4[0], o4[1], o4[2], o4[3]
		}
	}
}
