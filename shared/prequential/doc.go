// Package prequential is the state machine both Alice and Bob drive: the one
// predict–code–learn loop of the product.
//
// A Session owns the model and the optimizer. Each call to Step
//
//  1. computes the predictive distribution for the next training input with
//     the parameters from before the current minibatch's update, and
//     quantizes it to integer frequencies (coder.Quantize);
//  2. hands the frequencies to a SymbolCoder, which either encodes the true
//     label (Alice) or decodes it from the stream (Bob), and gets the label;
//  3. accumulates the label's gradient and, when the minibatch is complete,
//     applies the optimizer; at checkpoint boundaries it records the model
//     fingerprint and the transcript hash.
//
// The Session does no I/O, reads no clock, starts no goroutines and keeps no
// globals, like etcd's raft.RawNode: drivers (Alice's encoder loop, Bob's
// decoder loop, tests, the in-process edl tool) supply bytes and labels.
//
// A running SHA-256 transcript over (step, frequencies, label) lets two sides
// locate the first step at which they differ.
package prequential
