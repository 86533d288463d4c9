// Package bob is the receiving side: a gRPC server adapter around a
// transmit.Receiver. For each transmission he parses the spec from the
// canonical bytes Alice sends (within limits he enforces), builds the
// session, feeds the Receiver the segments as they arrive (and, on a
// resume, the bytes he held, replayed), sends each checkpoint it reaches,
// and answers Finish with his own figures (transmit.Figures).
//
// Bob never sees a label except by decoding it: he builds inputs only
// (task.NewStreamInputs), never task.NewLabels. Nor does he hold the
// labels he decodes: the Receiver hashes them as it goes, and
// --labels-out is written as he decodes, into a temporary file renamed
// into place once the transmission is verified.
//
// When he cannot decode on, he says so (Halt) and keeps the call open for
// Alice's Locates until she aborts; he answers Locates from his session's
// window of recent transcripts (PROTOCOL.md rules 5a and 5b).
//
// Errors at the edge are gRPC status codes: FailedPrecondition for a spec
// he cannot accept (naming every field), InvalidArgument for messages out of
// order, DataLoss for a corrupt stream, a desync or an abort by Alice.
//
// Serve guards the service: TLS (mutual when Config.TLS verifies client
// certificates), a bearer token checked by an interceptor before any
// handler runs (Unauthenticated; health checks are exempt so probes work),
// at most Config.MaxSessions transmissions at once (ResourceExhausted),
// an idle timeout per transmission (DeadlineExceeded), the standard health
// service and server reflection, and a bounded drain when it stops. Limit
// errors name the command's flag (max-sessions, idle-timeout, ...). Whether
// plaintext is acceptable on an address is the command's decision
// (cmd/internal/tlsflag): a nil Config.TLS serves plaintext.
package bob
