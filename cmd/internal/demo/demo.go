package demo

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

//go:embed assets
var assets embed.FS

// Config is one demo server (or terminal run).
type Config struct {
	Addr     string        // where the page is served, HOST:PORT (port 0: a free one)
	Bin      string        // folder of alice and bob ("": found, see binaries)
	DataDir  string        // folder of the datasets ("": found, see dataDir)
	Scene    string        // the scene to start with
	Random   bool          // random labels
	Pace     time.Duration // time per example (negative: the scene's own)
	Paused   bool          // start paused at example 0
	Terminal bool          // no page: one run with a line per checkpoint, then a summary
	Save     string        // if set, alice.json and bob.json of every finished run are written here
	// Ready, if set, is told the page's URL once the server listens.
	Ready func(url string)
}

const usage = `usage: edl demo [flags]

Runs real alice and bob processes on a teaching scene and shows the coding
argument live: in a browser page served on --addr, or with --terminal as a
line per checkpoint and a summary. Scenes: digits (needs ../shared/data),
teacher, hypothesis, coupon.

`

// Main is "edl demo": it parses args and runs until interrupted (or, with
// --terminal, until the transmission ends). Exit status 0 on success, 1 on
// failure, 2 on usage errors.
func Main(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("edl demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var cfg Config
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:7880", "serve the page here, HOST:PORT (port 0 picks a free one)")
	fs.StringVar(&cfg.Bin, "bin", "", "folder holding alice and bob (default: beside this program, else built from the source tree, else PATH)")
	fs.StringVar(&cfg.DataDir, "data-dir", "", "folder of the datasets, for the digits scene (default: ../shared/data beside the project, or $EDLWIRE_DATA)")
	fs.StringVar(&cfg.Scene, "scene", "", "scene to start with: digits, teacher, hypothesis, coupon (default: digits if its data is found, else teacher)")
	fs.BoolVar(&cfg.Random, "random-labels", false, "replace every label by a uniform draw (the control: EDL ≈ 0)")
	fs.DurationVar(&cfg.Pace, "pace", -1, "time per example, e.g. 20ms, 0 for full speed (default: the scene's; --terminal: full speed)")
	fs.BoolVar(&cfg.Paused, "paused", false, "start paused at the first example (the page's Step and Resume go on)")
	fs.BoolVar(&cfg.Terminal, "terminal", false, "no browser: print a line per checkpoint and a summary, readable in 80 columns")
	fs.StringVar(&cfg.Save, "save", "", "write each finished run's alice.json and bob.json reports into this folder")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "edl demo: unexpected arguments %q\n", fs.Args())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg.Ready = func(url string) { fmt.Fprintf(stdout, "edl demo: open %s in a browser (Ctrl-C ends the demo)\n", url) }
	if err := Run(ctx, cfg, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	return 0
}

type usageError struct{ error }

// Run runs the demo until ctx ends; with cfg.Terminal, until the
// transmission ends, printing to stdout.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) error {
	if cfg.DataDir == "" {
		cfg.DataDir = dataDir()
	}
	list := sceneList(cfg.DataDir)
	if cfg.Scene == "" {
		cfg.Scene = "teacher"
		if s, _ := findScene(list, "digits"); s.Available {
			cfg.Scene = "digits"
		}
	}
	sc, ok := findScene(list, cfg.Scene)
	if !ok {
		return usageError{fmt.Errorf("edl demo: no scene %q (digits, teacher, hypothesis, coupon)", cfg.Scene)}
	}
	if !sc.Available {
		return usageError{fmt.Errorf("edl demo: scene %s needs %s: give --data-dir (the datasets are in ../shared/data beside the project)", sc.Name, sc.Data)}
	}
	bin, cleanup, err := binaries(cfg.Bin, stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	d := &Demo{bin: bin, dataDir: cfg.DataDir, scenes: list, hub: newHub(), save: cfg.Save, log: stderr}
	if cfg.Terminal {
		return d.terminal(ctx, sc, cfg, stdout)
	}
	d.hub.onEnd = func(alice, bob json.RawMessage, failure string) { d.saveReports(alice, bob) }
	pace := cfg.Pace
	if pace < 0 {
		pace = sc.Pace
	}
	lis, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("edl demo: %w", err)
	}
	srv := &http.Server{Handler: d.handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				d.hub.flush()
			}
		}
	}()
	if err := d.restart(sc.Name, cfg.Random, &pace, cfg.Paused); err != nil {
		lis.Close()
		return err
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(lis) }()
	if cfg.Ready != nil {
		cfg.Ready("http://" + lis.Addr().String() + "/")
	}
	select {
	case <-ctx.Done():
	case err := <-served:
		d.shutdown()
		return fmt.Errorf("edl demo: %w", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	d.shutdown()
	return nil
}

// Demo owns the running transmission and the hub that follows it.
type Demo struct {
	bin, dataDir string
	scenes       []Scene
	hub          *hub
	save         string
	log          io.Writer

	mu     sync.Mutex
	cur    *transmission
	scene  Scene
	random bool
	paused bool
	delay  time.Duration
}

// restart stops the running transmission, if any, and starts scene (with
// random labels if asked). pace nil keeps the current speed.
func (d *Demo) restart(scene string, random bool, pace *time.Duration, paused bool) error {
	sc, ok := findScene(d.scenes, scene)
	if !ok || !sc.Available {
		return fmt.Errorf("edl demo: scene %q is not available", scene)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil {
		d.cur.stop()
		d.cur = nil
	}
	if pace != nil {
		d.delay = *pace
	}
	d.scene, d.random, d.paused = sc, random, paused
	d.hub.setPictures(sc, d.dataDir, d.log)
	d.hub.reset(runInfo{Scene: sc, Random: random, Scenes: d.scenes, Paused: paused, DelayMS: float64(d.delay) / float64(time.Millisecond)})
	args := sc.Args(d.dataDir)
	if random {
		args = append(args, "--random-labels")
	}
	t, err := start(startOpts{bin: d.bin, dataDir: d.dataDir, args: args, pace: d.delay, paused: paused, sink: d.hub})
	if err != nil {
		d.hub.failed(err.Error())
		return err
	}
	d.cur = t
	return nil
}

// control carries out a page's pause, resume, step or speed.
func (d *Demo) control(action string, delay time.Duration) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	line := action
	switch action {
	case "pause", "step":
		d.paused = true
	case "resume":
		d.paused = false
	case "speed":
		d.delay = max(delay, 0)
		line = "speed " + d.delay.String()
	default:
		return fmt.Errorf("unknown action %q", action)
	}
	d.hub.setPace(d.paused, d.delay)
	if d.cur == nil {
		return errors.New("nothing is running")
	}
	return d.cur.send(line)
}

func (d *Demo) shutdown() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cur != nil {
		d.cur.stop()
		d.cur = nil
	}
}

