// Command bob serves transmissions: he decodes each label Alice codes,
// trains the identical model and proves sync with fingerprints.
//
//	bob --listen HOST:PORT [--once] [--labels-out FILE] [--model-out FILE]
//	    [--tls-cert FILE --tls-key FILE [--tls-ca FILE]] [--token-file FILE] [--insecure]
//
// On a non-loopback address he serves TLS only (--tls-cert, --tls-key), or
// plaintext with an explicit --insecure; --tls-ca requires client
// certificates. On SIGINT or SIGTERM he stops accepting transmissions and
// lets running ones finish for up to --drain-timeout; a second signal ends
// him at once.
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
	"github.com/edlwire/edlwire/cmd/internal/mnistfiles"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/cmd/internal/cliusage"
	"github.com/edlwire/edlwire/cmd/internal/events"
	"github.com/edlwire/edlwire/cmd/internal/tlsflag"
	"github.com/edlwire/edlwire/proto/predictor"
	"github.com/edlwire/edlwire/proto/wire"
	"github.com/edlwire/edlwire/shared/spec"
)

func main() {
	mnistfiles.Register() // the mnist task reads the GoMNIST module's files, located on first use
	fs := flag.NewFlagSet("bob", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:7878", "address to listen on, HOST:PORT (port 0 picks a free one)")
	once := fs.Bool("once", false, "exit after one transmission (non-zero if it failed)")
	labelsOut := fs.String("labels-out", "", "write each session's decoded labels here, one per line")
	modelOut := fs.String("model-out", "", "write each session's final canonical model parameters here")
	dataDir := fs.String("data-dir", "", "folder holding the datasets of file-task transmissions and the base checkpoints specs start from (found by file name, checked by hash; labels never read)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines sharing large layers per session (changes speed, never results)")
	lim := bob.DefaultLimits()
	fs.Int64Var(&lim.MaxExamples, "max-examples", lim.MaxExamples, "largest n+test accepted")
	fs.Int64Var(&lim.MaxClasses, "max-classes", lim.MaxClasses, "largest number of classes accepted")
	fs.Int64Var(&lim.MaxParams, "max-params", lim.MaxParams, "largest model (parameters) accepted")
	fs.Int64Var(&lim.MaxDim, "max-dim", lim.MaxDim, "largest input dimension accepted")
	fs.Int64Var(&lim.MaxTrainingPasses, "max-training-passes", lim.MaxTrainingPasses, "most examples a transmission may train on, counting each epoch's (n, θ*'s epochs·n, the blockwise code's block_epochs·Σ block ends)")
	maxSessionBytes, maxTotalBytes := int64(bob.DefaultMaxSessionBytes), int64(bob.DefaultMaxTotalBytes)
	cliusage.BytesVar(fs, &maxSessionBytes, "max-session-bytes", "largest estimated memory of one transmission (inputs, model, decode state, bytes kept for resume)")
	cliusage.BytesVar(fs, &maxTotalBytes, "max-total-bytes", "most estimated memory of all running transmissions plus suspended ones; past it suspended ones are evicted oldest first, then new ones refused with ResourceExhausted")
	maxMsg := fs.Int("max-message-bytes", wire.DefaultMaxMessageBytes, "largest gRPC message accepted")
	maxSessions := fs.Int("max-sessions", bob.DefaultMaxSessions, "most transmissions served at once; more are refused with ResourceExhausted")
	maxPerToken := fs.Int("max-sessions-per-token", bob.DefaultMaxSessionsPerToken, "most transmissions served at once for the holders of one token (see --token-file); more are refused with ResourceExhausted")
	idle := fs.Duration("idle-timeout", bob.DefaultIdleTimeout, "end a transmission that sends nothing for this long")
	drain := fs.Duration("drain-timeout", bob.DefaultDrainTimeout, "on SIGINT/SIGTERM, how long running transmissions may take to finish")
	stateDir := fs.String("state-dir", "", "keep each running transmission's spec and bytes here, so a Bob restarted after a crash resumes it (default: memory only)")
	resumeTTL := fs.Duration("resume-ttl", bob.DefaultResumeTTL, "how long a broken transmission is kept for Alice to resume")
	eventsPath := fs.String("events", "", "write one JSON line per decoded label and checkpoint here (a pipe such as /dev/fd/3 works): the teaching demo's live view")
	plugin := predictor.Launch{Stderr: os.Stderr}
	plugin.RegisterFlags(fs)
	beforeTLS := cliusage.MarkNow(fs)
	sec := tlsflag.RegisterServer(fs)
	tlsFlags := beforeTLS.Since(fs)
	help := cliusage.Help{
		Name:     "bob",
		Synopsis: "[--listen HOST:PORT] [transport flags] [limits] [output flags]",
		Summary:  "Serves Alice's transmissions: decodes every label with the model they share, applies the same updates, and answers each checkpoint with his fingerprint.",
		Examples: []string{
			"bob --listen 127.0.0.1:7878 --labels-out labels.txt --model-out bob.model",
			"bob --listen 10.0.0.2:7878 --tls-cert certs/bob.pem --tls-key certs/bob.key --tls-ca certs/ca.pem --token-file certs/token",
		},
		Groups: []cliusage.Group{
			{Title: "Transport and security", Flags: append([]string{"listen", "once", "idle-timeout", "drain-timeout", "max-message-bytes"}, tlsFlags...)},
			{Title: "Limits (specs past them are refused, naming the field)", Flags: []string{"max-examples", "max-classes", "max-params", "max-dim", "max-session-bytes", "max-total-bytes", "max-sessions", "max-sessions-per-token"}},
			{Title: "Resume", Flags: []string{"state-dir", "resume-ttl"}},
			{Title: "Inputs and outputs", Flags: []string{"data-dir", "labels-out", "model-out", "events"}},
			{Title: "Speed (never changes a bit of the result)", Flags: []string{"workers"}},
			{Title: "Predictor plugin (model external: one process per transmission)", Flags: predictor.Flags},
		},
		Footer: "Prints a JSON line when listening and one per transmission on stdout.\nExit status (with --once): 0 if the transmission was verified, 1 on failure, 2 on usage errors.",
	}
	if code, ok := cliusage.Parse(fs, os.Args[1:], help, os.Stdout, os.Stderr); !ok {
		os.Exit(code)
	}
	var usage []string
	if *maxMsg < 1 {
		usage = append(usage, fmt.Sprintf("--max-message-bytes must be positive, got %d", *maxMsg))
	}
	if *maxSessions < 1 {
		usage = append(usage, fmt.Sprintf("--max-sessions must be positive, got %d", *maxSessions))
	}
	if *maxPerToken < 1 {
		usage = append(usage, fmt.Sprintf("--max-sessions-per-token must be positive, got %d", *maxPerToken))
	}
	if maxSessionBytes < 1 || maxTotalBytes < 1 {
		usage = append(usage, "--max-session-bytes and --max-total-bytes must be positive")
	}
	if *idle <= 0 {
		usage = append(usage, fmt.Sprintf("--idle-timeout must be positive, got %v", *idle))
	}
	if *drain <= 0 {
		usage = append(usage, fmt.Sprintf("--drain-timeout must be positive, got %v", *drain))
	}
	tlsCfg, err := sec.Server(*listen)
	if err != nil {
		usage = append(usage, err.Error())
	}
	tokens, err := sec.ReadTokens()
	if err != nil {
		usage = append(usage, err.Error())
	}
	if len(usage) > 0 {
		fmt.Fprintln(os.Stderr, "bob: "+strings.Join(usage, "\nbob: "))
		os.Exit(2)
	}
	// The budget bounds the live bytes; the soft limit keeps the heap near
	// them (bob.SoftMemoryLimit). GOMEMLIMIT, if set, is the user's choice.
	memLimit := debug.SetMemoryLimit(-1)
	if os.Getenv("GOMEMLIMIT") == "" {
		memLimit = bob.SoftMemoryLimit(maxTotalBytes)
		debug.SetMemoryLimit(memLimit)
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
	emit(map[string]any{"event": "listening", "addr": lis.Addr().String(),
		"tls": tlsCfg != nil, "client_certs": tlsCfg != nil && tlsCfg.ClientCAs != nil, "token": len(tokens) > 0, "tokens": len(tokens),
		"max_session_bytes": maxSessionBytes, "max_total_bytes": maxTotalBytes, "max_sessions": *maxSessions, "max_sessions_per_token": *maxPerToken, "memory_limit": memLimit,
		"max_examples": lim.MaxExamples, "max_params": lim.MaxParams, "max_training_passes": lim.MaxTrainingPasses})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal Bob drains; restoring the default handlers
	// lets a second one end him at once.
	context.AfterFunc(ctx, stop)
	predictor.KillOnDone(ctx)
	cfg := bob.Config{
		Limits: lim, MaxMessageBytes: *maxMsg, LabelsOut: *labelsOut, ModelOut: *modelOut, DataDir: *dataDir, Workers: *workers, Log: log,
		TLS: tlsCfg, Tokens: tokens, MaxSessions: *maxSessions, MaxSessionsPerToken: *maxPerToken, IdleTimeout: *idle, DrainTimeout: *drain,
		StateDir: *stateDir, ResumeTTL: *resumeTTL, MaxSessionBytes: maxSessionBytes, MaxTotalBytes: maxTotalBytes, Predictor: plugin,
		OnSession: func(r bob.SessionReport) { emit(r) },
		OnWelcome: func(id string, sp spec.Spec) {
			h := sp.Hash()
			emit(map[string]any{"event": "welcome", "session_id": id, "n": sp.N, "spec_hash": fmt.Sprintf("%x", h[:])})
		},
	}
	var ev *events.Writer
	if *eventsPath != "" {
		if ev, err = events.Create(*eventsPath); err != nil {
			fmt.Fprintln(os.Stderr, "bob: --events:", err)
			os.Exit(2)
		}
		cfg.Observe = func(id string) bob.Observer { return ev.Stream("bob", id) }
	}
	if *stateDir != "" {
		if err := os.MkdirAll(*stateDir, 0o700); err != nil {
			fmt.Fprintln(os.Stderr, "bob: --state-dir:", err)
			os.Exit(2)
		}
	}
	err = bob.Serve(ctx, lis, cfg, *once)
	if ev != nil {
		if cerr := ev.Close(); cerr != nil {
			log.Warn("events stream lost", "err", cerr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
