package integration

import (
	"bufio"
	"bytes"
	"context"
	"debug/elf"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// qemuARM64 is the user-mode emulator the cross-architecture test runs
// arm64 binaries under (Debian package qemu-user-static).
const qemuARM64 = "qemu-aarch64-static"

// buildARM64 cross-compiles alice and bob for linux/arm64 (pure Go, no cgo)
// into dir and returns dir.
func buildARM64(t *testing.T, dir string) string {
	t.Helper()
	cmd := exec.Command("go", "build", "-o", dir+string(os.PathSeparator), "../cmd/alice", "../cmd/bob")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("build alice and bob for arm64: %v\n%s", err, out)
	}
	// Make sure the binaries really are arm64: a binfmt_misc setup would
	// otherwise let a silently native build pass for a cross one.
	for _, name := range []string{"alice", "bob"} {
		f, err := elf.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		m := f.Machine
		f.Close()
		if m != elf.EM_AARCH64 {
			t.Fatalf("%s was built for %v, not arm64", name, m)
		}
	}
	return dir
}

// startBobArgv is startBob with an explicit command line prefix, e.g.
// {"qemu-aarch64-static", "/tmp/x/bob"} or {filepath.Join(binDir, "bob")}.
// It waits up to within for bob's {"event":"listening","addr":...} line.
func startBobArgv(t *testing.T, argv []string, within time.Duration, args ...string) *bobProc {
	t.Helper()
	full := append(append(append([]string{}, argv[1:]...), "--listen", "127.0.0.1:0"), args...)
	cmd := exec.Command(argv[0], full...)
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
			t.Logf("bob (%v) stderr:\n%s", argv, b.stderr.String())
		}
	})
	ev := b.next(t, "listening", within)
	b.addr, _ = ev["addr"].(string)
	if b.addr == "" {
		t.Fatalf("bob's listening line has no addr: %v", ev)
	}
	return b
}

// runAliceArgv is runAlice with an explicit command line prefix.
func runAliceArgv(ctx context.Context, t *testing.T, argv []string, args ...string) aliceResult {
	t.Helper()
	cmd := exec.CommandContext(ctx, argv[0], append(append([]string{}, argv[1:]...), args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := aliceResult{stdout: stdout.String(), stderr: stderr.String()}
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("alice (%v): %v", argv, err)
		}
		res.exitCode = ee.ExitCode()
		return res
	}
	if err := json.Unmarshal(stdout.Bytes(), &res.report); err != nil {
		t.Fatalf("alice's stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	return res
}

// nativeArgv is the command line of a binary built by TestMain for the host.
func nativeArgv(name string) []string { return []string{filepath.Join(binDir, name)} }

// qemuArgv is the command line running an arm64 binary from dir under qemu.
func qemuArgv(qemu, dir, name string) []string {
	return []string{qemu, filepath.Join(dir, name)}
}
