package predictor

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
	"github.com/edlwire/edlwire/shared/transmit"
)

// digitsSpec is an external-model spec over the whole of UCI digits and
// its labelled table.
func digitsSpec(t *testing.T) (spec.Spec, *task.Table) {
	t.Helper()
	tab := digitsTable(t)
	s := spec.Default()
	s.Task, s.DataName, s.DataSHA256 = spec.TaskFile, "digits.csv.gz", tab.InputsSHA256()
	s.N, s.Test, s.Classes, s.Dim = int64(tab.Rows), 0, 10, int64(tab.Features)
	s.Standardize = true
	s.Model, s.Predictor = spec.ModelExternal, `{"model":"mlp","hidden":[64],"optimizer":"adam","lr":0.003}`
	s.Batch, s.CheckpointEvery = 32, 320
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s, tab
}

// side is one party: a session over its own plugin process.
func side(t *testing.T, s spec.Spec, tab *task.Table, seed uint64) *prequential.Session {
	t.Helper()
	in, err := task.NewFileInputs(s, tab)
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, torchPlugin, seed, s.Predictor)
	ss, err := prequential.NewWithOptions(s, in, prequential.Options{External: c, TranscriptWindow: int(s.N)})
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

// Alice and Bob, each with their own torch plugin process, code and decode
// UCI digits: every label decoded, fingerprints equal at every checkpoint,
// the payload within 1% + 8 bytes of Σ −log₂ p. With another seed on Bob's
// side the first checkpoint's fingerprints differ, and bisecting the
// transcripts names the first example whose distribution differed: the
// first, since the seeds give different initial models.
func TestTorchSessions(t *testing.T) {
	needTorch(t)
	s, tab := digitsSpec(t)
	labels := make([]int, s.N)
	copy(labels, tab.Labels) // file order: the spec does not shuffle

	alice := side(t, s, tab, s.Seed)
	snd, err := transmit.NewSender(alice, &task.Labels{Train: labels})
	if err != nil {
		t.Fatal(err)
	}
	fin, err := snd.Run()
	if err != nil {
		t.Fatal(err)
	}
	stream, sent := snd.Stream(), snd.Checkpoints()

	// decode has bob decode Alice's stream as far as it goes.
	decode := func(bob *prequential.Session) ([]int, []prequential.Checkpoint, error) {
		rcv, err := transmit.NewReceiver(bob)
		if err != nil {
			return nil, nil, err
		}
		if err := rcv.Write(stream); err != nil {
			return nil, nil, err
		}
		if err := rcv.CloseWrite(int64(len(stream))); err != nil {
			return nil, nil, err
		}
		var cps []prequential.Checkpoint
		for {
			ex, ok, err := rcv.Step()
			if err != nil || !ok {
				return rcv.Labels(), cps, err
			}
			if ex.Checkpoint != nil {
				cps = append(cps, *ex.Checkpoint)
			}
		}
	}

	t.Run("same-seed", func(t *testing.T) {
		bob := side(t, s, tab, s.Seed)
		got, cps, err := decode(bob)
		if err != nil {
			t.Fatal(err)
		}
		for i := range labels {
			if got[i] != labels[i] {
				t.Fatalf("example %d: decoded %d, sent %d", i, got[i], labels[i])
			}
		}
		if len(cps) != len(sent) || len(cps) < 5 {
			t.Fatalf("%d checkpoints on Bob's side, %d on Alice's", len(cps), len(sent))
		}
		for i := range cps {
			if cps[i] != sent[i] {
				t.Fatalf("checkpoint %d (example %d) differs", i, cps[i].Example)
			}
		}
		ideal := alice.Accounting().IdealBits
		payload := float64(8 * fin.PayloadBytes)
		if payload > 1.01*ideal+64 || payload < ideal-64 {
			t.Fatalf("payload %v bits against Σ−log₂p = %v bits", payload, ideal)
		}
		t.Logf("digits n=%d: payload %d bytes, Σ−log₂p %.1f bits (%.3f bits/example; uniform %.0f bits)",
			s.N, fin.PayloadBytes, ideal, ideal/float64(s.N), float64(s.N)*math.Log2(10))
	})

	t.Run("diverged-seed", func(t *testing.T) {
		bob := side(t, s, tab, s.Seed+1)
		_, cps, _ := decode(bob) // Bob decodes garbage, or fails: either way a checkpoint or the stream says so
		if len(cps) == 0 {
			t.Skip("Bob's decoder failed before his first checkpoint")
		}
		if cps[0] == sent[0] {
			t.Fatal("another seed gave the same first checkpoint")
		}
		first, err := prequential.FirstDivergence(0, cps[0].Example, func(c int64) (bool, error) {
			a, okA := alice.TranscriptAt(c)
			b, okB := bob.TranscriptAt(c)
			if !okA || !okB {
				return false, errors.New("transcript not kept")
			}
			return a == b, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if first != 0 {
			t.Fatalf("first differing example %d, want 0 (the seeds differ from the start)", first)
		}
	})
}

// A plugin that fails in the middle of a pass fails the Sender's Step
// with the call and the example named, and nothing after.
func TestSessionBadPlugin(t *testing.T) {
	needTorch(t)
	s, tab := digitsSpec(t)
	in, err := task.NewFileInputs(s, tab)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Start(context.Background(), Config{Path: "testdata/bad-predictor", Args: []string{"nan"}, InputDim: 64, Classes: 10, CallTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ss, err := prequential.NewWithOptions(s, in, prequential.Options{External: c})
	if err != nil {
		t.Fatal(err)
	}
	snd, err := transmit.NewSender(ss, &task.Labels{Train: tab.Labels})
	if err != nil {
		t.Fatal(err)
	}
	_, err = snd.Run()
	if err == nil || !strings.Contains(err.Error(), "Predict of example 32: coder: the probability of class 1 is NaN") {
		t.Fatalf("error %v", err)
	}
}
