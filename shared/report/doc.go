// Package report is the JSON report of one transmission and its readable
// summary: the figures both sides compute (shared/transmit.Figures), the
// baselines beside them (the uniform code, zstd of the raw labels), and
// the transport's counts, which the caller fills in (alice over the wire;
// edl run, in memory, leaves them zero).
//
// It reads no clock and does no I/O: the elapsed time comes from the
// caller.
package report
