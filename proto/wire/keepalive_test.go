package wire

import "testing"

// A client that pings more often than the server's enforcement policy
// allows is sent GOAWAY (too_many_pings) mid-transmission.
func TestKeepaliveConsistent(t *testing.T) {
	client := ClientKeepalive()
	server, policy := ServerKeepalive()
	if client.Time < policy.MinTime {
		t.Errorf("alice pings every %v, bob tolerates pings no more often than every %v", client.Time, policy.MinTime)
	}
	if client.PermitWithoutStream && !policy.PermitWithoutStream {
		t.Error("alice pings without streams, bob forbids it")
	}
	if server.Timeout <= 0 || client.Timeout <= 0 || server.Time <= 0 || server.MaxConnectionIdle <= 0 {
		t.Errorf("keepalive parameters must be set: %+v %+v", client, server)
	}
}