func (d *Demo) saveReports(alice, bob json.RawMessage) {
	if d.save == "" || alice == nil {
		return
	}
	if err := os.MkdirAll(d.save, 0o755); err != nil {
		fmt.Fprintln(d.log, "edl demo: --save:", err)
		return
	}
	for name, raw := range map[string]json.RawMessage{"alice.json": alice, "bob.json": bob} {
		if raw == nil {
			continue
		}
		if err := os.WriteFile(filepath.Join(d.save, name), append(append([]byte(nil), raw...), '\n'), 0o644); err != nil {
			fmt.Fprintln(d.log, "edl demo: --save:", err)
		}
	}
}

// handler serves the page, its assets, the event stream and the controls.
func (d *Demo) handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	files := http.FileServerFS(static)
	mux.Handle("GET /", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		files.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /api/events", d.serveEvents)
	mux.HandleFunc("POST /api/control", d.serveControl)
	return mux
}

// serveEvents streams the run as server-sent events: first everything so
// far, then each tick's news; a restart starts the stream over.
func (d *Demo) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	notify := d.hub.subscribe()
	defer d.hub.unsubscribe(notify)
	gen, cur := -1, 0
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		var msgs [][]byte
		msgs, gen, cur = d.hub.since(gen, cur)
		for _, m := range msgs {
			if _, err := fmt.Fprintf(w, "data: %s\n\n", m); err != nil {
				return
			}
		}
		fl.Flush()
		select {
		case <-r.Context().Done():
			return
		case <-notify:
		case <-ping.C:
			if _, err := io.WriteString(w, ": ping\n\n"); err != nil {
				return
			}
		}
	}
}

// controlRequest is what the page posts.
type controlRequest struct {
	Action  string  `json:"action"` // pause, resume, step, speed, restart
	DelayMS float64 `json:"delay_ms"`
	Scene   string  `json:"scene"`
	Random  bool    `json:"random"`
	Paused  bool    `json:"paused"`
}

func (d *Demo) serveControl(w http.ResponseWriter, r *http.Request) {
	var req controlRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&req); err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	delay := time.Duration(req.DelayMS * float64(time.Millisecond))
	var err error
	switch req.Action {
	case "restart":
		var pace *time.Duration
		if req.DelayMS > 0 {
			pace = &delay
		} else if req.Scene != "" {
			if sc, ok := findScene(d.scenes, req.Scene); ok {
				pace = &sc.Pace
			}
		}
		err = d.restart(req.Scene, req.Random, pace, req.Paused)
	default:
		err = d.control(req.Action, delay)
	}
	if err != nil {
		http.Error(w, strings.TrimPrefix(err.Error(), "edl demo: "), http.StatusConflict)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
