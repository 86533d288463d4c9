// Package codertest builds the range coder's benchmark workload, so that
// the coder's own benchmarks (BenchmarkCoder) and cmd/edlbench's coder
// section time the very same symbols: 2^16 symbols over an alphabet of K,
// each coded against one of 16 random quantized tables whose weights span
// many orders of magnitude, with the stream they code to and its exact
// quantized ideal length.
//
// A script is a pure function of K (a seeded PCG): no I/O, no clock.
package codertest
