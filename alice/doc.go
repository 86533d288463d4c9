// Package alice is the sending side: a gRPC client that drives the shared
// prequential Session with an encoder and streams the coded bytes to Bob.
//
// Alice holds the labels. She sends Hello with the spec and its hash, waits
// for Welcome, then codes every training label and sends the bytes in
// segments as they become final, never waiting for Bob mid-stream. A
// receiving goroutine compares each of Bob's checkpoint fingerprints with
// the one she recorded at the same example; the first mismatch aborts the
// transmission with DataLoss naming the example. After Finish she checks
// Bob's Summary against her own final state, computes the test loss of the
// final model on held-out data and reports MDL and EDL.
//
// Only this goroutine sends on the stream; only the receiver receives.
//
// Config.TLS secures the connection (the counting connection sits under it,
// so tcp_bytes includes TLS); Config.Token travels as per-RPC credentials.
// When she has sent nothing for Config.Heartbeat mid-stream she sends an
// empty segment, so Bob's idle timeout never ends a transmission that is
// only slow. Connection errors carry a hint naming the likely flag, since
// gRPC reports every TLS failure as a bare Unavailable.
package alice
