// Package integration holds tests that build the real alice and bob binaries
// once and run them as separate OS processes over real gRPC: on loopback for
// the protocol, data, resume, concurrency and cross-architecture (arm64 under
// qemu) cases; with mutual TLS on a non-loopback address for the security
// cases; and, as root, between two network namespaces joined by a veth pair
// for delay, loss, link cuts and load (they skip with the reason otherwise).
// It has no non-test code beyond this file.
package integration
