package bob_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wirepb"
)

// The per-token limit: the holders of one token run at most
// MaxSessionsPerToken transmissions at once; one more is refused with
// ResourceExhausted naming the flag, while another token's holder is still
// served, and a slot freed by an ended transmission is taken again.
func TestMaxSessionsPerToken(t *testing.T) {
	b := serveBob(t, bob.Config{Token: []byte("team-a"), Tokens: [][]byte{[]byte("team-b")}, MaxSessions: 8, MaxSessionsPerToken: 2, IdleTimeout: -1})
	sp := rawSpec()
	open := func(token, id string) wirepb.Transmission_TransmitClient {
		t.Helper()
		s := b.stream(t, "authorization", "Bearer "+token)
		h := helloMsg(sp)
		h.GetHello().SessionId = id
		send(s, h)
		return s
	}
	welcomed := func(s wirepb.Transmission_TransmitClient, what string) {
		t.Helper()
		if m, err := s.Recv(); err != nil || m.GetWelcome() == nil {
			t.Fatalf("%s: got %v, %v; want welcome", what, m, err)
		}
	}
	a1, a2 := open("team-a", "a1"), open("team-a", "a2")
	welcomed(a1, "first of team-a")
	welcomed(a2, "second of team-a")
	a3 := open("team-a", "a3")
	expectStatus(t, a3, false, codes.ResourceExhausted, "2 transmissions are running with this token", "(max-sessions-per-token)")
	b1 := open("team-b", "b1")
	welcomed(b1, "team-b while team-a is at its limit")

	// a1 ends (its stream closes before finish): its slot is free once
	// its status has arrived, since Bob frees it before he answers.
	expectStatus(t, a1, true, codes.InvalidArgument, "stream closed before finish")
	a4 := open("team-a", "a4")
	welcomed(a4, "team-a after one of its transmissions ended")
	for _, s := range []wirepb.Transmission_TransmitClient{a2, a4, b1} {
		expectStatus(t, s, true, codes.InvalidArgument, "stream closed before finish")
	}
}
