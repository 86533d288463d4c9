//go:build !amd64 || noasm

package detmath

// useAVX2 is false: this build has no assembly kernels (another
// architecture, or the noasm tag), so the pure-Go kernels run.
const useAVX2 = false

func dotsAVX2(dst [][]float64, at int, a, b [][]float64, n int) {
	panic("detmath: no assembly kernels in this build")
}

func axpyNAVX2(dst *float64, n int, alpha *float64, x *[]float64, k, at int) {
	panic("detmath: no assembly kernels in this build")
}

func subScaledQuotientAVX2(dst *float64, n int, lr float64, grad *float64, d float64) {
	panic("detmath: no assembly kernels in this build")
}

func subScaledProductAVX2(dst *float64, n int, lr float64, grad *float64, r float64) {
	panic("detmath: no assembly kernels in this build")
}
