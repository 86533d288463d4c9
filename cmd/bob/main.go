// Command bob serves transmissions: he decodes each label Alice codes,
// trains the identical model and proves sync with fingerprints.
//
//	bob --listen HOST:PORT [--once] [--labels-out FILE] [--model-out FILE]
//
// Stdout carries JSON lines: {"event":"listening","addr":...} once he
// accepts connections, {"event":"welcome",...} when a transmission starts,
// and {"event":"session",...} after each transmission. Logs go to stderr.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/shared/spec"
)

func main() {
	fs := flag.NewFlagSet("bob", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:7878", "address to listen on, HOST:PORT (port 0 picks a free one)")
	once := fs.Bool("once", false, "exit after one transmission (non-zero if it failed)")
	labelsOut := fs.String("labels-out", "", "write each session's decoded labels here, one per line")
	modelOut := fs.String("model-out", "", "write each session's final canonical model parameters here")
	dataDir := fs.String("data-dir", "", "folder holding the datasets of file-task transmissions (found by file name, checked by hash; labels never read)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines sharing large layers per session (changes speed, never results)")
	lim := bob.DefaultLimits()
	fs.Int64Var(&lim.MaxExamples, "max-examples", lim.MaxExamples, "largest n+test accepted")
	fs.Int64Var(&lim.MaxClasses, "max-classes", lim.MaxClasses, "largest number of classes accepted")
	fs.Int64Var(&lim.MaxParams, "max-params", lim.MaxParams, "largest model (parameters) accepted")
	fs.Int64Var(&lim.MaxDim, "max-dim", lim.MaxDim, "largest input dimension accepted")
	maxMsg := fs.Int("max-message-bytes", wire.DefaultMaxMessageBytes, "largest gRPC message accepted")
	if err := fs.Parse(os.Args[1:]); err != nil {
		os.Exit(2)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "bob: unexpected arguments %q\n", fs.Args())
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	var outMu sync.Mutex
	out := json.NewEncoder(os.Stdout)
	emit := func(v any) {
		outMu.Lock()
		defer outMu.Unlock()
		_ = out.Encode(v)
	}

	lis, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bob: listen on %s: %v\n", *listen, err)
		os.Exit(1)
	}
	emit(map[string]string{"event": "listening", "addr": lis.Addr().String()})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := bob.Config{
		Limits: lim, MaxMessageBytes: *maxMsg, LabelsOut: *labelsOut, ModelOut: *modelOut, DataDir: *dataDir, Workers: *workers, Log: log,
		OnSession: func(r bob.SessionReport) { emit(r) },
		OnWelcome: func(id string, sp spec.Spec) {
			h := sp.Hash()
			emit(map[string]any{"event": "welcome", "session_id": id, "n": sp.N, "spec_hash": fmt.Sprintf("%x", h[:])})
		},
	}
	if err := bob.Serve(ctx, lis, cfg, *once); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
