package integration

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

var (
	edlcertsOnce sync.Once
	edlcertsErr  error
)

// edlcerts builds cmd/edlcerts into binDir once, for the tests that need
// certificates, and returns its path.
func edlcerts(t *testing.T) string {
	t.Helper()
	edlcertsOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", binDir+string(os.PathSeparator), "../cmd/edlcerts").CombinedOutput()
		if err != nil {
			edlcertsErr = &buildError{err, string(out)}
		}
	})
	if edlcertsErr != nil {
		t.Fatal(edlcertsErr)
	}
	return filepath.Join(binDir, "edlcerts")
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "build edlcerts: " + e.err.Error() + "\n" + e.out }

// testHost is an address of this machine other than loopback, so that the
// TLS tests cross a real interface; without one they fall back to
// 127.0.0.1, where TLS is on because the flags ask for it.
func testHost(t *testing.T) (host string, nonLoopback bool) {
	t.Helper()
	ifaces, err := net.Interfaces()
	if err == nil {
		for _, ifc := range ifaces {
			if ifc.Flags&net.FlagUp == 0 || ifc.Flags&net.FlagLoopback != 0 {
				continue
			}
			addrs, _ := ifc.Addrs()
			for _, a := range addrs {
				if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() && !ipn.IP.IsLinkLocalUnicast() {
					// Only if we can actually listen there (a container
					// may list an address it cannot bind).
					if l, err := net.Listen("tcp", ipn.IP.String()+":0"); err == nil {
						_ = l.Close()
						return ipn.IP.String(), true
					}
				}
			}
		}
	}
	t.Logf("no usable non-loopback IPv4 address: testing TLS on 127.0.0.1")
	return "127.0.0.1", false
}

// pki is one edlcerts output directory and a token file.
type pki struct{ dir, token string }

