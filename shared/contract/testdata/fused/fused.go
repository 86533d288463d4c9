// Package fused is the control for TestNoFusedMultiplyAdd: every fusing
// compiler turns this into a fused multiply-add, so the test can prove it
// would notice one. It is never part of the product.
package fused

//go:noinline
func MulAdd(x, y, z float64) float64 { return x*y + z }
