// Package spec defines the experiment specification that Alice and Bob agree on
// before a transmission: the task and its inputs, the model and its
// initialization, the training algorithm and the coder precision.
//
// A Spec has one canonical byte encoding (Canonical) and a SHA-256 hash of it
// (Hash). Two sides that hold the same canonical bytes build bit-identical
// models, inputs and trainers; Diff names every field in which two specs
// differ, so a refusal can say exactly what does not match.
//
// The package does no I/O. Floats are encoded with strconv's shortest
// round-trip form, which is exact and identical on every architecture.
package spec