func newPKI(t *testing.T, hosts string) pki {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command(edlcerts(t), "--out", dir, "--hosts", hosts).CombinedOutput()
	if err != nil {
		t.Fatalf("edlcerts: %v\n%s", err, out)
	}
	tok := filepath.Join(dir, "token")
	if err := os.WriteFile(tok, []byte("edl-test-token-7f3a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return pki{dir: dir, token: tok}
}

func (p pki) file(name string) string { return filepath.Join(p.dir, name) }

func (p pki) bobArgs() []string {
	return []string{"--tls-cert", p.file("bob.pem"), "--tls-key", p.file("bob.key"), "--tls-ca", p.file("ca.pem"), "--token-file", p.token}
}

func (p pki) aliceArgs() []string {
	return []string{"--tls-ca", p.file("ca.pem"), "--tls-cert", p.file("alice.pem"), "--tls-key", p.file("alice.key"), "--token-file", p.token}
}

var smallSpec = specArgs("n", "500", "test", "0", "classes", "3", "dim", "4", "checkpoint-every", "100")

// The golden transmission over mutual TLS with a token, on a non-loopback
// address when there is one: bit-exact, and the TCP count includes TLS.
func TestSecurityMutualTLSWithToken(t *testing.T) {
	ctx := testContext(t)
	host, _ := testHost(t)
	p := newPKI(t, host+",127.0.0.1,localhost")
	dir := t.TempDir()
	b := startBob(t, append([]string{"--listen", net.JoinHostPort(host, "0"), "--once",
		"--labels-out", filepath.Join(dir, "bob.labels"), "--model-out", filepath.Join(dir, "bob.model")}, p.bobArgs()...)...)
	res := runAlice(ctx, t, append(append([]string{"--bob", b.addr, "--model-out", filepath.Join(dir, "alice.model")}, p.aliceArgs()...), specArgs(goldenSpec...)...)...)
	if res.exitCode != 0 {
		t.Fatalf("alice over mutual TLS exited %d:\n%s", res.exitCode, res.stderr)
	}
	session := b.next(t, "session", 10*time.Second)
	if err := b.wait(t, 10*time.Second); err != nil {
		t.Fatalf("bob --once exited with %v", err)
	}
	rep := res.report
	if fp := str(t, rep, "fingerprint"); fp != goldenFingerprint || str(t, session, "fingerprint") != fp {
		t.Errorf("fingerprints: alice %s, bob %s, golden %s", fp, session["fingerprint"], goldenFingerprint)
	}
	if rep["bob_verified"] != true {
		t.Errorf("bob_verified = %v", rep["bob_verified"])
	}
	am, err1 := os.ReadFile(filepath.Join(dir, "alice.model"))
	bm, err2 := os.ReadFile(filepath.Join(dir, "bob.model"))
	if err1 != nil || err2 != nil || !bytes.Equal(am, bm) {
		t.Errorf("model files differ or are missing: %v, %v", err1, err2)
	}

	// The same spec in plaintext on loopback: same payload and bits; the
	// TLS run's TCP total is larger by at least the two certificates, so
	// the count is taken under TLS, on the raw connection.
	plain := startBob(t, "--once")
	pres := runAlice(ctx, t, append([]string{"--bob", plain.addr}, specArgs(goldenSpec...)...)...)
	if pres.exitCode != 0 {
		t.Fatalf("plaintext alice exited %d:\n%s", pres.exitCode, pres.stderr)
	}
	if num(t, rep, "payload_bytes") != num(t, pres.report, "payload_bytes") || str(t, pres.report, "fingerprint") != goldenFingerprint {
		t.Errorf("TLS changed the payload: %v vs %v bytes", rep["payload_bytes"], pres.report["payload_bytes"])
	}
	tlsTCP, plainTCP := num(t, rep, "tcp_bytes"), num(t, pres.report, "tcp_bytes")
	t.Logf("tcp_bytes: %v with mutual TLS, %v plaintext; wire_bytes %v and %v; payload %v",
		tlsTCP, plainTCP, rep["wire_bytes"], pres.report["wire_bytes"], rep["payload_bytes"])
	if tlsTCP < plainTCP+1000 {
		t.Errorf("tcp_bytes with TLS %v is not above plaintext %v by the handshake: is the count taken above TLS?", tlsTCP, plainTCP)
	}
}

// Each wrong credential is refused with a message that names the problem,
// and Bob keeps serving the right Alice afterwards.
func TestSecurityRefusals(t *testing.T) {
	ctx := testContext(t)
	host, _ := testHost(t)
	p := newPKI(t, host+",127.0.0.1,localhost")
	other := newPKI(t, host+",127.0.0.1,localhost") // another CA
	b := startBob(t, append([]string{"--listen", net.JoinHostPort(host, "0")}, p.bobArgs()...)...)

	for _, tc := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"bob's certificate from an unknown CA",
			[]string{"--tls-ca", other.file("ca.pem"), "--tls-cert", p.file("alice.pem"), "--tls-key", p.file("alice.key"), "--token-file", p.token},
			[]string{"x509", "alice does not trust bob's certificate"}},
		{"missing client certificate",
			[]string{"--tls-ca", p.file("ca.pem"), "--token-file", p.token},
			[]string{"client certificate", "--tls-cert"}},
		{"client certificate from another CA",
			[]string{"--tls-ca", p.file("ca.pem"), "--tls-cert", other.file("alice.pem"), "--tls-key", other.file("alice.key"), "--token-file", p.token},
			[]string{"client certificate"}},
		{"wrong token",
			[]string{"--tls-ca", p.file("ca.pem"), "--tls-cert", p.file("alice.pem"), "--tls-key", p.file("alice.key"), "--token", "edl-test-token-7f3b"},
			[]string{"Unauthenticated", "wrong bearer token"}},
		{"no token",
			[]string{"--tls-ca", p.file("ca.pem"), "--tls-cert", p.file("alice.pem"), "--tls-key", p.file("alice.key")},
			[]string{"Unauthenticated", "no bearer token"}},
		{"plaintext to a TLS bob",
			[]string{"--insecure", "--token-file", p.token},
			[]string{"bob may be serving TLS", "--tls-ca"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := runAlice(ctx, t, append(append([]string{"--bob", b.addr}, tc.args...), smallSpec...)...)
			if res.exitCode != 1 {
				t.Fatalf("alice exited %d, want 1:\n%s", res.exitCode, res.stderr)
			}
			for _, w := range tc.wants {
				if !strings.Contains(res.stderr, w) {
					t.Errorf("alice's error does not mention %q:\n%s", w, res.stderr)
				}
			}
			// Refused at once: a refusal is not a break to resume from.
			if strings.Contains(res.stderr, "resuming") {
				t.Errorf("alice retried a refusal:\n%s", res.stderr)
			}
		})
	}
	if res := runAlice(ctx, t, append(append([]string{"--bob", b.addr}, p.aliceArgs()...), smallSpec...)...); res.exitCode != 0 {
		t.Fatalf("the right alice after the refusals exited %d:\n%s", res.exitCode, res.stderr)
	}
	if !strings.Contains(b.stderr.String(), "wrong bearer token") {
		t.Errorf("bob's log does not record the refused token:\n%s", b.stderr.String())
	}
}

