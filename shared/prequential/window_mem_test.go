package prequential

import (
	"testing"

	"github.com/edlwire/edlwire/shared/spec"
	"github.com/edlwire/edlwire/shared/task"
)

// The spec's memory estimate counts the transcript window at
// spec.TranscriptStateBytes a state, and DefaultTranscriptWindow states:
// the bytes the window really holds when full.
func TestTranscriptWindowBytesAreTheEstimates(t *testing.T) {
	sp := spec.Default()
	sp.N, sp.Test = 300, 0
	in, lab, err := task.Build(sp, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewWithOptions(sp, in, Options{TranscriptWindow: DefaultTranscriptWindow(sp)})
	if err != nil {
		t.Fatal(err)
	}
	for _, y := range lab.Train {
		for {
			off, err := s.Next()
			if err != nil {
				t.Fatal(err)
			}
			if off.Kind == OfferCode {
				break
			}
		}
		if err := s.Apply(y); err != nil {
			t.Fatal(err)
		}
	}
	if DefaultTranscriptWindow(sp) != 300 {
		t.Fatalf("window %d, want every one of the 300 examples", DefaultTranscriptWindow(sp))
	}
	if got, want := int64(len(s.window.states)), sp.MemoryEstimate().Transcript; s.window.stride != spec.TranscriptStateBytes || got != want {
		t.Errorf("window holds %d bytes (%d a state), the estimate %d (%d a state)", got, s.window.stride, want, spec.TranscriptStateBytes)
	}
}
