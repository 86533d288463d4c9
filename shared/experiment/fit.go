package experiment

// The fits that read a measured curve: small, dependency-free least squares
// (the tests hold them against gonum).

// Linfit is the least-squares line y = a·x + b through the points and its
// coefficient of determination R². It panics when x and y differ in length
// (a programmer error); with fewer than two distinct x the slope is NaN.
func Linfit(x, y []float64) (a, b, r2 float64) {
	if len(x) != len(y) {
		panic("experiment: Linfit: x and y differ in length")
	}
	n := float64(len(x))
	var sx, sy float64
	for i := range x {
		sx += x[i]
		sy += y[i]
	}
	mx, my := sx/n, sy/n
	var sxx, sxy, syy float64
	for i := range x {
		sxx += float64((x[i] - mx) * (x[i] - mx))
		sxy += float64((x[i] - mx) * (y[i] - my))
		syy += float64((y[i] - my) * (y[i] - my))
	}
	a = sxy / sxx
	b = my - float64(a*mx)
	var res float64
	for i := range x {
		d := y[i] - (float64(a*x[i]) + b)
		res += float64(d * d)
	}
	return a, b, 1 - res/syy
}

// ParabolaMax fits y = a x² + b x + c by least squares and returns its
// vertex (x, y); with fewer than 3 points, or a fit that opens upward
// (a ≥ 0, no maximum), it returns the largest point instead. x is centred
// on its mean before the fit, which keeps the normal equations well
// conditioned for x such as log n.
func ParabolaMax(x, y []float64) (float64, float64) {
	if len(x) != len(y) || len(x) == 0 {
		panic("experiment: ParabolaMax: want equal, non-empty x and y")
	}
	best := 0
	for i := range y {
		if y[i] > y[best] {
			best = i
		}
	}
	if len(x) < 3 {
		return x[best], y[best]
	}
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	// Power sums Σd^k (k < 5) and Σd^k·y (k < 3) of the centred d.
	var s [5]float64
	var t [3]float64
	for i := range x {
		d := x[i] - m
		p := 1.0
		for k := 0; k < 5; k++ {
			s[k] += p
			if k < 3 {
				t[k] += float64(p * y[i])
			}
			p *= d
		}
	}
	// Normal equations for (c, b, a), by Gaussian elimination.
	A := [3][4]float64{{s[0], s[1], s[2], t[0]}, {s[1], s[2], s[3], t[1]}, {s[2], s[3], s[4], t[2]}}
	for i := 0; i < 3; i++ {
		for j := i + 1; j < 3; j++ {
			f := A[j][i] / A[i][i]
			for k := i; k < 4; k++ {
				A[j][k] -= float64(f * A[i][k])
			}
		}
	}
	var sol [3]float64
	for i := 2; i >= 0; i-- {
		v := A[i][3]
		for k := i + 1; k < 3; k++ {
			v -= float64(A[i][k] * sol[k])
		}
		sol[i] = v / A[i][i]
	}
	c, b, a := sol[0], sol[1], sol[2]
	if a >= 0 {
		return x[best], y[best]
	}
	v := -b / (2 * a)
	return v + m, c + float64(b*v) + float64(a*v*v)
}

// Bump looks for the format toy's early bump in v (EDL/n at the points x,
// increasing): within x ≤ window, the largest value, its position, and the
// relative fall after it to the lowest value up to the window's end. It is
// a bump when the maximum is interior (neither the first point nor the
// window's last) and the fall is at least 10%.
func Bump(x, v []float64, window float64) (peakX, peak, drop float64, ok bool) {
	end := 0
	for k := range x {
		if x[k] <= window {
			end = k
		}
	}
	best := 0
	for k := 0; k <= end; k++ {
		if v[k] > v[best] {
			best = k
		}
	}
	low := v[best]
	for k := best; k <= end; k++ {
		low = min(low, v[k])
	}
	drop = 1 - low/v[best]
	return x[best], v[best], drop, best > 0 && best < end && drop >= 0.10
}
