// Package curve measures EDL(n) curves by the papers' protocol (EDL.md, "How
// EDL(n) curves are measured"): nested prefixes of one example order, one
// coded pass whose partial sums give MDL(n) at every grid point, and for
// every grid point its own θ*ₙ (a session run over the first n examples, then
// Session.Converge: early-stopped on the validation split) whose test loss
// gives EDL(n) = MDL(n) − n·L_test(θ*ₙ).
//
// Per grid point a run records three code lengths of the first n labels:
//
//   - CodedBits: the exact length in bits of the range-coded stream of the
//     first n labels, that is the encoder's bytes so far plus the bytes that
//     end the stream there (a copy of the encoder is finished; the real pass
//     goes on untouched, so the last grid point is exactly the length Alice
//     sends for the whole pass);
//   - QuantizedBits: Σ −log₂(f_y/2^P) under the coder's integer frequencies;
//   - IdealBits: Σ −log₂ p(y) under the model's floating-point distribution.
//
// EDL is reported for the coded length (the verified MDL) and for the ideal
// one. The coded stream's end costs a few bytes whatever n is, which adds a
// few bits/n to the coded EDL/n; curve shapes (Signature) and the toy models'
// closed forms therefore use the ideal code, the learner's own code length.
//
// The test loss comes with its standard error σ/√n_test (σ the standard
// deviation of the per-example loss), so EDL(n) carries ±n·σ/√n_test.
//
// Several seeds run side by side, each with a random-label control (the same
// spec with RandomLabels, where EDL ≈ 0). The coded passes and the θ*ₙ runs
// are independent units (Config.Units; RunUnit runs one by itself, on any
// machine); Measure runs them on Config.Workers goroutines, each writing only
// its own slot, and Assemble reduces their results in a fixed order, so the
// result is the same bits for any number of workers, equal to a serial run
// and to units run apart (a sweep's shards) and assembled (RunEach is that
// pool, which the experiments' units use too). The package does no I/O and
// reads no clock; progress is reported through a callback. What a curve
// becomes on disk (curve.csv, summary.csv, curve.json) and on a terminal is
// built here as values (output.go); the edl command writes them.
//
// Signature: elicitation when EDL/n falls over the whole grid in every seed,
// teaching when it first rises and then falls in every seed, undetermined
// otherwise (EDL.md, "Elicitation versus teaching"). A step of the curve
// counts as a rise or a fall only when it exceeds twice the test term's
// standard error at its ends; smaller steps are flat.
package curve
