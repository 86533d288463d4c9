// Command alice codes the labels of an experiment and streams them to Bob.
//
//	alice --bob HOST:PORT [spec flags] [--tls-ca FILE] [--tls-cert FILE --tls-key FILE] [--token-file FILE] [--insecure]
//
// To a non-loopback Bob she speaks TLS, verifying his certificate against
// --tls-ca or the system's roots; plaintext only to loopback or with
// --insecure.
//
// It prints one JSON result line on stdout and a readable summary on stderr.
// Exit status: 0 on a verified transmission, 1 on failure, 2 on usage errors.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/edlwire/edlwire/cmd/internal/mnistfiles"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/cmd/internal/cliusage"
	"github.com/edlwire/edlwire/cmd/internal/events"
	"github.com/edlwire/edlwire/cmd/internal/pace"
	"github.com/edlwire/edlwire/cmd/internal/specflag"
	"github.com/edlwire/edlwire/cmd/internal/tlsflag"
	"github.com/edlwire/edlwire/proto/predictor"
	"github.com/edlwire/edlwire/shared/task"
)

func main() {
	mnistfiles.Register() // the mnist task reads the GoMNIST module's files, located on first use
	fs := flag.NewFlagSet("alice", flag.ContinueOnError)
	bob := fs.String("bob", "", "Bob's address `HOST:PORT` (required)")
	beforeSpec := cliusage.MarkNow(fs)
	sp := specflag.Register(fs)
	specFlags := beforeSpec.Since(fs)
	beforeTLS := cliusage.MarkNow(fs)
	sec := tlsflag.RegisterClient(fs)
	tlsFlags := beforeTLS.Since(fs)
	seg := fs.Int("segment-bytes", alice.DefaultSegmentBytes, "coded bytes per segment message")
	modelOut := fs.String("model-out", "", "write the final canonical model parameters to this file")
	checkpointOut := fs.String("checkpoint-out", "", "write a checkpoint of the final learner (model and optimizer state, tied to the spec) to this file: a --base for later runs")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after this long")
	maxMemory := int64(alice.DefaultMaxMemory)
	cliusage.BytesVar(fs, &maxMemory, "max-memory", "refuse a spec whose estimated memory exceeds this, before generating anything")
	quiet := fs.Bool("quiet", false, "no readable summary on stderr")
	reconnects := fs.Int("reconnects", alice.DefaultReconnects, "resume a broken stream up to this many times (back-off 100 ms to 5 s; -1: never)")
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "goroutines sharing large layers (changes speed, never results)")
	testData := fs.String("test-data", "", "file task: a separate labelled file (same columns) whose rows are the test examples; Bob needs it in his --data-dir too")
	data := fs.String("data", "", "CSV dataset (numeric features and an integer label; header optional; .gz allowed): the file task. Bob needs the same file in his --data-dir")
	fs.StringVar(&sp.LabelColumn, "label-column", "", "file task: label column, 0-based index or header name (default: the last)")
	fs.BoolVar(&sp.Standardize, "standardize", false, "file task: scale each feature to mean 0, variance 1 over the file")
	fs.Func("shuffle", "file task: code the rows in an order seeded by this number (default: file order)", func(v string) error {
		seed, err := strconv.ParseUint(v, 10, 64)
		sp.Shuffle, sp.ShuffleSeed = true, seed
		return err
	})
	eventsPath := fs.String("events", "", "write one JSON line per coded label and checkpoint here (a pipe such as /dev/fd/3 works): the teaching demo's live view")
	paceDelay := fs.Duration("pace", 0, "code at most one example per this long (0: full speed); pausing longer than Bob's --idle-timeout ends the transmission")
	control := fs.String("control", "", "read pacing commands from this file or pipe, one a line: pause, resume, step, speed DURATION")
	plugin := predictor.Launch{Stderr: os.Stderr}
	plugin.RegisterFlags(fs)
	paused := fs.Bool("paused", false, "start held at the first example, once Bob has welcomed her: --control's step or resume lets her go on")
	help := cliusage.Help{
		Name:     "alice",
		Synopsis: "--bob HOST:PORT [spec flags] [transport flags] [output flags]",
		Summary:  "Codes the labels of an experiment against the shared model and streams the bytes to Bob, who decodes them and proves it by matching her model's fingerprints.",
		Examples: []string{
			"alice --bob 127.0.0.1:7878 --n 10000 --classes 10 --dim 16 --seed 1 --model-out alice.model",
			"alice --bob 127.0.0.1:7878 --data ../shared/data/digits.csv.gz --model softmax --shuffle 1",
		},
		Groups: []cliusage.Group{
			{Title: "Transport and security", Flags: append([]string{"bob", "timeout", "reconnects", "segment-bytes"}, tlsFlags...)},
			{Title: "The spec (what is coded; Bob builds the same)", Flags: append([]string{"data", "test-data", "label-column", "standardize", "shuffle"}, specFlags...)},
			{Title: "Outputs", Flags: []string{"model-out", "checkpoint-out", "quiet", "events"}},
			{Title: "Speed, pacing and resources (never change a bit of the result)", Flags: []string{"workers", "max-memory", "pace", "control", "paused"}},
			{Title: "Predictor plugin (model external, with --predictor-spec)", Flags: predictor.Flags},
		},
		Footer: "Prints one JSON line on stdout and a readable summary on stderr.\nExit status: 0 on a verified transmission, 1 on failure, 2 on usage errors.",
	}
	if code, ok := cliusage.Parse(fs, os.Args[1:], help, os.Stdout, os.Stderr); !ok {
		os.Exit(code)
	}
	var table, testTable *task.Table
	if *testData != "" && *data == "" {
		fmt.Fprintln(os.Stderr, "alice: --test-data needs --data (the training file)")
		os.Exit(2)
	}
	if *data != "" {
		t, err := alice.LoadData(*data, sp.LabelColumn)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		task.UseData(sp, t, func(name string) bool { return set[name] })
		table = t
		if *testData != "" {
			tt, err := alice.LoadData(*testData, sp.LabelColumn)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(2)
			}
			task.UseTestData(sp, t, tt, func(name string) bool { return set[name] })
			testTable = tt
		}
	}
	tlsCfg, err := sec.Client(*bob)
	if err != nil {
		fmt.Fprintln(os.Stderr, "alice:", err)
		os.Exit(2)
	}
	token, err := sec.ReadToken()
	if err != nil {
		fmt.Fprintln(os.Stderr, "alice:", err)
		os.Exit(2)
	}
	var base []byte
	if p := specflag.BasePath(fs); p != "" {
		if base, err = os.ReadFile(p); err != nil {
			fmt.Fprintln(os.Stderr, "alice:", err)
			os.Exit(2)
		}
	}
	cfg := alice.Config{Base: base, CheckpointOut: *checkpointOut, Data: table, TestData: testTable, Workers: *workers, TLS: tlsCfg, Token: token,
		Predictor: plugin, Bob: *bob, Spec: *sp, SegmentBytes: *seg, ModelOut: *modelOut, Timeout: *timeout, Reconnects: *reconnects, MaxMemory: maxMemory,
		Log: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var ev *events.Writer
	if *eventsPath != "" {
		if ev, err = events.Create(*eventsPath); err != nil {
			fmt.Fprintln(os.Stderr, "alice: --events:", err)
			os.Exit(2)
		}
		cfg.Observer = ev.Stream("alice", "")
	}
	if *paused && *control == "" {
		fmt.Fprintln(os.Stderr, "alice: --paused needs --control (nothing could resume her)\nalice -h lists the flags")
		os.Exit(2)
	}
	if *paceDelay > 0 || *control != "" {
		p := pace.New(*paceDelay, *paused)
		if *control != "" {
			f, err := os.Open(*control)
			if err != nil {
				fmt.Fprintln(os.Stderr, "alice: --control:", err)
				os.Exit(2)
			}
			p.OnError(func(err error) { cfg.Log.Warn("control", "err", err) })
			go p.Follow(f)
		}
		cfg.Pace = p.Wait
	}
	// A signal cancels with a cause naming it, so Alice reports the stop as
	// hers (and how far she got), not as the Canceled status her own gRPC
	// stack then sees. After the first signal the default handlers return:
	// a second one ends her at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel(fmt.Errorf("alice: received %v: %w", sig, context.Canceled))
	}()
	predictor.KillOnDone(ctx)
	rep, err := alice.Run(ctx, cfg)
	if ev != nil {
		if cerr := ev.Close(); cerr != nil {
			cfg.Log.Warn("events stream lost", "err", cerr)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !*quiet {
		fmt.Fprint(os.Stderr, rep.Summary())
	}
	if err := json.NewEncoder(os.Stdout).Encode(rep); err != nil {
		fmt.Fprintln(os.Stderr, "alice:", err)
		os.Exit(1)
	}
}
