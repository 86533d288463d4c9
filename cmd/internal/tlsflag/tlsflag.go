package tlsflag

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"strings"
)

// Flags are the transport-security flags of one command.
type Flags struct {
	Cert, Key, CA string
	Insecure      bool
	Token         string
	TokenFile     string
}

// RegisterServer adds Bob's flags to fs.
func RegisterServer(fs *flag.FlagSet) *Flags {
	return register(fs, [6]string{
		"PEM certificate Bob presents (with --tls-key); required unless --listen is loopback or --insecure",
		"PEM private key of --tls-cert",
		"PEM CA bundle: require client certificates signed by it (mutual TLS)",
		"serve plaintext on a non-loopback address (only on a network you trust)",
		"file holding the bearer tokens Bob accepts, one per line (one per client or team: max-sessions-per-token counts each apart)",
		"bearer token every transmission must carry (visible in ps: prefer --token-file)",
	})
}

// RegisterClient adds Alice's flags to fs.
func RegisterClient(fs *flag.FlagSet) *Flags {
	return register(fs, [6]string{
		"PEM client certificate Alice presents to a Bob that requires one (with --tls-key)",
		"PEM private key of --tls-cert",
		"PEM CA bundle that Bob's certificate must chain to (default: the system's roots); also turns TLS on for loopback",
		"plaintext to a non-loopback Bob (only on a network you trust)",
		"file holding the bearer token sent to Bob",
		"bearer token sent to Bob (visible in ps: prefer --token-file)",
	})
}

// register adds the flags with the role's help texts, in the order
// tls-cert, tls-key, tls-ca, insecure, token-file, token.
func register(fs *flag.FlagSet, help [6]string) *Flags {
	f := &Flags{}
	fs.StringVar(&f.Cert, "tls-cert", "", help[0])
	fs.StringVar(&f.Key, "tls-key", "", help[1])
	fs.StringVar(&f.CA, "tls-ca", "", help[2])
	fs.BoolVar(&f.Insecure, "insecure", false, help[3])
	fs.StringVar(&f.TokenFile, "token-file", "", help[4])
	fs.StringVar(&f.Token, "token", "", help[5])
	return f
}

// IsLoopback reports whether addr (HOST:PORT or HOST) names the loopback
// interface: localhost, 127.0.0.0/8 or ::1. An empty host (":7878") is the
// wildcard, every interface, so it is not loopback.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if i := strings.IndexByte(host, '%'); i >= 0 {
		host = host[:i] // an IPv6 zone
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// check finds contradictions between the TLS flags.
func (f *Flags) check() error {
	var errs []error
	if f.Insecure && (f.Cert != "" || f.Key != "" || f.CA != "") {
		errs = append(errs, errors.New("tlsflag: --insecure contradicts --tls-cert, --tls-key and --tls-ca"))
	}
	if (f.Cert == "") != (f.Key == "") {
		errs = append(errs, errors.New("tlsflag: --tls-cert and --tls-key go together"))
	}
	if f.Token != "" && f.TokenFile != "" {
		errs = append(errs, errors.New("tlsflag: give --token or --token-file, not both"))
	}
	return errors.Join(errs...)
}

// Server returns Bob's TLS configuration for listening on addr, or nil for
// plaintext, which it allows only on loopback or with --insecure.
func (f *Flags) Server(addr string) (*tls.Config, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.Cert == "" {
		if f.CA != "" {
			return nil, errors.New("tlsflag: --tls-ca (client certificates) needs bob's own --tls-cert and --tls-key")
		}
		if f.Insecure || IsLoopback(addr) {
			return nil, nil
		}
		return nil, fmt.Errorf("tlsflag: %s is not a loopback address, so bob serves TLS only: give --tls-cert and --tls-key (edlcerts makes a development set), or --insecure for plaintext on a network you trust", addr)
	}
	cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
	if err != nil {
		return nil, fmt.Errorf("tlsflag: --tls-cert/--tls-key: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	if f.CA != "" {
		pool, err := loadPool(f.CA)
		if err != nil {
			return nil, err
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	return cfg, nil
}

// Client returns Alice's TLS configuration for dialing addr, or nil for
// plaintext: loopback without TLS flags, or --insecure. Every other address
// gets TLS, verified against --tls-ca or the system's roots.
func (f *Flags) Client(addr string) (*tls.Config, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	if f.Insecure || (IsLoopback(addr) && f.CA == "" && f.Cert == "") {
		return nil, nil
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS13}
	if f.CA != "" {
		pool, err := loadPool(f.CA)
		if err != nil {
			return nil, err
		}
		cfg.RootCAs = pool
	}
	if f.Cert != "" {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("tlsflag: --tls-cert/--tls-key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ReadToken returns the bearer token, from --token-file (surrounding
// whitespace, such as the file's final newline, removed) or --token; nil if
// neither is given. It is Alice's: one token.
func (f *Flags) ReadToken() ([]byte, error) {
	if err := f.check(); err != nil {
		return nil, err
	}
	tok := f.Token
	if f.TokenFile != "" {
		b, err := os.ReadFile(f.TokenFile)
		if err != nil {
			return nil, fmt.Errorf("tlsflag: --token-file: %w", err)
		}
		tok = string(b)
		if tok = strings.TrimSpace(tok); tok == "" {
			return nil, fmt.Errorf("tlsflag: --token-file %s is empty", f.TokenFile)
		}
	}
	if tok == "" {
		return nil, nil
	}
	if err := checkToken(tok); err != nil {
		return nil, err
	}
	return []byte(tok), nil
}

// ReadTokens returns the bearer tokens Bob accepts: each non-empty line of
// --token-file (surrounding whitespace removed), or --token; nil if neither
// is given. A file with one token reads as ReadToken reads it.
func (f *Flags) ReadTokens() ([][]byte, error) {
	if f.TokenFile == "" {
		tok, err := f.ReadToken()
		if tok == nil || err != nil {
			return nil, err
		}
		return [][]byte{tok}, nil
	}
	if err := f.check(); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(f.TokenFile)
	if err != nil {
		return nil, fmt.Errorf("tlsflag: --token-file: %w", err)
	}
	var out [][]byte
	for i, line := range strings.Split(string(b), "\n") {
		tok := strings.TrimSpace(line)
		if tok == "" {
			continue
		}
		if err := checkToken(tok); err != nil {
			return nil, fmt.Errorf("%w (--token-file %s line %d)", err, f.TokenFile, i+1)
		}
		out = append(out, []byte(tok))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("tlsflag: --token-file %s is empty", f.TokenFile)
	}
	return out, nil
}

// checkToken refuses what an HTTP/2 header would refuse far from the flag
// that caused it: control characters and spaces.
func checkToken(tok string) error {
	for _, r := range tok {
		if r < 0x21 || r > 0x7e {
			return errors.New("tlsflag: the token must be printable ASCII without spaces")
		}
	}
	return nil
}

func loadPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tlsflag: --tls-ca: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("tlsflag: --tls-ca %s holds no PEM certificate", path)
	}
	return pool, nil
}
