package wire

import (
	"time"

	"google.golang.org/grpc/keepalive"
)

// Keepalive is set in one place because the two sides must agree: a server
// whose enforcement MinTime is above the client's ping Time answers the
// pings with GOAWAY "too_many_pings" and kills healthy transmissions.
const (
	// KeepaliveTime is how long Alice's connection may be silent before she
	// pings: long enough to be free, short enough that NAT and firewall
	// state between two machines stays alive.
	KeepaliveTime = 20 * time.Second
	// KeepaliveTimeout is how long either side waits for a ping's answer
	// before it declares the connection dead.
	KeepaliveTimeout = 10 * time.Second
	// KeepaliveMinTime is the shortest ping interval Bob tolerates; it must
	// not exceed KeepaliveTime (a test checks).
	KeepaliveMinTime = 10 * time.Second
	// ServerPingTime is how long Bob lets a connection be silent before he
	// pings it himself, so a vanished Alice is noticed even while Bob only
	// waits.
	ServerPingTime = 30 * time.Second
	// MaxConnectionIdle closes a connection that has had no call for this
	// long: one that connected but never started a transmission.
	MaxConnectionIdle = 5 * time.Minute
)

// ClientKeepalive is Alice's keepalive.
func ClientKeepalive() keepalive.ClientParameters {
	return keepalive.ClientParameters{Time: KeepaliveTime, Timeout: KeepaliveTimeout}
}

// ServerKeepalive is Bob's keepalive: his own pings and what he accepts
// from clients.
func ServerKeepalive() (keepalive.ServerParameters, keepalive.EnforcementPolicy) {
	return keepalive.ServerParameters{Time: ServerPingTime, Timeout: KeepaliveTimeout, MaxConnectionIdle: MaxConnectionIdle},
		keepalive.EnforcementPolicy{MinTime: KeepaliveMinTime, PermitWithoutStream: true}
}
