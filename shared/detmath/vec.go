package detmath

import "math"

// The 4-lane summation scheme used by Dot, Sum, Softmax, LogSumExp and
// LogSoftmax:
//
//	lane[i%4] += term(i)    for i = 0, 1, ..., n-1 in increasing order
//	result = (lane[0] + lane[1]) + (lane[2] + lane[3])
//
// Every lane starts at +0. Tail elements (the last n%4 when n is not a
// multiple of 4) follow the same rule: element i goes to lane i%4, so the
// tail never gets a special path. The order of every floating-point
// addition is therefore a function of n alone.

func combine(l0, l1, l2, l3 float64) float64 {
	return (l0 + l1) + (l2 + l3)
}

// Dot returns the dot product of a and b using the fixed 4-lane scheme
// with each product explicitly rounded (lane[i%4] += float64(a[i]*b[i])).
// It panics with "detmath: length mismatch" if len(a) != len(b).
// Dot of empty slices is +0.
func Dot(a, b []float64) float64 {
	if len(a) != len(b) {
		panic("detmath: length mismatch")
	}
	var l0, l1, l2, l3 float64
	// Re-slicing by four lets the compiler drop the bounds checks; the lane
	// of element i is still i%4 because every step consumes four.
	for len(a) >= 4 && len(b) >= 4 {
		a4, b4 := a[:4:4], b[:4:4]
		l0 += float64(a4[0] * b4[0])
		l1 += float64(a4[1] * b4[1])
		l2 += float64(a4[2] * b4[2])
		l3 += float64(a4[3] * b4[3])
		a, b = a[4:], b[4:]
	}
	switch len(a) {
	case 3:
		l2 += float64(a[2] * b[2])
		fallthrough
	case 2:
		l1 += float64(a[1] * b[1])
		fallthrough
	case 1:
		l0 += float64(a[0] * b[0])
	}
	return combine(l0, l1, l2, l3)
}

// Sum returns the sum of x using the fixed 4-lane scheme
// (lane[i%4] += x[i]; (l0+l1)+(l2+l3)). Sum of an empty slice is +0.
func Sum(x []float64) float64 {
	var l0, l1, l2, l3 float64
	n := len(x)
	i := 0
	for ; i+4 <= n; i += 4 {
		l0 += x[i]
		l1 += x[i+1]
		l2 += x[i+2]
		l3 += x[i+3]
	}
	switch n - i {
	case 3:
		l2 += x[i+2]
		fallthrough
	case 2:
		l1 += x[i+1]
		fallthrough
	case 1:
		l0 += x[i]
	}
	return combine(l0, l1, l2, l3)
}

// Axpy computes dst[i] += float64(alpha*x[i]) for every i, in increasing i.
// It panics with "detmath: length mismatch" if len(dst) != len(x).
func Axpy(dst []float64, alpha float64, x []float64) {
	if len(dst) != len(x) {
		panic("detmath: length mismatch")
	}
	for len(dst) >= 4 && len(x) >= 4 {
		d4, x4 := dst[:4:4], x[:4:4]
		d4[0] += float64(alpha * x4[0])
		d4[1] += float64(alpha * x4[1])
		d4[2] += float64(alpha * x4[2])
		d4[3] += float64(alpha * x4[3])
		dst, x = dst[4:], x[4:]
	}
	for i := range dst {
		dst[i] += float64(alpha * x[i])
	}
}

// maxOf returns the maximum of x scanning left to right with v > m; a NaN
// in x is not selected (unless it is x[0]) but still poisons the results
// of the callers through Exp(NaN - m). It returns -Inf for an empty slice.
func maxOf(x []float64) float64 {
	if len(x) == 0 {
		return negInf
	}
	m := x[0]
	for _, v := range x[1:] {
		if v > m {
			m = v
		}
	}
	return m
}

// sumExpShifted returns Sum of Exp(x[i]-m) over i without materialising
// the vector; the addition order is exactly that of Sum.
func sumExpShifted(x []float64, m float64) float64 {
	var l [4]float64
	for i, v := range x {
		l[i&3] += Exp(v - m)
	}
	return combine(l[0], l[1], l[2], l[3])
}