// Plaintext off loopback needs --insecure on both sides, and the errors say
// so.
func TestSecurityPlaintextNeedsInsecure(t *testing.T) {
	ctx := testContext(t)
	host, nonLoopback := testHost(t)
	listens := []string{"0.0.0.0:0"}
	if nonLoopback {
		listens = append(listens, net.JoinHostPort(host, "0"))
	}
	for _, l := range listens {
		cmd := exec.CommandContext(ctx, filepath.Join(binDir, "bob"), "--listen", l)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("bob --listen %s without TLS: %v, want exit 2\n%s", l, err, out)
		}
		for _, w := range []string{"--insecure", "--tls-cert", "not a loopback address"} {
			if !strings.Contains(string(out), w) {
				t.Errorf("bob --listen %s: error does not mention %q:\n%s", l, w, out)
			}
		}
	}
	if res := runAlice(ctx, t, "--bob", "192.0.2.1:7878", "--insecure", "--tls-ca", "ca.pem"); res.exitCode != 2 || !strings.Contains(res.stderr, "--insecure contradicts") {
		t.Errorf("alice --insecure --tls-ca: exit %d, want 2 naming the contradiction:\n%s", res.exitCode, res.stderr)
	}
	if !nonLoopback {
		t.Log("no non-loopback address: the plaintext alice/bob pair is not tested")
		return
	}
	b := startBob(t, "--listen", net.JoinHostPort(host, "0"), "--insecure", "--once")
	res := runAlice(ctx, t, append([]string{"--bob", b.addr}, smallSpec...)...)
	if res.exitCode != 1 || !strings.Contains(res.stderr, "--insecure") || !strings.Contains(res.stderr, "plaintext") {
		t.Errorf("alice to a plaintext bob at %s without --insecure: exit %d, want 1 naming --insecure:\n%s", b.addr, res.exitCode, res.stderr)
	}
	if res := runAlice(ctx, t, append([]string{"--bob", b.addr, "--insecure"}, smallSpec...)...); res.exitCode != 0 {
		t.Errorf("alice --insecure to a plaintext bob exited %d:\n%s", res.exitCode, res.stderr)
	}
}

// A standard gRPC health client with a client certificate but no token
// sees SERVING: probes need no token.
func TestHealthServing(t *testing.T) {
	ctx := testContext(t)
	host, _ := testHost(t)
	p := newPKI(t, host+",127.0.0.1,localhost")
	b := startBob(t, append([]string{"--listen", net.JoinHostPort(host, "0")}, p.bobArgs()...)...)

	cert, err := tls.LoadX509KeyPair(p.file("alice.pem"), p.file("alice.key"))
	if err != nil {
		t.Fatal(err)
	}
	caPEM, err := os.ReadFile(p.file("ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	conn, err := grpc.NewClient("passthrough:///"+b.addr, grpc.WithTransportCredentials(credentials.NewTLS(
		&tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	for _, svc := range []string{"", "edlwire.v3.Transmission"} {
		r, err := healthpb.NewHealthClient(conn).Check(cctx, &healthpb.HealthCheckRequest{Service: svc})
		if err != nil || r.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Errorf("health of %q: %v, %v; want SERVING", svc, r, err)
		}
	}
}

// SIGTERM while a transmission runs: Bob finishes it, then exits 0.
func TestSIGTERMDrainsRunningTransmission(t *testing.T) {
	ctx := testContext(t)
	b := startBob(t, "--drain-timeout", "30s")
	// About a second of coding: long enough to be signalled mid-stream.
	spec := specArgs("n", "300000", "test", "0", "classes", "4", "dim", "16", "model", "mlp", "hidden", "32", "checkpoint-every", "10000")
	done := make(chan aliceResult, 1)
	go func() { done <- runAlice(ctx, t, append([]string{"--bob", b.addr}, spec...)...) }()
	b.next(t, "welcome", 10*time.Second)
	if err := b.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	res := <-done
	if res.exitCode != 0 {
		t.Fatalf("alice, whose transmission was running when bob got SIGTERM, exited %d:\n%s", res.exitCode, res.stderr)
	}
	if s := b.next(t, "session", 10*time.Second); s["error"] != nil {
		t.Errorf("bob's session: %v", s)
	}
	if err := b.wait(t, 10*time.Second); err != nil {
		t.Errorf("bob exited with %v after draining", err)
	}
	if !strings.Contains(b.stderr.String(), "draining") {
		t.Errorf("bob's log does not say he drained:\n%s", b.stderr.String())
	}
}
