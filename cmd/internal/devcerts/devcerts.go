package devcerts

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// File names written by Generate, relative to the output directory.
const (
	CACert     = "ca.pem"
	CAKey      = "ca.key"
	ServerCert = "bob.pem"
	ServerKey  = "bob.key"
	ClientCert = "alice.pem"
	ClientKey  = "alice.key"
)

// Options say what to create.
type Options struct {
	Dir        string        // output directory, created if missing
	Hosts      []string      // server SANs: DNS names and IP addresses
	ClientName string        // the client certificate's common name
	Valid      time.Duration // lifetime of every certificate
	Force      bool          // overwrite existing files
	Now        time.Time     // start of validity (zero: now)
}

// Validate checks the options.
func (o *Options) Validate() error {
	var errs []error
	if o.Dir == "" {
		errs = append(errs, errors.New("devcerts: no output directory"))
	}
	if len(o.Hosts) == 0 {
		errs = append(errs, errors.New("devcerts: no hosts for the server certificate"))
	}
	for _, h := range o.Hosts {
		if strings.TrimSpace(h) == "" || strings.ContainsAny(h, " /:") && net.ParseIP(h) == nil {
			errs = append(errs, fmt.Errorf("devcerts: host %q is neither a DNS name nor an IP address", h))
		}
	}
	if o.ClientName == "" {
		errs = append(errs, errors.New("devcerts: no client name"))
	}
	if o.Valid <= 0 {
		errs = append(errs, fmt.Errorf("devcerts: validity %v is not positive", o.Valid))
	}
	return errors.Join(errs...)
}

// Generate writes a CA, a server certificate for o.Hosts and a client
// certificate, with their keys, to o.Dir and returns the paths written.
func Generate(o Options) ([]string, error) {
	if err := o.Validate(); err != nil {
		return nil, err
	}
	names := []string{CACert, CAKey, ServerCert, ServerKey, ClientCert, ClientKey}
	if !o.Force {
		for _, n := range names {
			if _, err := os.Stat(filepath.Join(o.Dir, n)); err == nil {
				return nil, fmt.Errorf("devcerts: %s exists (use --force to replace the whole set)", filepath.Join(o.Dir, n))
			}
		}
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("devcerts: %w", err)
	}
	now := o.Now
	if now.IsZero() {
		now = time.Now()
	}
	// Back-date a little: the other machine's clock may be behind.
	notBefore, notAfter := now.Add(-time.Hour), now.Add(o.Valid)

	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("devcerts: %w", err)
	}
	caTmpl := &x509.Certificate{
		Subject:               pkix.Name{Organization: []string{"edlwire development"}, CommonName: "edlwire development CA"},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true, // it signs leaves only
	}
	caDER, ca, err := sign(caTmpl, caKey, nil, caKey)
	if err != nil {
		return nil, err
	}

	server := &x509.Certificate{
		Subject:     pkix.Name{Organization: []string{"edlwire development"}, CommonName: "bob"},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range o.Hosts {
		if ip := net.ParseIP(h); ip != nil {
			server.IPAddresses = append(server.IPAddresses, ip)
		} else {
			server.DNSNames = append(server.DNSNames, h)
		}
	}
	client := &x509.Certificate{
		Subject:     pkix.Name{Organization: []string{"edlwire development"}, CommonName: o.ClientName},
		NotBefore:   notBefore,
		NotAfter:    notAfter,
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}

	keyPEM, err := keyBlock(caKey)
	if err != nil {
		return nil, err
	}
	files := []pemFile{{CACert, pemBlock("CERTIFICATE", caDER), 0o644}, {CAKey, keyPEM, 0o600}}
	for _, leaf := range []struct {
		tmpl              *x509.Certificate
		certName, keyName string
	}{{server, ServerCert, ServerKey}, {client, ClientCert, ClientKey}} {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("devcerts: %w", err)
		}
		der, _, err := sign(leaf.tmpl, key, ca, caKey)
		if err != nil {
			return nil, err
		}
		kp, err := keyBlock(key)
		if err != nil {
			return nil, err
		}
		files = append(files, pemFile{leaf.certName, pemBlock("CERTIFICATE", der), 0o644}, pemFile{leaf.keyName, kp, 0o600})
	}
	var written []string
	for _, f := range files {
		p := filepath.Join(o.Dir, f.name)
		if err := writeFile(p, f.data, f.mode); err != nil {
			return written, err
		}
		written = append(written, p)
	}
	return written, nil
}

type pemFile struct {
	name string
	data []byte
	mode os.FileMode
}

// sign creates a certificate from tmpl for key's public half, signed by
// parent (nil: self-signed) with parentKey.
func sign(tmpl *x509.Certificate, key *ecdsa.PrivateKey, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) ([]byte, *x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("devcerts: serial: %w", err)
	}
	tmpl.SerialNumber = serial
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		return nil, nil, fmt.Errorf("devcerts: sign %s: %w", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("devcerts: %w", err)
	}
	return der, c, nil
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

func keyBlock(key *ecdsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("devcerts: %w", err)
	}
	return pemBlock("PRIVATE KEY", der), nil
}

// writeFile replaces p with data; the mode applies even when p existed
// (os.WriteFile keeps an existing file's mode, which could leave a key
// world-readable).
func writeFile(p string, data []byte, mode os.FileMode) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return fmt.Errorf("devcerts: %w", err)
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return fmt.Errorf("devcerts: %w", err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("devcerts: %w", err)
	}
	return nil
}
