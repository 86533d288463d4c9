// Package alice is the sending side: a gRPC client adapter around a
// transmit.Sender, which codes the labels; alice streams its bytes to Bob.
//
// Alice holds the labels. She sends Hello with the spec's canonical bytes
// and their hash, waits for Welcome, then steps the Sender and sends the
// bytes in segments as they become final, never waiting for Bob
// mid-stream. A receiving goroutine checks each of Bob's checkpoints
// against the ledger of hers (transmit.Ledger); at the first mismatch she
// bisects the examples since the last confirmed checkpoint by asking Bob
// for his transcripts (Locate, PROTOCOL.md rule 5a; the receiver has
// stopped, so she reads the stream herself), then aborts with DataLoss
// naming the checkpoint and the first example whose distribution differed.
// A failure of her own session (a predictor plugin) is sent to Bob as an
// Abort before she returns. After Finish she
// compares Bob's figures in his Summary with her own, field by field and
// to the bit (transmit.Figures.Diff), and reports (shared/report). A
// broken stream is resumed on a new link from the bytes Bob holds.
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
