package tlsflag

import (
	"crypto/tls"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/devcerts"
)

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:7878": true, "127.9.9.9:1": true, "[::1]:7878": true, "localhost:0": true, "LOCALHOST:1": true,
		"::1": true, "127.0.0.1": true, "[::ffff:127.0.0.1]:1": true,
		"0.0.0.0:7878": false, ":7878": false, "[::]:7878": false, "10.0.0.2:7878": false,
		"bob.example:7878": false, "localhost.example:1": false, "": false,
	} {
		if got := IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

func certs(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := devcerts.Generate(devcerts.Options{Dir: dir, Hosts: []string{"localhost", "127.0.0.1"}, ClientName: "alice", Valid: time.Hour}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func parse(t *testing.T, server bool, args ...string) *Flags {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	var f *Flags
	if server {
		f = RegisterServer(fs)
	} else {
		f = RegisterClient(fs)
	}
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestServerPolicy(t *testing.T) {
	dir := certs(t)
	cert, key, ca := filepath.Join(dir, devcerts.ServerCert), filepath.Join(dir, devcerts.ServerKey), filepath.Join(dir, devcerts.CACert)
	for _, tc := range []struct {
		name   string
		listen string
		args   []string
		want   string // "plain", "tls", "mtls" or an error fragment
	}{
		{"loopback plaintext", "127.0.0.1:0", nil, "plain"},
		{"network plaintext refused", "0.0.0.0:7878", nil, "--insecure"},
		{"wildcard plaintext refused", ":7878", nil, "--tls-cert"},
		{"network plaintext with --insecure", "10.0.0.2:7878", []string{"--insecure"}, "plain"},
		{"network TLS", "0.0.0.0:7878", []string{"--tls-cert", cert, "--tls-key", key}, "tls"},
		{"loopback TLS", "127.0.0.1:0", []string{"--tls-cert", cert, "--tls-key", key}, "tls"},
		{"mutual TLS", "0.0.0.0:7878", []string{"--tls-cert", cert, "--tls-key", key, "--tls-ca", ca}, "mtls"},
		{"cert without key", "127.0.0.1:0", []string{"--tls-cert", cert}, "go together"},
		{"ca without cert", "127.0.0.1:0", []string{"--tls-ca", ca}, "needs bob's own --tls-cert"},
		{"insecure and TLS", "0.0.0.0:7878", []string{"--insecure", "--tls-cert", cert, "--tls-key", key}, "contradicts"},
		{"missing cert file", "0.0.0.0:7878", []string{"--tls-cert", cert + ".no", "--tls-key", key}, "--tls-cert/--tls-key"},
		{"ca that is not PEM", "0.0.0.0:7878", []string{"--tls-cert", cert, "--tls-key", key, "--tls-ca", key}, "no PEM certificate"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parse(t, true, tc.args...).Server(tc.listen)
			checkResult(t, cfg, err, tc.want, true)
		})
	}
}

func TestClientPolicy(t *testing.T) {
	dir := certs(t)
	cert, key, ca := filepath.Join(dir, devcerts.ClientCert), filepath.Join(dir, devcerts.ClientKey), filepath.Join(dir, devcerts.CACert)
	for _, tc := range []struct {
		name, bob string
		args      []string
		want      string
	}{
		{"loopback plaintext", "127.0.0.1:7878", nil, "plain"},
		{"network defaults to TLS with system roots", "10.0.0.2:7878", nil, "tls"},
		{"network with --insecure", "10.0.0.2:7878", []string{"--insecure"}, "plain"},
		{"loopback with a CA is TLS", "localhost:7878", []string{"--tls-ca", ca}, "tls"},
		{"client certificate", "10.0.0.2:7878", []string{"--tls-ca", ca, "--tls-cert", cert, "--tls-key", key}, "mtls"},
		{"insecure and CA", "10.0.0.2:7878", []string{"--insecure", "--tls-ca", ca}, "contradicts"},
		{"key without cert", "10.0.0.2:7878", []string{"--tls-key", key}, "go together"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := parse(t, false, tc.args...).Client(tc.bob)
			checkResult(t, cfg, err, tc.want, false)
		})
	}
}

func checkResult(t *testing.T, cfg *tls.Config, err error, want string, server bool) {
	t.Helper()
	switch want {
	case "plain":
		if err != nil || cfg != nil {
			t.Fatalf("got %v, %v; want plaintext", cfg, err)
		}
	case "tls", "mtls":
		if err != nil || cfg == nil {
			t.Fatalf("got %v, %v; want TLS", cfg, err)
		}
		if cfg.MinVersion != tls.VersionTLS13 {
			t.Errorf("MinVersion %x, want TLS 1.3", cfg.MinVersion)
		}
		mutual := len(cfg.Certificates) > 0
		if server {
			mutual = cfg.ClientAuth == tls.RequireAndVerifyClientCert && cfg.ClientCAs != nil
			if len(cfg.Certificates) != 1 {
				t.Errorf("server has %d certificates", len(cfg.Certificates))
			}
		}
		if mutual != (want == "mtls") {
			t.Errorf("mutual TLS = %v, want %v", mutual, want == "mtls")
		}
	default:
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("got %v, %v; want an error mentioning %q", cfg, err, want)
		}
	}
}

func TestReadToken(t *testing.T) {
	dir := t.TempDir()
	file := func(content string) string {
		p := filepath.Join(dir, "tok"+strings.Repeat("x", len(content)))
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // the token, or "error: fragment"
	}{
		{"none", nil, ""},
		{"flag", []string{"--token", "abc"}, "abc"},
		{"file with newline", []string{"--token-file", file("s3cret\n")}, "s3cret"},
		{"empty file", []string{"--token-file", file(" \n")}, "error: is empty"},
		{"missing file", []string{"--token-file", filepath.Join(dir, "nope")}, "error: --token-file"},
		{"both", []string{"--token", "a", "--token-file", file("b")}, "error: not both"},
		{"space inside", []string{"--token", "a b"}, "error: printable ASCII"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tok, err := parse(t, false, tc.args...).ReadToken()
			if frag, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), frag) {
					t.Fatalf("got %q, %v; want an error mentioning %q", tok, err, frag)
				}
				return
			}
			if err != nil || string(tok) != tc.want {
				t.Fatalf("got %q, %v; want %q", tok, err, tc.want)
			}
		})
	}
}

