package alice_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/edlwire/edlwire/alice"
	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// watcher is an Observer that keeps what it is told.
type watcher struct {
	started bool
	labels  []int
	bytes   []int64
	cps     []prequential.Checkpoint
}

func (w *watcher) Start(sp spec.Spec, in *task.Inputs) { w.started = in != nil && sp.N > 0 }
func (w *watcher) Example(i int64, label int, freqs []uint32, n int64) {
	if int(i) == len(w.labels) && label < len(freqs) && freqs[label] > 0 {
		w.labels = append(w.labels, label)
		w.bytes = append(w.bytes, n)
	}
}
func (w *watcher) Checkpoint(cp prequential.Checkpoint) { w.cps = append(w.cps, cp) }

// A watched, paced transmission is told every label (the pass's last one
// with the MDL's bytes) and checkpoint, asks the pacer before every
// example, and codes the same bytes as an unwatched one.
func TestObserverAndPace(t *testing.T) {
	sp := aliceSpec()
	ref := referenceRun(t, sp)
	dial, reports := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	w := &watcher{}
	var asked []int64
	rep, err := alice.Run(context.Background(), alice.Config{
		Bob: "bufnet", Spec: sp, SegmentBytes: 1, Timeout: time.Minute, Dial: dial, Observer: w,
		Pace: func(_ context.Context, next int64) error { asked = append(asked, next); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if b := waitReport(t, reports); b.Error != "" {
		t.Fatal(b.Error)
	}
	total := sp.N + sp.Validation + sp.Test
	if !w.started || int64(len(w.labels)) != total || int64(len(asked)) != total {
		t.Fatalf("observer started %v with %d labels, pacer asked %d times; want %d", w.started, len(w.labels), len(asked), total)
	}
	for i, y := range ref.labels {
		if w.labels[i] != y {
			t.Fatalf("label %d: observer %d, want %d", i, w.labels[i], y)
		}
	}
	if got := w.bytes[sp.N-1]; got != ref.mdl || 8*got != rep.CodedBits {
		t.Errorf("bytes after the pass %d, want the MDL's %d", got, ref.mdl)
	}
	if int64(len(w.cps)) != ref.checkpoints || w.cps[len(w.cps)-1] != ref.final {
		t.Errorf("observer saw %d checkpoints ending %x, want %d ending %x", len(w.cps), w.cps[len(w.cps)-1].Fingerprint, ref.checkpoints, ref.final.Fingerprint)
	}
	if rep.PayloadBytes != ref.payload {
		t.Errorf("payload %d, unwatched %d", rep.PayloadBytes, ref.payload)
	}
}

// The pacer's error (a cancelled demo) ends the run.
func TestPaceErrorEndsRun(t *testing.T) {
	dial, _ := bufBob(t, bob.Config{Limits: bob.DefaultLimits()})
	stop := errors.New("stopped by the demo")
	_, err := alice.Run(context.Background(), alice.Config{
		Bob: "bufnet", Spec: aliceSpec(), Timeout: time.Minute, Dial: dial,
		Pace: func(_ context.Context, next int64) error {
			if next == 10 {
				return stop
			}
			return nil
		},
	})
	if !errors.Is(err, stop) {
		t.Fatalf("Run = %v, want the pacer's error", err)
	}
}
