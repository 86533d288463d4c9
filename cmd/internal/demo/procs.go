package demo

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/edlwire/edlwire/cmd/internal/events"
)

// modulePath is the module whose source the demo can build alice and bob
// from.
const modulePath = "github.com/edlwire/edlwire"

// binaries finds alice and bob that speak --events: in dir if given; else
// beside the running executable (make build and go install put them
// there); else, when the working directory is inside this module's source,
// built with go build into a temporary folder (go run ./cmd/edl demo);
// else on PATH. The returned cleanup removes a temporary build.
func binaries(dir string, log io.Writer) (string, func(), error) {
	none := func() {}
	if dir != "" {
		if err := usable(dir); err != nil {
			return "", none, err
		}
		return dir, none, nil
	}
	if exe, err := os.Executable(); err == nil {
		if d := filepath.Dir(exe); usable(d) == nil {
			return d, none, nil
		}
	}
	if root := moduleRoot(); root != "" {
		if _, err := exec.LookPath("go"); err == nil {
			tmp, err := os.MkdirTemp("", "edl-demo-bin-")
			if err != nil {
				return "", none, err
			}
			fmt.Fprintf(log, "demo: building alice and bob from the source in %s ...\n", root)
			cmd := exec.Command("go", "build", "-o", tmp+string(os.PathSeparator), "./cmd/alice", "./cmd/bob")
			cmd.Dir = root
			var out bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Run(); err != nil {
				os.RemoveAll(tmp)
				return "", none, fmt.Errorf("demo: go build alice and bob: %v\n%s", err, out.String())
			}
			return tmp, func() { os.RemoveAll(tmp) }, nil
		}
	}
	a, errA := exec.LookPath("alice")
	b, errB := exec.LookPath("bob")
	if errA == nil && errB == nil && filepath.Dir(a) == filepath.Dir(b) && usable(filepath.Dir(a)) == nil {
		return filepath.Dir(a), none, nil
	}
	return "", none, errors.New("demo: no alice and bob with --events found beside this program, in the source tree or on PATH: run make build, or give --bin DIR")
}

// usable checks that dir holds alice and bob that know --events.
func usable(dir string) error {
	for _, name := range []string{"alice", "bob"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err != nil || fi.IsDir() {
			return fmt.Errorf("demo: no %s in %s", name, dir)
		}
		out, _ := exec.Command(p, "-h").CombinedOutput()
		if !bytes.Contains(out, []byte("-events")) {
			return fmt.Errorf("demo: %s predates --events: rebuild it (make build)", p)
		}
	}
	return nil
}

// moduleRoot is the nearest folder at or above the working directory whose
// go.mod declares this module, or "".
func moduleRoot() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(dir, "go.mod")); err == nil {
			first, _, _ := strings.Cut(string(b), "\n")
			if strings.TrimSpace(first) == "module "+modulePath {
				return dir
			}
			return ""
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}

// dataDir finds the folder of the datasets (../shared/data beside the
// project): $EDLWIRE_DATA, then shared/data beside the module root or
// beside the executable's project, then ../shared/data from the working
// directory. It returns "" when none holds digits.csv.gz.
func dataDir() string {
	var cand []string
	if d := os.Getenv("EDLWIRE_DATA"); d != "" {
		cand = append(cand, d)
	}
	if root := moduleRoot(); root != "" {
		cand = append(cand, filepath.Join(root, "..", "shared", "data"))
	}
	if exe, err := os.Executable(); err == nil {
		// bin/edl in the project: the project is one up, shared/ beside it.
		cand = append(cand, filepath.Join(filepath.Dir(exe), "..", "..", "shared", "data"))
	}
	if wd, err := os.Getwd(); err == nil {
		cand = append(cand, filepath.Join(wd, "..", "shared", "data"))
	}
	for _, d := range cand {
		if _, err := os.Stat(filepath.Join(d, "digits.csv.gz")); err == nil {
			if abs, err := filepath.Abs(d); err == nil {
				return abs
			}
			return d
		}
	}
	return ""
}

// transmission is one pair of running bob and alice processes.
type transmission struct {
	cancel  context.CancelFunc
	control *os.File // alice's --control pipe, the write end
	ctlMu   sync.Mutex
	done    chan struct{} // closed when both have exited and every stream is read
}

// startOpts are what one transmission needs.
type startOpts struct {
	bin, dataDir string
	args         []string // alice's spec flags
	pace         time.Duration
	paused       bool
	sink         sink
}

// sink receives what the processes say.
type sink interface {
	event(ev *events.Event)
	aliceReport(raw json.RawMessage)
	bobReport(raw json.RawMessage)
	failed(msg string)
	ended()
}

