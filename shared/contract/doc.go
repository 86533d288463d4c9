// Package contract holds no code: its tests enforce the determinism contract
// of ../../../shared/DESIGN.md mechanically over every package under shared/.
//
//   - TestForbiddenImports: no non-test file under shared/ imports os, net,
//     time, math/rand (v1), log, log/slog, or gRPC, and none calls
//     math.Exp, Log, Log1p, Log2, Log10, Pow, Tanh, Sin, Cos, Expm1, Erf or
//     NormFloat64/ExpFloat64 (architecture-dependent or FMA code paths).
//   - TestNoFusedMultiplyAdd: the compiler emits no fused multiply-add for
//     shared/ on arm64, ppc64le, s390x, riscv64 and amd64 with GOAMD64=v3;
//     TestAssemblyHasNoFusedMultiplyAdd reads the hand-written .s files,
//     which that compiler output does not show.
package contract
