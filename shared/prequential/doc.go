// Package prequential is the state machine both Alice and Bob drive: the one
// predict–code–learn step of the product, in two phases.
//
// A Session owns the model and the optimizer. Next offers the next example:
// the predictive distribution for its input, computed with the parameters
// from before the current minibatch's update and quantized to integer
// frequencies (coder.Quantize). The driver codes the label against those
// frequencies — Alice encodes the true one, Bob decodes it — and hands it
// to Apply, which records its code length and its place in the transcript
// and accumulates its gradient; when the minibatch is complete the
// optimizer steps. Next then reports, once each, the checkpoint (model
// fingerprint and transcript hash) and the phase end that Apply reached,
// before it offers the following example.
//
// With the spec's blockwise code (spec.Blocks) nothing is learned per
// minibatch: the first block is coded with the uniform distribution, and
// the Apply of each block's last label trains the next block's model on
// every label so far (a validation split of them decides the epoch kept),
// which then codes the whole block frozen (optionally tempered, or mixed
// with the previous block's model). Both sides hold the same labels at that
// point, so they train the same model; block ends are checkpoints.
//
// There is no retry rule: a decoder short of bytes simply
// does not call Apply, and the next Next offers the same example again.
// The one callback, Options.Tick, only lets a driver show its peer that a
// long Apply (a block's training) is alive.
// The drivers live in shared/transmit (Sender, Receiver, Train): they are
// the only code that calls Next and Apply.
//
// The Session does no I/O, reads no clock and keeps no globals, like etcd's
// raft.RawNode, whose Ready/Advance pair Next/Apply mirrors. The only
// goroutines it starts are the workers of a large model's optimizer update
// (optimize.go, Options.Workers), which end before the Apply that started
// them returns and change no bit.
//
// A running SHA-256 transcript over (step, frequencies, label) lets two sides
// locate the first step at which they differ.
package prequential
