// Package wire is what Alice and Bob share at the service edge: the protocol
// version, conversion between shared/spec.Spec and its protobuf form, segment
// checksums, and byte accounting (a gRPC stats handler for message bytes and
// a counting net.Conn for the TCP totals). The deterministic core never
// imports it.
package wire
