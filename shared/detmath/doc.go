// Package detmath provides deterministic float64 kernels: functions whose
// results are bit-identical on every Go platform (amd64 at any GOAMD64
// level, arm64, ppc64le, s390x, riscv64, ...) and every CPU, so that two
// processes training the same model get the same bits.
//
// # What it provides
//
// Scalar: Exp, Log, Log2, Log1p, Tanh, Sigmoid, Softplus.
// Vector: Dot, Dot2, Sum, Axpy, Axpy2, Softmax, LogSumExp, LogSoftmax.
// Batched (a layer over a minibatch): Dots (many Dot), AxpyN (many Axpy
// into one vector), SubScaledQuotient (SGD's update).
//
// Exp, Log, Log1p (and the internal expm1 used by Tanh) are ports of the
// fdlibm algorithms that Go's own pure-Go math fallbacks use. Tanh uses
// the Cephes rational approximation below |x| = 0.625 and fdlibm's expm1
// formula above. No function in this package calls math.Exp, math.Log,
// math.Log1p, math.Log2, math.Pow, math.Tanh, math.Expm1 or any other
// math function with an assembly or FMA implementation; only exact or
// correctly rounded helpers (Sqrt, Abs, Float64bits/frombits) are used.
//
// # Invariants (the determinism contract)
//
//   - No fused multiply-add. The Go spec allows x*y + z to be fused, even
//     across statements; every product that can reach an addition is
//     written float64(x*y), which forces rounding. TestNoFusedMultiplyAdd
//     compiles the package for arm64, ppc64le, s390x, riscv64 and
//     amd64/v3 and fails if any FMA instruction is emitted.
//   - Fixed summation order, no goroutines. Dot and Sum accumulate
//     element i into lane i%4 (tail elements included, same rule) and
//     return (lane0+lane1)+(lane2+lane3). Softmax, LogSumExp and
//     LogSoftmax sum in exactly the same order.
//   - Scaling by powers of two is done on the exponent bits.
//   - A committed table of bit patterns (golden_data_test.go) pins the
//     results; it passes unchanged on linux/amd64 (GOAMD64=v1 and v3) and
//     linux/arm64 (qemu).
//   - NaN is produced where documented, but NaN payload/sign bits are not
//     part of the contract (hardware default NaNs differ between amd64
//     and arm64); compare NaNs with IsNaN.
//
// # Accuracy (measured against 200-bit math/big references, 10^6 random
// inputs per function over their full ranges incl. subnormals,
// EDLWIRE_LONG=1 go test -run TestAccuracy -v ./shared/detmath/)
//
//	Exp      max 0.973 ulp   mean 0.259
//	Log      max 0.845 ulp   mean 0.250
//	Log2     max 1.685 ulp   mean 0.296   (exact at powers of two)
//	Log1p    max 0.795 ulp   mean 0.248
//	Tanh     max 1.280 ulp   mean 0.214
//	Sigmoid  max 2.334 ulp   mean 0.319
//	Softplus max 1.493 ulp   mean 0.213
//
// # What it refuses to do
//
//   - No parallelism, no reassociation for speed. (On the development
//     amd64 box Exp/Log run at ~10 ns, comparable to math.Exp/math.Log;
//     Dot at ~0.6 ns/element.)
//   - No assembly that computes anything the pure-Go kernels do not: the
//     batched kernels have AVX2 assembly on amd64 (batch_amd64.s, chosen at
//     run time by golang.org/x/sys/cpu; -tags noasm forces pure Go) in
//     which a 256-bit register holds exactly the four lanes of the 4-lane
//     scheme, products are rounded by VMULPD and added by VADDPD, and the
//     tail and the (l0+l1)+(l2+l3) tree are those of Dot. TestBatch* check
//     the two paths bit for bit (ragged tails, signed zeros, Inf, NaN,
//     subnormals); contract's TestAssemblyHasNoFusedMultiplyAdd reads the
//     .s files. The one-vector kernels stay pure Go: Dot and Sum are bound
//     by the latency of their four addition chains, which SIMD cannot
//     shorten without changing the order.
//   - No correctly rounded results are promised (errors above are < 1 ulp
//     for Exp/Log/Log1p, not 0.5 ulp); what is promised is identical bits.
//   - Vector kernels do not support partially overlapping dst/src slices;
//     exact aliasing (dst == logits) is supported where documented.
package detmath
