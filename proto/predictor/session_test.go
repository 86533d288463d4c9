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
		var labels []int
		for {
			ex, ok, err := rcv.Step()
			if err != nil || !ok {
				return labels, cps, err
			}
			labels = append(labels, ex.Label)
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

// Held-out coding with an external learner needs Predict only: the
// validation labels are coded against the pass model, θ* is the pass model
// (epochs 0), the test labels are coded against it. Alice's and Bob's
// sessions, each over its own torch plugin process, agree on every figure
// (transmit.Pipe); θ*'s test loss equals the one a third plugin process
// gives when it is driven through the same pass by hand and asked for the
// test rows in chunks of the batch size, its probabilities logged with math.Log2.
func TestTorchHeldOut(t *testing.T) {
	needTorch(t)
	s, tab := digitsSpec(t)
	s.N, s.Validation, s.Test = 1297, 100, 400
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	in, labels, err := task.Build(s, tab, nil)
	if err != nil {
		t.Fatal(err)
	}
	session := func() *prequential.Session {
		c := start(t, torchPlugin, s.Seed, s.Predictor)
		ss, err := prequential.NewWithOptions(s, in, prequential.Options{External: c, HeldOut: true})
		if err != nil {
			t.Fatal(err)
		}
		return ss
	}
	p, err := transmit.Pipe(session(), session(), labels, transmit.PipeHooks{})
	if err != nil {
		t.Fatal(err)
	}
	if p.CheckpointsMatched < 6 || p.Figures.TestLossBits <= 0 || p.Figures.MDLBytes >= p.Figures.PayloadBytes {
		t.Fatalf("figures %+v, %d checkpoints", p.Figures, p.CheckpointsMatched)
	}

	// The reference: the pass by hand, then the test rows.
	c := start(t, torchPlugin, s.Seed, s.Predictor)
	batch := int(s.Batch)
	probs := make([][]float64, batch)
	for i := range probs {
		probs[i] = make([]float64, s.Classes)
	}
	rows := func(m *task.Matrix, from, to int) [][]float64 {
		xs := make([][]float64, 0, to-from)
		for i := from; i < to; i++ {
			xs = append(xs, m.Row(i))
		}
		return xs
	}
	for i := 0; i < int(s.N); i += batch {
		end := min(i+batch, int(s.N))
		xs := rows(&in.Train, i, end)
		if err := c.Predict(int64(i), probs[:end-i], xs); err != nil {
			t.Fatal(err)
		}
		if err := c.Update(int64(i), xs, labels.Train[i:end]); err != nil {
			t.Fatal(err)
		}
	}
	sum := 0.0
	for i := 0; i < int(s.Test); i += batch {
		end := min(i+batch, int(s.Test))
		if err := c.Predict(int64(i), probs[:end-i], rows(&in.Test, i, end)); err != nil {
			t.Fatal(err)
		}
		for j := range end - i {
			sum -= math.Log2(probs[j][labels.Test[i+j]])
		}
	}
	want := sum / float64(s.Test)
	if got := p.Figures.TestLossBits; math.Abs(got-want) > 1e-9*want {
		t.Fatalf("θ*'s test loss %v bits, the plugin driven by hand gives %v", got, want)
	}
	t.Logf("digits n=%d: MDL %d bytes, held-out %d bytes, θ* test loss %.4f bits/example", s.N, p.Figures.MDLBytes, p.Figures.PayloadBytes-p.Figures.MDLBytes, want)
}
