// Command edlcerts creates a development certificate authority, a server
// certificate for Bob and a client certificate for Alice, for running
// edlwire over mutual TLS between two machines.
//
//	edlcerts --hosts bob.example,10.0.0.2 [--out certs] [--client-name alice] [--days 30] [--force]
//
// It writes ca.pem, ca.key, bob.pem, bob.key, alice.pem and alice.key to
// --out and prints the paths written. Copy ca.pem, alice.pem and alice.key
// to Alice's machine; keep ca.key away from both if you can. Exit status 2
// on usage errors, 1 on failure.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/devcerts"
)

func main() {
	fs := flag.NewFlagSet("edlcerts", flag.ContinueOnError)
	out := fs.String("out", "certs", "directory to write the PEM files to (created if missing)")
	hosts := fs.String("hosts", "localhost,127.0.0.1,::1", "Bob's names and IP addresses as Alice dials them, comma-separated: the server certificate's SANs")
	client := fs.String("client-name", "alice", "common name of the client certificate")
	days := fs.Int("days", 30, "validity of every certificate, in days")
	force := fs.Bool("force", false, "replace existing files (the old CA then no longer verifies anything it signed)")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "edlcerts: unexpected arguments %q\n", fs.Args())
		os.Exit(2)
	}
	var hs []string
	for _, h := range strings.Split(*hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hs = append(hs, h)
		}
	}
	o := devcerts.Options{Dir: *out, Hosts: hs, ClientName: *client, Valid: time.Duration(*days) * 24 * time.Hour, Force: *force}
	if err := o.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	written, err := devcerts.Generate(o)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, p := range written {
		fmt.Println(p)
	}
}
