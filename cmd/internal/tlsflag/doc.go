// Package tlsflag registers the transport-security flags shared by alice and
// bob (--tls-cert, --tls-key, --tls-ca, --insecure, --token, --token-file)
// and turns them into a *tls.Config and a bearer token.
//
// The policy it enforces: TLS on every address that is not loopback
// (127.0.0.0/8, ::1, localhost). Plaintext is allowed only on loopback or
// with an explicit --insecure, and asking for plaintext on the network
// without --insecure is an error that names the flags. A hostname other than
// localhost counts as non-loopback even if it resolves to 127.0.0.1: the
// decision must not depend on DNS.
//
// Bob with --tls-ca requires and verifies client certificates (mutual TLS).
// Alice verifies Bob's certificate against --tls-ca, or the system's roots
// without it. Both sides use TLS 1.3 only: they are the same program, so
// there is no older peer to accommodate.
//
// Tokens are best read from a file (--token-file): a --token on the command
// line is visible to every user through ps.
package tlsflag
