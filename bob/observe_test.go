package bob_test

import (
	"bytes"
	"testing"

	"github.com/edlwire/edlwire/bob"
	"github.com/edlwire/edlwire/shared/prequential"
	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// recorder is an Observer that keeps what it is told.
type recorder struct {
	started bool
	labels  []int
	bytes   []int64
	cps     []prequential.Checkpoint
}

func (r *recorder) Start(sp spec.Spec, in *task.Inputs) { r.started = in != nil && sp.N > 0 }
func (r *recorder) Example(i int64, label int, freqs []uint32, n int64) {
	if int(i) == len(r.labels) && label < len(freqs) {
		r.labels = append(r.labels, label)
		r.bytes = append(r.bytes, n)
	}
}
func (r *recorder) Checkpoint(cp prequential.Checkpoint) { r.cps = append(r.cps, cp) }

// A watched transmission tells its observer every decoded label in order,
// with the bytes consumed never decreasing, and every checkpoint Alice
// took.
func TestObserverSeesEveryLabelAndCheckpoint(t *testing.T) {
	sp := rawSpec()
	c := codeSpec(t, sp)
	rec := &recorder{}
	h := startBufBob(t, bob.Config{Limits: bob.DefaultLimits(), Observe: func(id string) bob.Observer {
		if id != "raw" {
			t.Errorf("observer for session %q, want raw", id)
		}
		return rec
	}})
	s := h.open(t)
	welcome(t, s, sp)
	sendSegments(s, c.data, 64)
	send(s, finishMsg(c, int64(len(c.data))))
	if rep := h.session(t); rep.Error != "" {
		t.Fatal(rep.Error)
	}
	if !rec.started {
		t.Error("Start not told the spec and inputs")
	}
	if len(rec.labels) != int(c.n) {
		t.Fatalf("observer saw %d labels, want %d", len(rec.labels), c.n)
	}
	for i, y := range c.labels {
		if rec.labels[i] != y {
			t.Fatalf("label %d: observer saw %d, alice coded %d", i, rec.labels[i], y)
		}
	}
	for i := 1; i < len(rec.bytes); i++ {
		if rec.bytes[i] < rec.bytes[i-1] || rec.bytes[i] > int64(len(c.data)) {
			t.Fatalf("bytes consumed go %d → %d at example %d", rec.bytes[i-1], rec.bytes[i], i)
		}
	}
	if len(rec.cps) != len(c.checkpoints) {
		t.Fatalf("observer saw %d checkpoints, alice took %d", len(rec.cps), len(c.checkpoints))
	}
	for i, cp := range rec.cps {
		if cp.Example != c.checkpoints[i].Example || !bytes.Equal(cp.Fingerprint[:], c.checkpoints[i].Fingerprint[:]) {
			t.Errorf("checkpoint %d differs", i)
		}
	}
}
