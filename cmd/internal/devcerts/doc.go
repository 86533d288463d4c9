// Package devcerts creates a development certificate authority and two leaf
// certificates signed by it, one for Bob (the server) and one for Alice (the
// client), so two machines can run edlwire over mutual TLS without a real
// PKI.
//
// Keys are ECDSA P-256. The server certificate's subject alternative names
// are the hosts given (DNS names and IP addresses); the client certificate
// is for client authentication only. Files are PEM: certificates 0644,
// private keys 0600.
//
// It refuses to overwrite existing files unless told to, so a second run
// cannot silently replace a CA that already signed certificates in use. It
// is meant for development and experiments: the CA key sits beside the
// certificates, which a production deployment would never do.
package devcerts