// Softmax sets dst[i] = Exp(logits[i]-max) / S where max is the largest
// logit and S = Sum(Exp(logits[j]-max)) (fixed 4-lane order). Division,
// not multiplication by 1/S, is used. dst may be the same slice as logits
// (it must not otherwise overlap it). It panics with
// "detmath: length mismatch" if len(dst) != len(logits).
//
// If any logit is NaN or +Inf, or all logits are -Inf, every output is NaN.
func Softmax(dst, logits []float64) {
	if len(dst) != len(logits) {
		panic("detmath: length mismatch")
	}
	if len(logits) == 0 {
		return
	}
	m := maxOf(logits)
	for i, v := range logits {
		dst[i] = Exp(v - m)
	}
	s := Sum(dst)
	for i := range dst {
		dst[i] /= s
	}
}

// LogSumExp returns max + Log(S) with S = Sum(Exp(x[i]-max)) in the
// fixed 4-lane order. LogSumExp of an empty slice is -Inf; if the max is
// ±Inf the result is that max; a NaN in x gives NaN.
func LogSumExp(x []float64) float64 {
	m := maxOf(x)
	if m > maxFloat || m < -maxFloat { // ±Inf (also the empty slice)
		for _, v := range x {
			if v != v {
				return v
			}
		}
		return m
	}
	return m + Log(sumExpShifted(x, m))
}

// LogSoftmax sets dst[i] = (logits[i] - max) - Log(S), S as in Softmax.
// dst may be the same slice as logits (it must not otherwise overlap it).
// It panics with "detmath: length mismatch" if len(dst) != len(logits).
// If any logit is NaN or +Inf, or all logits are -Inf, every output is NaN.
func LogSoftmax(dst, logits []float64) {
	if len(dst) != len(logits) {
		panic("detmath: length mismatch")
	}
	if len(logits) == 0 {
		return
	}
	m := maxOf(logits)
	ls := Log(sumExpShifted(logits, m))
	for i, v := range logits {
		dst[i] = (v - m) - ls
	}
}

const maxFloat = math.MaxFloat64

var negInf = math.Inf(-1)

// Dot2 returns Dot(a, b0) and Dot(a, b1), bit for bit, computed together:
// eight independent accumulators hide the latency of the additions, so two
// dot products cost little more than one.
func Dot2(a, b0, b1 []float64) (float64, float64) {
	if len(a) != len(b0) || len(a) != len(b1) {
		panic("detmath: length mismatch")
	}
	var p0, p1, p2, p3, q0, q1, q2, q3 float64
	for len(a) >= 4 && len(b0) >= 4 && len(b1) >= 4 {
		a4, x4, y4 := a[:4:4], b0[:4:4], b1[:4:4]
		p0 += float64(a4[0] * x4[0])
		q0 += float64(a4[0] * y4[0])
		p1 += float64(a4[1] * x4[1])
		q1 += float64(a4[1] * y4[1])
		p2 += float64(a4[2] * x4[2])
		q2 += float64(a4[2] * y4[2])
		p3 += float64(a4[3] * x4[3])
		q3 += float64(a4[3] * y4[3])
		a, b0, b1 = a[4:], b0[4:], b1[4:]
	}
	switch len(a) {
	case 3:
		p2 += float64(a[2] * b0[2])
		q2 += float64(a[2] * b1[2])
		fallthrough
	case 2:
		p1 += float64(a[1] * b0[1])
		q1 += float64(a[1] * b1[1])
		fallthrough
	case 1:
		p0 += float64(a[0] * b0[0])
		q0 += float64(a[0] * b1[0])
	}
	return combine(p0, p1, p2, p3), combine(q0, q1, q2, q3)
}

// Axpy2 computes Axpy(dst, a0, x0) then Axpy(dst, a1, x1), bit for bit, in
// one pass over dst: dst[i] = (dst[i] + float64(a0*x0[i])) + float64(a1*x1[i]).
func Axpy2(dst []float64, a0 float64, x0 []float64, a1 float64, x1 []float64) {
	if len(dst) != len(x0) || len(dst) != len(x1) {
		panic("detmath: length mismatch")
	}
	for len(dst) >= 4 && len(x0) >= 4 && len(x1) >= 4 {
		d4, u4, v4 := dst[:4:4], x0[:4:4], x1[:4:4]
		d4[0] = (d4[0] + float64(a0*u4[0])) + float64(a1*v4[0])
		d4[1] = (d4[1] + float64(a0*u4[1])) + float64(a1*v4[1])
		d4[2] = (d4[2] + float64(a0*u4[2])) + float64(a1*v4[2])
		d4[3] = (d4[3] + float64(a0*u4[3])) + float64(a1*v4[3])
		dst, x0, x1 = dst[4:], x0[4:], x1[4:]
	}
	for i := range dst {
		dst[i] = (dst[i] + float64(a0*x0[i])) + float64(a1*x1[i])
	}
}
