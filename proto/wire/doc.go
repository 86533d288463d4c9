// Package wire is what Alice and Bob share at the service edge: the protocol
// version, conversion between the transmit drivers' values (Finish,
// Figures, checkpoints) and their messages, segment checksums, and byte accounting (a gRPC stats handler for message bytes and
// a counting net.Conn for the TCP totals, wrapped under TLS so that the
// handshake and records count), and the keepalive settings both sides must
// agree on. The deterministic core never imports it.
package wire
