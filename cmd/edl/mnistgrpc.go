package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/cmd/internal/demo"
	"github.com/edlwire/edlwire/shared/model"
	"github.com/edlwire/edlwire/shared/report"
	"github.com/edlwire/edlwire/shared/spec"
)

// mnistGRPC configures edl mnist's transmission to a separate bob.
type mnistGRPC struct {
	bin     string // folder of the bob binary ("" to look for it)
	segment int    // coded bytes per segment
	workers int
	quiet   bool
}

// mnistOverGRPC starts bob (--once, on a loopback port he picks), runs
// Alice in this process against him, and checks his own session report
// against hers: the same fingerprint, labels and coded bits.
func mnistOverGRPC(s spec.Spec, obs *mnistObserver, g mnistGRPC, prog *progress, stderr io.Writer) (*mnistResult, error) {
	logw := io.Discard
	if !g.quiet {
		logw = stderr
	}
	dir, cleanup, err := demo.Binaries(g.bin, logw)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Alice trains each block's model before she codes its first label;
	// she sends heartbeats meanwhile, but a generous idle timeout keeps a
	// benchmark from depending on them.
	bob := exec.CommandContext(ctx, filepath.Join(dir, "bob"), "--listen", "127.0.0.1:0", "--once",
		"--idle-timeout", "24h", "--workers", strconv.Itoa(g.workers))
	bob.Cancel = func() error { return bob.Process.Signal(syscall.SIGTERM) }
	bob.WaitDelay = 5 * time.Second
	out, err := bob.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var bobErr bytes.Buffer
	bob.Stderr = &limited{w: &bobErr, n: 64 << 10}
	if err := bob.Start(); err != nil {
		return nil, fmt.Errorf("edl mnist: start bob: %w", err)
	}
	lines := bufio.NewScanner(out)
	lines.Buffer(make([]byte, 64<<10), 16<<20)
	var listening struct {
		Event, Addr string
	}
	if !lines.Scan() || json.Unmarshal(lines.Bytes(), &listening) != nil || listening.Event != "listening" {
		cancel()
		_ = bob.Wait()
		return nil, fmt.Errorf("edl mnist: bob did not start: %s", strings.TrimSpace(bobErr.String()))
	}
	// Bob's session line arrives when he has verified the transmission.
	session := make(chan *report.Session, 1)
	go func() {
		defer close(session)
		for lines.Scan() {
			var r report.Session
			if json.Unmarshal(lines.Bytes(), &r) == nil && r.Event == "session" {
				session <- &r
			}
		}
	}()
	mf, err := os.CreateTemp("", "edl-mnist-model-")
	if err != nil {
		return nil, err
	}
	mf.Close()
	defer os.Remove(mf.Name())
	obs.prog = prog
	rep, err := alice.Run(ctx, alice.Config{Bob: listening.Addr, Spec: s, SegmentBytes: g.segment, Workers: g.workers,
		Observer: obs, ModelOut: mf.Name()})
	if err != nil {
		cancel()
		_ = bob.Wait()
		return nil, fmt.Errorf("%w (bob: %s)", err, strings.TrimSpace(bobErr.String()))
	}
	theirs, ok := <-session
	werr := bob.Wait()
	if !ok || theirs == nil {
		return nil, fmt.Errorf("edl mnist: bob reported no session (%v): %s", werr, strings.TrimSpace(bobErr.String()))
	}
	if theirs.Error != "" || werr != nil {
		return nil, fmt.Errorf("edl mnist: bob: %s (%v)", theirs.Error, werr)
	}
	verified := rep.BobVerified && theirs.Fingerprint == rep.Fingerprint && theirs.LabelsSHA256 == rep.LabelsSHA256 &&
		theirs.CodedBits == rep.CodedBits && theirs.PayloadBytes == rep.PayloadBytes
	res := &mnistResult{
		Transport: "grpc", CodedBits: rep.CodedBits, HeldOutBits: rep.HeldOutBits, PayloadBytes: rep.PayloadBytes,
		IdealBits: rep.IdealBits, QuantizedBits: rep.QuantizedIdealBits, WireBytes: rep.WireBytes, TCPBytes: rep.TCPBytes,
		BobVerified: verified, BobFingerprint: theirs.Fingerprint, Checkpoints: rep.CheckpointsMatched,
		figBlocks: rep.Blocks,
	}
	if rep.TestLossBits != nil {
		res.TestLossBits = *rep.TestLossBits
	}
	enc, err := os.ReadFile(mf.Name())
	if err != nil {
		return nil, err
	}
	final, err := model.NewFromBase(s, enc)
	if err != nil {
		return nil, fmt.Errorf("edl mnist: the final model: %w", err)
	}
	res.TestAccuracy = accuracy(final, &obs.in.Test, obs.labels.Test, g.workers)
	return res, nil
}

// limited keeps the first n bytes written to it.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
