package integration

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wirepb"
	"github.com/edlwire/edlwire/shared/spec"
)

// Bob's listening line carries his limits, the per-token one among them,
// and his tokens file may list one token per client: with
// --max-sessions-per-token 1 a second transmission with token A is
// refused with ResourceExhausted naming the flag, while token B's is
// served; a real alice holding B then runs to a verified finish.
func TestPerTokenLimitRealBob(t *testing.T) {
	ctx := testContext(t)
	tokens := filepath.Join(t.TempDir(), "tokens")
	if err := os.WriteFile(tokens, []byte("team-a-token\nteam-b-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	b := startBob(t, "--token-file", tokens, "--max-sessions-per-token", "1", "--max-total-bytes", "1GiB", "--idle-timeout", "1h")
	for k, want := range map[string]float64{"tokens": 2, "max_sessions_per_token": 1, "max_sessions": bob.DefaultMaxSessions,
		"max_total_bytes": 1 << 30, "memory_limit": float64(bob.SoftMemoryLimit(1 << 30))} {
		if got := num(t, b.listening, k); got != want {
			t.Errorf("listening line: %s = %v, want %v", k, got, want)
		}
	}
	c := dialRaw(t, b.addr)
	sp := spec.Default()
	open := func(token, id string) (wirepb.Transmission_TransmitClient, *wirepb.BobMessage, error) {
		s := c.transmit(metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token), t)
		// io.EOF: Bob ended the stream before the hello left (a per-token
		// refusal comes at the stream's start); Recv has his status.
		if err := s.Send(helloOf(sp, id)); err != nil && !errors.Is(err, io.EOF) {
			t.Fatalf("%s: hello: %v", id, err)
		}
		m, err := s.Recv()
		return s, m, err
	}
	a1, m, err := open("team-a-token", "a1")
	if err != nil || m.GetWelcome() == nil {
		t.Fatalf("a1: %v, %v; want welcome", m, err)
	}
	_, m, err = open("team-a-token", "a2")
	if st := status.Convert(err); st.Code() != codes.ResourceExhausted || !strings.Contains(st.Message(), "(max-sessions-per-token)") {
		t.Fatalf("a2 while a1 runs: %v, %v; want ResourceExhausted naming max-sessions-per-token", m, err)
	}
	b1, m, err := open("team-b-token", "b1")
	if err != nil || m.GetWelcome() == nil {
		t.Fatalf("b1 while team a is at its limit: %v, %v; want welcome", m, err)
	}
	for _, s := range []wirepb.Transmission_TransmitClient{a1, b1} {
		_ = s.CloseSend()
		for {
			if _, err := s.Recv(); err != nil {
				break
			}
		}
	}
	res := runAlice(ctx, t, append([]string{"--bob", b.addr, "--token", "team-b-token"}, specArgs("n", "5000")...)...)
	if res.exitCode != 0 || res.report["bob_verified"] != true {
		t.Fatalf("alice with team b's token exited %d:\n%s", res.exitCode, res.stderr)
	}
}