// Bob's tokens: one per non-empty line of the file; Alice's ReadToken
// refuses a file with several (its inner newline is not a token byte).
func TestReadTokens(t *testing.T) {
	dir := t.TempDir()
	n := 0
	file := func(content string) string {
		n++
		p := filepath.Join(dir, "tok"+strings.Repeat("x", n))
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		args []string
		want string // the tokens joined by "|", or "error: fragment"
	}{
		{"none", nil, ""},
		{"flag", []string{"--token", "abc"}, "abc"},
		{"one line", []string{"--token-file", file("s3cret\n")}, "s3cret"},
		{"lines, blank ones and spaces around", []string{"--token-file", file("team-a\n\n  team-b \r\nteam-c")}, "team-a|team-b|team-c"},
		{"empty file", []string{"--token-file", file(" \n\n")}, "error: is empty"},
		{"space inside, line named", []string{"--token-file", file("ok\nbad token\n")}, "error: line 2"},
		{"both", []string{"--token", "a", "--token-file", file("b")}, "error: not both"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := parse(t, true, tc.args...).ReadTokens()
			var got []string
			for _, tok := range toks {
				got = append(got, string(tok))
			}
			if frag, ok := strings.CutPrefix(tc.want, "error: "); ok {
				if err == nil || !strings.Contains(err.Error(), frag) {
					t.Fatalf("got %q, %v; want an error mentioning %q", got, err, frag)
				}
				return
			}
			if err != nil || strings.Join(got, "|") != tc.want {
				t.Fatalf("got %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := parse(t, false, "--token-file", file("a\nb\n")).ReadToken(); err == nil || !strings.Contains(err.Error(), "printable ASCII") {
		t.Errorf("alice's ReadToken of a two-token file: %v, want a refusal", err)
	}
}
