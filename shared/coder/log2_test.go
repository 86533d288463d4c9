package coder

import "math"

// log2f is math.Log2; tests may use it (only the package itself must be
// reproducible across architectures).
func log2f(x float64) float64 { return math.Log2(x) }
