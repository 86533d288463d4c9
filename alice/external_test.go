package alice_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/proto/predictor"
	"github.com/edlwire/edlwire/shared/spec"
)

const torchPlugin = "../predictors/torch/edl-torch-predictor"

func needTorch(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts plugin processes")
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import torch, grpc, google.protobuf").Run(); err != nil {
		t.Skipf("the torch plugin's dependencies are missing (run scripts/setup.sh): %v", err)
	}
}

// A transmission of the external model whose connection the network cuts
// mid-stream resumes like a built-in one: Bob starts a new plugin and
// replays the bytes he holds through it (the plugin is deterministic, so
// the replay reaches his state before the cut), Alice sends on from his
// offset, and every figure equals edl run's uninterrupted transmission of
// the same spec: payload, MDL, fingerprint, labels, θ*'s test loss.
func TestResumeExternal(t *testing.T) {
	needTorch(t)
	sp := spec.Default()
	sp.Seed, sp.N, sp.Test, sp.Classes, sp.Dim, sp.Noise = 3, 3000, 300, 4, 6, 0.3
	sp.Batch, sp.CheckpointEvery = 32, 640
	sp.Model, sp.Predictor = spec.ModelExternal, `{"model":"mlp","hidden":[16],"optimizer":"adam","lr":0.01}`
	if err := sp.Validate(); err != nil {
		t.Fatal(err)
	}
	plugin := predictor.Launch{Path: torchPlugin}
	ref, _, err := alice.Local(alice.Config{Spec: sp, Predictor: plugin})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dial, reports := bufBob(t, bob.Config{Limits: bob.DefaultLimits(), Predictor: plugin, ModelOut: filepath.Join(dir, "bob.state")})
	var dials atomic.Int64
	cutting := func(ctx context.Context, addr string) (net.Conn, error) {
		c, err := dial(ctx, addr)
		if err != nil || dials.Add(1) > 1 {
			return c, err
		}
		budget := &atomic.Int64{}
		budget.Store(2500)
		return cutConn{Conn: c, budget: budget}, nil
	}
	rep, err := alice.Run(context.Background(), alice.Config{Bob: "bufnet", Spec: sp, SegmentBytes: 16, Timeout: 2 * time.Minute, Dial: cutting, Predictor: plugin,
		ModelOut: filepath.Join(dir, "alice.state"), CheckpointOut: filepath.Join(dir, "alice.checkpoint")})
	if err != nil {
		t.Fatalf("alice.Run: %v", err)
	}
	b := waitReport(t, reports)
	if rep.Reconnects != 1 || !b.Resumed || b.Error != "" {
		t.Fatalf("reconnects %d, bob resumed %v, bob's error %q; want one resume", rep.Reconnects, b.Resumed, b.Error)
	}
	if rep.PayloadBytes != ref.PayloadBytes || rep.CodedBits != ref.CodedBits || rep.Fingerprint != ref.Fingerprint || b.Fingerprint != ref.Fingerprint ||
		rep.LabelsSHA256 != ref.LabelsSHA256 || rep.TestLossBits == nil || *rep.TestLossBits != *ref.TestLossBits || rep.CheckpointsMatched != ref.CheckpointsMatched {
		t.Fatalf("resumed %+v\nuninterrupted %+v", rep, ref)
	}
	// --model-out and --checkpoint-out write the plugin's own state (its
	// Save): the same bytes on both sides, whose hash is the plugin's
	// fingerprint, under the session's tag the final fingerprint.
	var states [][]byte
	for _, f := range []string{"alice.state", "alice.checkpoint", "bob.state"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		states = append(states, b)
	}
	if !bytes.Equal(states[0], states[1]) || !bytes.Equal(states[0], states[2]) || !bytes.HasPrefix(states[0], []byte("edl-torch-state-v1\n")) {
		t.Fatalf("the saved states differ or are not the torch plugin's (%d, %d, %d bytes)", len(states[0]), len(states[1]), len(states[2]))
	}
	inner := sha256.Sum256(states[0])
	if fp := sha256.Sum256(append([]byte("edlwire-external-v1\n"), inner[:]...)); hex.EncodeToString(fp[:]) != rep.Fingerprint {
		t.Fatalf("SHA-256(tag, SHA-256(state)) = %x, the final fingerprint %s", fp, rep.Fingerprint)
	}
	t.Logf("cut after 2500 transport bytes: %d payload bytes, %d sent again", rep.PayloadBytes, rep.RetransmittedBytes)
}
