// Package transmit holds the only drivers of a prequential.Session: the
// Sender, which codes true labels into bytes (Alice's side), the Receiver,
// which decodes bytes into labels (Bob's side), Train, which hands a
// session labels without coding them (θ*ₙ runs, pre-training), and Pipe,
// which joins a Sender to a Receiver in memory (edl run).
//
// Each driver is pure: no I/O, no clock, no goroutines. Bytes, labels and
// the moment of each call come from the caller, so alice and bob are gRPC
// adapters around a Sender and a Receiver, and the same loop runs in the
// curve engine, the experiments and the benchmarks.
//
// The Sender flushes its encoder at every phase end of a session with
// held-out coding (prequential.OfferPhaseEnd) and the Receiver its decoder
// at the same place, so the pass's bytes, through their flush, are the
// MDL (Finish.MDLBytes) and held-out labels never blur into it.
//
// Figures is the one report of a transmission: the code lengths, θ*'s test
// loss and the EDLs, computed by FiguresOf from a finished session on
// either side. Equal sessions give bit-identical Figures, which is what
// Bob's verification checks (Figures.Diff).
//
// Neither driver holds the labels: the Sender reads them in coding order
// through task.Labels (generated as they are read, for a seeded task) and
// both hash the training labels as they go (Figures.LabelsSHA256). The
// Sender keeps only their raw bytes, one a label up to 256 classes, for
// the zstd baseline of Alice's report, which compresses them whole.
//
// Locate finds where two sides that differ at a checkpoint began to differ,
// by bisecting their per-example transcripts (Pipe uses it on its two
// sessions, alice over the wire).
//
// Refuses: labels outside the session's classes, a stream whose bytes do
// not decode to the session's examples, a Finish that disagrees with what
// the Receiver decoded.
package transmit
