// Package integration holds tests that build the real alice and bob binaries
// once and run them as separate OS processes over real gRPC on 127.0.0.1.
// It has no non-test code beyond this file.
package integration
