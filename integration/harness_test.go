package integration

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	// The tests build tasks from specs in this process; the models'
	// registrations validate the model part of those specs.
	_ "github.com/edlwire/edlwire/shared/model"
)

// binDir holds alice and bob, built once per test process.
var binDir string

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "edlwire-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../cmd/alice", "../cmd/bob")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "integration: build binaries:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// testContext ends a little before the test's deadline.
func testContext(t *testing.T) context.Context {
	ctx := context.Background()
	if d, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, d.Add(-5*time.Second))
		t.Cleanup(cancel)
	}
	return ctx
}

// bobProc is a running bob with his stdout lines as decoded JSON events.
type bobProc struct {
	cmd       *exec.Cmd
	addr      string
	listening map[string]any // his listening line
	events    chan map[string]any
	stderr    *syncBuffer
	done      chan struct{}
	err       error // exit status, valid after done
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBob launches bob on a free loopback port and waits for his
// "listening" line.
func startBob(t *testing.T, args ...string) *bobProc {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, "bob"), append([]string{"--listen", "127.0.0.1:0"}, args...)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	b := &bobProc{cmd: cmd, events: make(chan map[string]any, 1024), stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = b.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var ev map[string]any
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				ev = map[string]any{"event": "unparsed", "line": sc.Text()}
			}
			b.events <- ev
		}
		close(b.events)
		b.err = cmd.Wait()
		close(b.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-b.done
		if t.Failed() {
			t.Logf("bob stderr:\n%s", b.stderr.String())
		}
	})
	ev := b.next(t, "listening", 30*time.Second)
	b.addr, _ = ev["addr"].(string)
	if b.addr == "" {
		t.Fatalf("bob's listening line has no addr: %v", ev)
	}
	b.listening = ev
	return b
}

// next waits for bob's next event of the given kind.
func (b *bobProc) next(t *testing.T, kind string, within time.Duration) map[string]any {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	for {
		select {
		case ev, ok := <-b.events:
			if !ok {
				t.Fatalf("bob exited before %q: %v\nstderr:\n%s", kind, b.err, b.stderr.String())
			}
			if ev["event"] == kind {
				return ev
			}
		case <-timer.C:
			t.Fatalf("no %q event from bob within %v\nstderr:\n%s", kind, within, b.stderr.String())
		}
	}
}

// wait waits for bob to exit and returns his exit error.
func (b *bobProc) wait(t *testing.T, within time.Duration) error {
	t.Helper()
	select {
	case <-b.done:
		return b.err
	case <-time.After(within):
		t.Fatalf("bob did not exit within %v", within)
		return nil
	}
}

// aliceResult is one alice run.
type aliceResult struct {
	report   map[string]any
	stdout   string
	stderr   string
	exitCode int
}

func runAlice(ctx context.Context, t *testing.T, args ...string) aliceResult {
	t.Helper()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "alice"), args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := aliceResult{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("alice: %v", err)
		}
		res.exitCode = ee.ExitCode()
		return res
	}
	if err := json.Unmarshal(stdout.Bytes(), &res.report); err != nil {
		t.Fatalf("alice's stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	return res
}

func num(t *testing.T, m map[string]any, key string) float64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("field %q missing or not a number in %v", key, m)
	}
	return v
}

func str(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	v, ok := m[key].(string)
	if !ok {
		t.Fatalf("field %q missing or not a string in %v", key, m)
	}
	return v
}

func specArgs(kv ...string) []string {
	var out []string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, "--"+strings.TrimPrefix(kv[i], "--")+"="+kv[i+1])
	}
	return out
}
