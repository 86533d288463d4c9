// Package events writes and reads the live event streams of alice and bob
// (their --events PATH flag): one JSON object per line, for the teaching
// demo (cmd/internal/demo) and anyone else who wants to watch a
// transmission as it happens.
//
// A stream has three kinds of line, each with "event" and "side" ("alice"
// or "bob"; Bob's lines also carry "session"):
//
//	{"event":"start",...}       the spec's sizes, task and model, once per transmission
//	{"event":"example",...}     one coded (Alice) or decoded (Bob) label: its index "i",
//	                            "phase" (train, valid, test), label "y", the predictive
//	                            distribution "p" (all K classes when K ≤ 16, else the 16 most
//	                            probable, named by "top"), "bits" = −log₂ of the coded
//	                            probability f_y/2^precision, "bytes" of coded stream so far
//	                            (Alice: produced; Bob: consumed), and the input "x" when
//	                            it has at most 64 numbers
//	{"event":"checkpoint",...}  "example" and "fingerprint" (hex), as both sides compare them
//
// Probabilities are the coder's: the integer frequencies divided by
// 2^precision, so "bits" summed over the training phase is the report's
// quantized_ideal_bits and the last training line's "bytes" (after the
// coder's flush) is coded_bits/8.
//
// Writes are buffered and flushed by a background ticker every
// FlushEvery, at checkpoints and on Close, so a watched transmission is
// slowed by the encoding alone; one not watched (no --events) pays nothing,
// because alice and bob call an Observer only when one is set.
package events
