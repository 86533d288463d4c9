// Package experiment holds the science of edl's experiments as functions of
// numbers: the toy models' analytic predictions (EDL.md's closed forms), the
// fits that read a measured curve (least-squares line, parabola vertex, the
// format toy's early bump), the elicitation-versus-teaching design (the
// target pair, its arms and bases, the per-seed summary and the verdict on
// the ratio of EDLs) and the capacity thresholds (capacity, P*, PGR and
// P*_PGR, the learning-rate choice).
//
// Conventions: code lengths and EDL in bits, EDL/n in bits per example,
// information density in bits per trainable parameter; n counts examples.
// The shape of a curve (falling, rising-falling, …) is curve.ShapeOf's and
// curve.PeakOf's: one definition of a significant rise or fall.
//
// What it refuses to do: no I/O, no clock, no goroutines of its own, no
// plots. The edl command (cmd/edl) reads flags, runs the measurements
// through shared/curve, hands their numbers here and writes files and
// figures.
// Nothing here is on the synchronized path between Alice and Bob, so the
// closed forms may use the math package freely.
package experiment
