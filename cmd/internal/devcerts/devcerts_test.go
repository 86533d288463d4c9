package devcerts

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGenerateVerifiesAndRefusesToOverwrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "certs")
	o := Options{Dir: dir, Hosts: []string{"bob.example", "10.0.0.2", "::1"}, ClientName: "alice-1", Valid: 24 * time.Hour}
	written, err := Generate(o)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 6 {
		t.Fatalf("wrote %v", written)
	}
	for _, k := range []string{CAKey, ServerKey, ClientKey} {
		fi, err := os.Stat(filepath.Join(dir, k))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", k, fi.Mode().Perm())
		}
	}
	pool := x509.NewCertPool()
	caPEM, err := os.ReadFile(filepath.Join(dir, CACert))
	if err != nil || !pool.AppendCertsFromPEM(caPEM) {
		t.Fatalf("ca.pem: %v", err)
	}
	leaf := func(cert, key string) *x509.Certificate {
		kp, err := tls.LoadX509KeyPair(filepath.Join(dir, cert), filepath.Join(dir, key))
		if err != nil {
			t.Fatal(err)
		}
		c, err := x509.ParseCertificate(kp.Certificate[0])
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	server := leaf(ServerCert, ServerKey)
	for _, h := range o.Hosts {
		if _, err := server.Verify(x509.VerifyOptions{DNSName: h, Roots: pool}); err != nil {
			t.Errorf("server certificate for %s: %v", h, err)
		}
	}
	if _, err := server.Verify(x509.VerifyOptions{DNSName: "other.example", Roots: pool}); err == nil {
		t.Error("server certificate verifies for a host it does not name")
	}
	if !server.IPAddresses[0].Equal(net.ParseIP("10.0.0.2")) {
		t.Errorf("server IP SANs %v", server.IPAddresses)
	}
	client := leaf(ClientCert, ClientKey)
	if client.Subject.CommonName != "alice-1" {
		t.Errorf("client CN %q", client.Subject.CommonName)
	}
	if _, err := client.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if _, err := client.Verify(x509.VerifyOptions{Roots: pool, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("client certificate also serves as a server certificate")
	}

	if _, err := Generate(o); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("second Generate: %v, want a refusal naming --force", err)
	}
	o.Force = true
	if _, err := Generate(o); err != nil {
		t.Fatalf("Generate with Force: %v", err)
	}
	caPEM2, _ := os.ReadFile(filepath.Join(dir, CACert))
	if string(caPEM2) == string(caPEM) {
		t.Error("Force kept the old CA")
	}
}

func TestValidate(t *testing.T) {
	err := (&Options{Hosts: []string{"a b"}}).Validate()
	for _, f := range []string{"directory", "host \"a b\"", "client name", "validity"} {
		if err == nil || !strings.Contains(err.Error(), f) {
			t.Errorf("Validate: %v, want it to mention %q", err, f)
		}
	}
}