// start launches bob (--once, his events on fd 3) and alice (her events
// on fd 3, her control on fd 4), feeding everything they say into
// o.sink. Both are stopped with SIGTERM when stop is called.
func start(o startOpts) (*transmission, error) {
	ctx, cancel := context.WithCancel(context.Background())
	t := &transmission{cancel: cancel, done: make(chan struct{})}
	fail := func(err error) (*transmission, error) {
		cancel()
		return nil, err
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, filepath.Join(o.bin, name), args...)
		cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
		cmd.WaitDelay = 3 * time.Second
		return cmd
	}
	bobArgs := []string{"--listen", "127.0.0.1:0", "--once", "--events", "/dev/fd/3", "--idle-timeout", "24h", "--workers", "1"}
	if o.dataDir != "" {
		bobArgs = append(bobArgs, "--data-dir", o.dataDir)
	}
	bob := command("bob", bobArgs...)
	bobEvR, bobEvW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	bob.ExtraFiles = []*os.File{bobEvW}
	bobOut, err := bob.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	var bobErr bytes.Buffer
	bob.Stderr = &limited{w: &bobErr, n: 64 << 10}
	if err := bob.Start(); err != nil {
		bobEvR.Close()
		bobEvW.Close()
		return fail(fmt.Errorf("demo: start bob: %w", err))
	}
	bobEvW.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); readEvents(bobEvR, o.sink) }()

	// Bob's first line is his address; later lines are his session report.
	lines := bufio.NewScanner(bobOut)
	lines.Buffer(make([]byte, 64<<10), 1<<20)
	addr := ""
	if lines.Scan() {
		var l struct {
			Event string `json:"event"`
			Addr  string `json:"addr"`
		}
		if json.Unmarshal(lines.Bytes(), &l) == nil && l.Event == "listening" {
			addr = l.Addr
		}
	}
	if addr == "" {
		cancel()
		_ = bob.Wait()
		wg.Wait()
		return nil, fmt.Errorf("demo: bob did not start: %s", strings.TrimSpace(bobErr.String()))
	}
	bobDone := make(chan struct{})
	go func() {
		defer close(bobDone)
		for lines.Scan() {
			var l struct {
				Event string `json:"event"`
			}
			if json.Unmarshal(lines.Bytes(), &l) == nil && l.Event == "session" {
				o.sink.bobReport(append(json.RawMessage(nil), lines.Bytes()...))
			}
		}
		_ = bob.Wait()
	}()

	aliceArgs := append([]string{"--bob", addr, "--events", "/dev/fd/3", "--control", "/dev/fd/4",
		"--pace", o.pace.String(), "--segment-bytes", "1", "--timeout", "24h", "--quiet"}, o.args...)
	alice := command("alice", aliceArgs...)
	evR, evW, err := os.Pipe()
	if err != nil {
		cancel()
		return nil, err
	}
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		cancel()
		return nil, err
	}
	alice.ExtraFiles = []*os.File{evW, ctlR}
	if o.paused {
		// Read by alice's pacer before her first example: the pipe holds it.
		_, _ = io.WriteString(ctlW, "pause\n")
	}
	var aliceOut, aliceErr bytes.Buffer
	alice.Stdout = &limited{w: &aliceOut, n: 1 << 20}
	alice.Stderr = &limited{w: &aliceErr, n: 64 << 10}
	if err := alice.Start(); err != nil {
		cancel()
		evR.Close()
		evW.Close()
		ctlR.Close()
		ctlW.Close()
		<-bobDone
		wg.Wait()
		return nil, fmt.Errorf("demo: start alice: %w", err)
	}
	evW.Close()
	ctlR.Close()
	t.control = ctlW
	wg.Add(1)
	go func() { defer wg.Done(); readEvents(evR, o.sink) }()

	go func() {
		aliceExit := alice.Wait()
		wg.Wait() // alice's events are all read once she has exited
		stopped := ctx.Err() != nil
		if aliceExit != nil && !stopped {
			o.sink.failed(fmt.Sprintf("alice: %v: %s", aliceExit, strings.TrimSpace(aliceErr.String())))
			cancel() // bob waits for nobody now
		} else if !stopped {
			var rep json.RawMessage
			if err := json.Unmarshal(bytes.TrimSpace(aliceOut.Bytes()), &rep); err != nil {
				o.sink.failed(fmt.Sprintf("alice's report is not JSON: %v: %s", err, aliceOut.String()))
			} else {
				o.sink.aliceReport(rep)
			}
		}
		<-bobDone
		if bob.ProcessState != nil && !bob.ProcessState.Success() && !stopped && aliceExit == nil {
			o.sink.failed(fmt.Sprintf("bob: %v: %s", bob.ProcessState, strings.TrimSpace(bobErr.String())))
		}
		t.ctlMu.Lock()
		ctlW.Close()
		t.control = nil
		t.ctlMu.Unlock()
		if !stopped {
			o.sink.ended()
		}
		close(t.done)
	}()
	return t, nil
}

// send writes one control line to alice; it fails once she has exited.
func (t *transmission) send(line string) error {
	t.ctlMu.Lock()
	defer t.ctlMu.Unlock()
	if t.control == nil {
		return errors.New("the transmission has ended")
	}
	_, err := io.WriteString(t.control, line+"\n")
	return err
}

// stop ends both processes (SIGTERM) and waits for them.
func (t *transmission) stop() {
	t.cancel()
	<-t.done
}

// readEvents decodes one event stream until it ends.
func readEvents(r io.ReadCloser, s sink) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	for sc.Scan() {
		ev := new(events.Event)
		if err := json.Unmarshal(sc.Bytes(), ev); err != nil {
			continue
		}
		s.event(ev)
	}
	_, _ = io.Copy(io.Discard, r)
}

// limited keeps the first n bytes written to it.
type limited struct {
	mu sync.Mutex
	w  *bytes.Buffer
	n  int
}

func (l *limited) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.n - l.w.Len(); room > 0 {
		l.w.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// Binaries finds alice and bob as the demo does (dir if given; beside the
// running executable; built from this module's source into a temporary
// folder; on PATH), for other commands that run them as separate
// processes (edl mnist's Bob). The cleanup removes a temporary build.
func Binaries(dir string, log io.Writer) (string, func(), error) { return binaries(dir, log) }
