// Package bob is the receiving side: a gRPC server that, for each
// transmission, builds the model, inputs and trainer from the spec Alice
// sends (within limits he enforces), decodes every label from the coded
// stream by driving the shared prequential Session with a decoder, and
// proves he stayed in sync by sending his fingerprint at every checkpoint.
//
// Bob never sees a label except by decoding it: he builds inputs only
// (task.NewInputs), never task.NewLabels.
//
// Errors at the edge are gRPC status codes: FailedPrecondition for a spec
// he cannot accept (naming every field), InvalidArgument for messages out of
// order, DataLoss for a corrupt stream, a desync or an abort by Alice.
package bob
