// Package experiment holds the science of edl's experiments: the toy
// models of EDL.md run against their analytic predictions (toys.go: the
// runs, the criteria, the closed forms of closedform.go), the fits that
// read a measured curve (least-squares line, parabola vertex, the format
// toy's early bump), the elicitation-versus-teaching design (the target
// pair, its arms and bases, the per-seed summary and the verdict on the
// ratio of EDLs) and the capacity thresholds (capacity, P*, PGR and
// P*_PGR, the learning-rate choice).
//
// The experiments of edl elicit, intervene and capacity are measurements
// split into units (ElicitRun, CapacityRun: Units, RunUnit, Run,
// Assemble), the way curve.Config is, so a sweep's shards and one machine
// run the same code; their reports carry their CSV rows, tables and
// figures (Figure: a plot described by its numbers).
//
// Conventions: code lengths and EDL in bits, EDL/n in bits per example,
// information density in bits per trainable parameter; n counts examples.
// The shape of a curve (falling, rising-falling, …) is curve.ShapeOf's and
// curve.PeakOf's: one definition of a significant rise or fall.
//
// What it refuses to do: no I/O, no clock, no plots. The edl command
// (cmd/edl) reads flags, writes the files and draws the figures. Like all
// of shared/, it computes with detmath and no fused multiply-add, so a
// prediction or a verdict is the same bits on every machine.
package experiment
